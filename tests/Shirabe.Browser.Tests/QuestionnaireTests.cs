using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Browser.Tests;

/// <summary>The whole questionnaire in headless Chromium, answered as a person would, checked through `shirabe export`.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QuestionnaireTests(ShirabeSite site)
{
    private static Survey Survey => Sc3.Survey;

    private DateTimeOffset Now(ShirabeServer server) => server.Services.GetRequiredService<TimeProvider>().GetUtcNow();

    /// <summary>
    /// R07 and R16 between them use every kind of item (text, single, matrix, multiple with an exclusive option,
    /// percentage split, blank split) and every skip rule both ways (2-12…2-14 shown for R16, 3-2-b hidden for both,
    /// 4-1-b shown for R07 and hidden for R16, 4-3-b/4-3-c and 4-4-b/4-4-c the other way round).
    /// </summary>
    [Theory]
    [InlineData("R07")]
    [InlineData("R16")]
    public async Task AnsweringEveryPageAsReconstructedRespondent_ExportGivesBackTheirRow(string id)
    {
        var original = Sc3.Respondent(id);
        var token = await site.Open.InviteAsync(id, original.Answers[Survey["1-2-a"].Index].Text);
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);

        await person.OpenAsync($"/a/{token}");
        Assert.Equal(Survey.Title, await person.HeadingAsync());
        await person.PressAsync("回答を始める");
        foreach (var section in Sc3.Pages)
        {
            Assert.Equal($"{section.Section.Id} {section.Section.Title}", await person.HeadingAsync());
            await person.AnswerSectionAsync(section, original.Answers);
            var response = await person.PressAsync(section == Sc3.Pages[^1] ? "確認画面へ" : "次へ");
            Assert.True(response.Ok, $"{section.Path}: {response.Status}");
        }

        Assert.Equal("回答内容の確認", await person.HeadingAsync());
        var sheet = await person.TextAsync(".sheet");
        Assert.Contains(original.Answers[Survey["1-2-a"].Index].Text!, sheet);
        var before = Now(site.Open);
        await person.PressAsync("回答を送信する");
        var after = Now(site.Open);
        Assert.Equal("回答を受け付けました", await person.HeadingAsync());
        Assert.Equal($"{id}-1", await person.TextAsync("#receipt-number"));

        Export.AssertSameAnswers(await Export.RunCliAsync(site.Open), id, id, before, after);
    }

    [Fact]
    public async Task ResumingOnAnotherBrowser_ShowsSavedAnswersAndSubmitsTheWhole()
    {
        var original = Sc3.Respondent("R16");
        var token = await site.Open.InviteAsync("S16");
        var (first, page) = await site.NewPageAsync();
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}");
        await person.PressAsync("回答を始める");
        var firstTwo = Sc3.Pages.Where(p => p.Section.Id is "1" or "2").ToList();
        foreach (var section in firstTwo)
        {
            await person.AnswerSectionAsync(section, original.Answers);
            await person.PressAsync("次へ");
        }
        Assert.Equal($"{Survey.Sections[2].Id} {Survey.Sections[2].Title}", await person.HeadingAsync());
        await first.CloseAsync();

        // Another computer: no cookie, no storage, only the personal link.
        var (second, page2) = await site.NewPageAsync();
        await using var _ = second;
        person = new Respondent(page2, site.Open);
        await person.OpenAsync($"/a/{token}");
        await person.PressAsync("続きから回答する");
        foreach (var section in firstTwo)
        {
            await person.AssertPageHoldsAsync(section, original.Answers);
            await person.AssertSkipRulesAsync(section, original.Answers);
            await person.PressAsync("次へ");
        }
        foreach (var section in Sc3.Pages.Skip(firstTwo.Count))
        {
            await person.AnswerSectionAsync(section, original.Answers);
            await person.PressAsync(section == Sc3.Pages[^1] ? "確認画面へ" : "次へ");
        }
        var before = Now(site.Open);
        await person.PressAsync("回答を送信する");
        var after = Now(site.Open);
        Assert.Equal("S16-1", await person.TextAsync("#receipt-number"));
        Export.AssertSameAnswers(await Export.RunCliAsync(site.Open), "S16", "R16", before, after);
    }

    [Fact]
    public async Task PercentagesNotAddingUpTo100_ShowErrorAndKeepEveryAnswer()
    {
        var answers = (Answer[])Sc3.Respondent("R07").Answers.Clone();
        var split = Survey["1-4"];
        answers[split.Index] = Answer.Split([60m, 30m, 0m]); // 90%
        var token = await site.Open.InviteAsync();
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}/s/1");
        var section = Sc3.Pages[0];
        await person.AnswerSectionAsync(section, answers);
        Assert.Contains("90", await person.TextAsync($"#{split.ColumnName}-sum"));

        var response = await person.PressAsync("次へ");
        Assert.Equal(422, (int)response.Status);
        Assert.Equal($"{section.Section.Id} {section.Section.Title}", await person.HeadingAsync());
        Assert.Contains("合計が 90% です", await person.TextAsync("#error-summary"));
        Assert.Equal("error-summary", await page.EvaluateExpressionAsync<string>("document.activeElement.id"));
        Assert.Contains("合計が 90% です", await person.TextAsync($"#item-{split.ColumnName} .field-error"));
        Assert.Equal("true", await page.EvaluateExpressionAsync<string>(
            $"document.getElementById('{split.ColumnName}_a').getAttribute('aria-invalid')"));
        await person.AssertPageHoldsAsync(section, answers);

        // The link in the summary takes the person to the field; correcting it lets them go on.
        await page.ClickAsync("#error-summary a");
        await page.WaitForFunctionAsync($"() => document.activeElement && document.activeElement.id === '{split.ColumnName}_a'");
        await page.ClickAsync($"#{split.ColumnName}_c", new PuppeteerSharp.Input.ClickOptions { Count = 3 });
        await page.Keyboard.TypeAsync("10");
        response = await person.PressAsync("次へ");
        Assert.True(response.Ok);
        Assert.Equal($"{Survey.Sections[1].Id} {Survey.Sections[1].Title}", await person.HeadingAsync());
        await person.PressAsync("戻る");
        answers[split.Index] = Answer.Split([60m, 30m, 10m]);
        await person.AssertPageHoldsAsync(section, answers);
    }

    [Fact]
    public async Task ChangingAnAnswer_ShowsAndHidesTheFollowUpQuestions()
    {
        var token = await site.Open.InviteAsync();
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}/s/4");
        var (reason, other) = (Survey["4-1-b"], Survey["4-1-c"]);
        Assert.False(await person.IsShownAsync(reason));
        Assert.False(await person.IsShownAsync(other));

        await page.ClickAsync("label[for='q4_1_a-2']"); // 意向無し → the reason is asked
        Assert.True(await person.IsShownAsync(reason));
        Assert.False(await person.IsShownAsync(other));
        await page.ClickAsync("label[for='q4_1_b']");
        await page.Keyboard.TypeAsync("予算がないため");

        await page.ClickAsync("label[for='q4_1_a-3']"); // その他 → the detail instead
        Assert.False(await person.IsShownAsync(reason));
        Assert.True(await person.IsShownAsync(other));

        await page.ClickAsync("label[for='q4_1_a-1']"); // 意向あり → neither
        Assert.False(await person.IsShownAsync(reason));
        Assert.False(await person.IsShownAsync(other));

        // The reason typed while it was asked is not kept once it no longer applies.
        await person.PressAsync("確認画面へ");
        Assert.Equal("回答内容の確認", await person.HeadingAsync());
        Assert.DoesNotContain("予算がないため", await person.TextAsync(".sheet"));
    }
}

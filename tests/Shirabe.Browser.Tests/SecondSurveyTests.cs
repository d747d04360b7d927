using Microsoft.Extensions.DependencyInjection;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Respond;

namespace Shirabe.Browser.Tests;

/// <summary>
/// The second questionnaire (tests/surveys/member-self-assessment: other codes, a section of two pages, skip rules
/// across pages, one-line and multi-line text boxes) answered in Chromium as its respondents did, checked through
/// `shirabe export`. Nothing in the application knows this survey.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SecondSurveyTests(ShirabeSite site)
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "test-surveys", "member-self-assessment");
    private static readonly string Responses = Path.Combine(Dir, "responses.csv");
    private static readonly DateTimeOffset InJune = new(2024, 6, 15, 10, 0, 0, TimeSpan.FromHours(9));

    /// <summary>M01 (skip rules met: C1 asked, B4b not; a two-line answer) and M02 (B3 and B4b asked, C1 not).</summary>
    [Fact]
    public async Task AnsweringEveryPageAsItsRespondents_ExportGivesBackTheirRows()
    {
        await using var server = await ShirabeServer.StartAsync(InJune, Dir);
        var survey = server.Services.GetRequiredService<Shirabe.Surveys.ServedSurvey>().Survey;
        Assert.Equal("member-self-assessment", survey.Id);
        List<Response> rows;
        using (var s = File.OpenRead(Responses)) rows = ResponsesCsv.Read(s, survey).ToList();
        var pages = FormPages.Of(survey);
        Assert.Equal(4, pages.Count);

        foreach (var id in new[] { "M01", "M02" })
        {
            var original = rows.Single(r => r.Id == id);
            var token = await server.InviteAsync(id, "招待時の社名");
            var (context, page) = await site.NewPageAsync();
            await using var _ = context;
            var person = new Respondent(page, server);
            await person.OpenAsync($"/a/{token}");
            await person.PressAsync("回答を始める");
            foreach (var formPage in pages)
            {
                Assert.Equal($"{formPage.Section.Id} {formPage.Section.Title}", await person.HeadingAsync());
                await person.AnswerSectionAsync(formPage, original.Answers);
                var response = await person.PressAsync(formPage == pages[^1] ? "確認画面へ" : "次へ");
                Assert.True(response.Ok, $"{formPage.Path}: {response.Status}");
            }
            Assert.Equal("回答内容の確認", await person.HeadingAsync());
            var before = server.Services.GetRequiredService<TimeProvider>().GetUtcNow();
            await person.PressAsync("回答を送信する");
            var after = server.Services.GetRequiredService<TimeProvider>().GetUtcNow();
            Assert.Equal("回答を受け付けました", await person.HeadingAsync());

            Export.AssertSameAnswers(await Export.RunCliAsync(server, Dir), id, id, before, after, Responses);
        }
    }
}

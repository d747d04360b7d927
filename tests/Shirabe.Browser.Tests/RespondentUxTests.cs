using PuppeteerSharp;
using PuppeteerSharp.Media;
using Shirabe.Respond;

namespace Shirabe.Browser.Tests;

/// <summary>What tripped people up in the usability walkthrough (issue 8, items 1–6), checked as a person sees it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RespondentUxTests(ShirabeSite site)
{
    private static Task<bool> VisibleAsync(IPage page, string selector) => page.EvaluateFunctionAsync<bool>(
        "s => { const e = document.querySelector(s); return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'; }",
        selector);

    [Fact]
    public async Task ThePrintableViews_OnScreenKeepTheirButtonsAndLinks_AndHideThemInPrint()
    {
        var token = await site.Open.InviteAsync();
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);

        await person.OpenAsync("/survey/blank");
        Assert.True(await VisibleAsync(page, "a[href^='/survey/blank.pdf']"), "PDF のリンクが画面に見えません。");
        Assert.True(await VisibleAsync(page, "button[data-print]"), "「印刷する」が画面に見えません。");
        await person.OpenAsync($"/a/{token}/print?draft=true");
        Assert.True(await VisibleAsync(page, $"a[href='/a/{token}']"), "戻るリンクが画面に見えません。");
        Assert.True(await VisibleAsync(page, "button[data-print]"));
        Assert.Contains("ブラウザーの印刷機能", await person.TextAsync("main"));

        // On paper: no buttons, no links back, no site header; the print style sheet applies.
        await page.EmulateMediaTypeAsync(MediaType.Print);
        Assert.False(await VisibleAsync(page, "button[data-print]"));
        Assert.False(await VisibleAsync(page, $"a[href='/a/{token}']"));
        Assert.False(await VisibleAsync(page, ".site-header"));
        Assert.Equal("20px", await page.EvaluateExpressionAsync<string>("getComputedStyle(document.querySelector('.print h1')).fontSize")); // 15pt
    }

    [Fact]
    public async Task ThePdfDocument_UsesThePrintStyles()
    {
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        // The PDFs are rendered from this HTML with print.css inlined, whatever the media.
        var css = await File.ReadAllTextAsync(Path.Combine(ShirabePaths.Root, "src", "Shirabe", "wwwroot", "css", "print.css"));
        await page.SetContentAsync(await (await PrintDocument.BlankAsync(Sc3.Survey)).ToHtmlAsync(css));
        await page.EmulateMediaTypeAsync(MediaType.Print);
        Assert.Equal("20px", await page.EvaluateExpressionAsync<string>("getComputedStyle(document.querySelector('h1')).fontSize"));
        Assert.Equal("avoid", await page.EvaluateExpressionAsync<string>("getComputedStyle(document.querySelector('.sheet-question')).breakInside"));
    }

    [Fact]
    public async Task TheReview_PointsOutUnansweredQuestions_AndTheLandingPageSaysNotSent()
    {
        var token = await site.Open.InviteAsync();
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}/s/1");
        await page.ClickAsync("label[for='q1_1_a']");
        await page.Keyboard.TypeAsync("山田 太郎");
        await person.PressAsync("一時保存");

        await person.OpenAsync($"/a/{token}");
        Assert.Contains("まだ送信されていません", await person.TextAsync("#not-sent"));
        await person.PressAsync("回答内容を確認する");
        var notice = await person.TextAsync("#unanswered");
        Assert.Matches("未回答の設問が \\d+ 件あります。", notice);
        Assert.Contains("このまま送信することもできます", notice);

        // The list opens and each entry leads to the question on its page.
        await page.ClickAsync("#unanswered summary");
        var navigation = page.WaitForNavigationAsync();
        await page.ClickAsync($"#unanswered a[href$='#item-q2_9_a']");
        await navigation;
        Assert.EndsWith("/s/2/3#item-q2_9_a", page.Url);
        Assert.True(await person.IsShownAsync(Sc3.Survey["2-9-a"]));
    }

    [Fact]
    public async Task SavingAPageWithOneWrongField_SavesTheRestAndSaysWhichWasNot()
    {
        var token = await site.Open.InviteAsync();
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}/s/1");
        await page.ClickAsync("label[for='q1_2_b']");
        await page.Keyboard.TypeAsync("事務局長");
        await page.ClickAsync("label[for='q1_4_a']");
        await page.Keyboard.TypeAsync("50"); // 50% alone: does not add up to 100

        var response = await person.PressAsync("一時保存");
        Assert.Equal(422, (int)response.Status);
        var summary = await person.TextAsync("#error-summary");
        Assert.Contains("下の 1 件以外（7 件）は保存しました。下の 1 件は保存されていません。", summary);
        Assert.Contains("設問 1-4", summary);
        Assert.Equal("50", await page.EvaluateExpressionAsync<string>("document.getElementById('q1_4_a').value"));

        // Leaving and coming back: the job title was saved; the wrong percentage was not.
        await person.OpenAsync($"/a/{token}/s/1");
        Assert.Equal("事務局長", await page.EvaluateExpressionAsync<string>("document.getElementById('q1_2_b').value"));
        Assert.Equal("", await page.EvaluateExpressionAsync<string>("document.getElementById('q1_4_a').value"));
    }

    [Fact]
    public async Task TheStepIndicator_ShowsRealStates_AndTakesThePersonToAnySection()
    {
        var token = await site.Open.InviteAsync();
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}/s/1");
        Assert.Equal(4, await page.EvaluateExpressionAsync<int>(
            "[...document.querySelectorAll('.progress .step-state')].filter(e => e.textContent === '未回答').length"));

        await page.ClickAsync("label[for='q1_3-2']");
        await person.PressAsync("3 ガイドラインの認知 未回答"); // saves page 1 on the way
        Assert.Equal("3 ガイドラインの認知", await person.HeadingAsync());
        Assert.Equal("済", await person.TextAsync(".progress li:nth-child(1) .step-state"));
        Assert.Equal("未回答", await person.TextAsync(".progress li:nth-child(2) .step-state"));
        Assert.Equal("step", await page.EvaluateExpressionAsync<string>(
            "document.querySelector('.progress li:nth-child(3) .step').getAttribute('aria-current')"));

        await person.PressAsync("確認・送信");
        Assert.Equal("回答内容の確認", await person.HeadingAsync());
        await person.PressAsync("2 活動状況 未回答");
        Assert.Equal("2 活動状況", await person.HeadingAsync());
    }

    [Fact]
    public async Task AQuestionWhoseItemsAreAllSkipped_DisappearsWithItsHeading()
    {
        var token = await site.Open.InviteAsync();
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}/s/3");
        Assert.False(await VisibleAsync(page, "#question-3-2"), "3-1 が未回答なのに 3-2 の見出しが見えます。");

        await page.ClickAsync("label[for='q3_1-1']"); // 認知している → 3-2 is asked
        Assert.True(await VisibleAsync(page, "#question-3-2 h2"));
        await page.ClickAsync("label[for='q3_1-3']"); // 初めて知った → not asked: heading and all
        Assert.False(await VisibleAsync(page, "#question-3-2"));
        Assert.DoesNotContain("設問 3-2", await page.EvaluateExpressionAsync<string>("document.querySelector('form').innerText"));

        await person.OpenAsync($"/a/{token}/s/4");
        Assert.DoesNotContain("次へ", await person.TextAsync("main"));
    }

    [Fact]
    public async Task ReviewAndPrint_SayTheSameForSkippedAndBlankItems_AndTheNameIsPrefilled()
    {
        var token = await site.Open.InviteAsync(name: "一般社団法人ブラウザ試験協会");
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}/s/1");
        Assert.Equal("一般社団法人ブラウザ試験協会", await page.EvaluateExpressionAsync<string>("document.getElementById('q1_2_a').value"));
        await page.ClickAsync("label[for='q1_2_a']");
        await person.SelectAllAsync();
        await page.Keyboard.TypeAsync("ブラウザ試験協会"); // editable
        await person.PressAsync("一時保存");

        await person.OpenAsync($"/a/{token}/s/4");
        await page.ClickAsync("label[for='q4_1_a-1']"); // 意向あり: 4-1-b and 4-1-c are not asked
        await person.PressAsync("確認画面へ");
        var review = await SheetLinesAsync(page);
        await person.OpenAsync($"/a/{token}/print?draft=true");
        var print = await SheetLinesAsync(page);

        Assert.Equal(review, print);
        Assert.Contains("1-2-a) 団体名・協会名 → ブラウザ試験協会", print);
        Assert.Contains("4-1-b) 意向無しの場合の理由 → （対象外）", print);
        Assert.Contains("4-1-c) その他の詳細 → （対象外）", print);
        Assert.Contains("1-2-b) 役職 → （無回答）", print);
    }

    /// <summary>Each answer of the sheet as "label → answer", as read on the screen.</summary>
    private static Task<string[]> SheetLinesAsync(IPage page) => page.EvaluateExpressionAsync<string[]>(
        "[...document.querySelectorAll('.sheet dt')].map(dt => dt.innerText.trim() + ' → ' + dt.nextElementSibling.innerText.trim())");
}

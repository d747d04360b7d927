using PuppeteerSharp;
using Shirabe.Core.Questionnaire;
using Shirabe.Respond;

namespace Shirabe.Browser.Tests;

/// <summary>
/// Every page a respondent can reach, in the states they can see it: the wrong-link page, the landing page, each
/// section page (fresh and with a validation error shown), the review, the receipt, the printable view, the blank
/// questionnaire, the notice on personal data, the read-only view after the close and the page before the opening. Calls
/// <paramref name="check"/> on each, with a name for failure messages.
/// </summary>
public static class PageTour
{
    public static async Task VisitEveryPageAsync(ShirabeSite site, IPage page, Func<string, Task> check)
    {
        var survey = Sc3.Survey;
        var open = new Respondent(page, site.Open);

        await open.OpenAsync("/a/AAAAAAAAAAAAAAAAAAAAAAAA", 404);
        await check("誤ったリンク（404）");
        await open.OpenAsync("/");
        await check("トップ");

        var token = await site.Open.InviteAsync();
        await open.OpenAsync($"/a/{token}");
        await check("ご案内（受付期間中）");
        foreach (var section in Sc3.Pages)
        {
            await open.OpenAsync($"/a/{token}{section.Path}");
            await check($"ページ {section.Path}");
            await MakeErrorAsync(page, section);
            var response = await open.PressAsync(section == Sc3.Pages[^1] ? "確認画面へ" : "次へ");
            Assert.Equal(422, (int)response.Status);
            Assert.NotNull(await page.QuerySelectorAsync("#error-summary"));
            await check($"ページ {section.Path}（入力エラー表示）");
            // Correct it (empty the field) and go on: the page is saved and the next one (or the review) opens.
            await page.EvaluateFunctionAsync("id => { document.getElementById(id).value = ''; }", ErrorField(section));
            response = await open.PressAsync(section == Sc3.Pages[^1] ? "確認画面へ" : "次へ");
            Assert.True(response.Ok, $"{section.Path}: {response.Status}");
        }
        Assert.Equal("回答内容の確認", await open.HeadingAsync());
        await check("確認画面");
        await open.PressAsync("回答を送信する");
        Assert.NotNull(await page.QuerySelectorAsync("#receipt-number"));
        await check("受付完了");
        await open.OpenAsync($"/a/{token}/print");
        await check("印刷用表示（提出済み）");
        await open.OpenAsync($"/a/{token}");
        await check("ご案内（提出済み）");
        await open.OpenAsync("/survey/blank");
        await check("白紙の調査票");
        await open.OpenAsync("/survey/privacy");
        await check("個人情報の取扱い");

        var closed = new Respondent(page, site.Closed);
        await closed.OpenAsync($"/a/{site.ClosedSubmittedToken}");
        Assert.Contains("変更はできません", await closed.TextAsync("main"));
        await check("受付終了後の回答表示（読み取り専用）");
        await closed.OpenAsync($"/a/{site.ClosedSubmittedToken}/print");
        await check("受付終了後の印刷用表示");

        var notYet = new Respondent(page, site.NotYetOpen);
        await notYet.OpenAsync($"/a/{await site.NotYetOpen.InviteAsync()}");
        Assert.Contains("から始まります", await notYet.TextAsync("main"));
        await check("受付開始前");
    }

    /// <summary>
    /// Enters something the server refuses on a section page: on page 1 percentages that do not add up to 100; on the
    /// others a text longer than 4,000 characters (what a browser without maxlength would send).
    /// </summary>
    private static async Task MakeErrorAsync(IPage page, FormPage section)
    {
        if (section.Section.Id == "1")
        {
            await page.ClickAsync("label[for='q1_4_a']");
            await page.Keyboard.TypeAsync("50");
            return;
        }
        if (section.Section.Id == "3")
        {
            await page.ClickAsync("label[for='q3_1-1']");
            await page.ClickAsync("label[for='q3_2_a-5']");
        }
        await page.EvaluateFunctionAsync(@"id => { const t = document.getElementById(id);
            t.removeAttribute('maxlength'); t.value = 'あ'.repeat(4001); }", ErrorField(section));
    }

    private static string ErrorField(FormPage section) => section.Section.Id == "1" ? "q1_4_a"
        : Respondent.ItemsOf(section).Last(i => i.Kind == ItemKind.Text && i.ShowIf is null || i.Code == "3-2-b").ColumnName;
}

using System.Net;
using System.Text.RegularExpressions;

namespace Shirabe.Tests;

/// <summary>
/// What a respondent is told and where they can go (issue 8): pages of a long section, the step indicator's states,
/// unanswered items on the review, partly saved pages, one wording for 対象外, the organisation's name pre-filled.
/// </summary>
public class QuestionnaireUxTests
{
    private static readonly (string, string)[] Page1 =
    [
        ("q1_1_a", "山田 太郎"), ("q1_1_b", "ヤマダ タロウ"), ("q1_2_a", "一般社団法人テスト工業会"), ("q1_3", "4"),
        ("q1_4_a", "60"), ("q1_4_b", "40"), ("q1_4_c", "0"), ("q1_5_a", "70"), ("q1_5_b", "20"), ("q1_5_c", "10"), ("q1_6", "5"),
    ];

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ALongSection_IsSplitIntoPagesThatFollowEachOther(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();

        var first = await client.GetStringAsync($"/a/{token}/s/2");
        Assert.Contains("ページ 2 / 6", first);
        Assert.Contains("このセクションの 1 / 3 ページ目です。", first);
        Assert.Contains("name=\"q2_1_a\"", first);
        Assert.DoesNotContain("name=\"q2_5_a\"", first);
        Assert.DoesNotContain("name=\"q2_9_a\"", first);
        var third = await client.GetStringAsync($"/a/{token}/s/2/3");
        Assert.Contains("ページ 4 / 6", third);
        Assert.Contains("name=\"q2_9_a\"", third);
        Assert.Contains("name=\"q2_14\"", third);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/a/{token}/s/2/4")).StatusCode);

        Assert.Equal($"/a/{token}/s/2/2", (await TestApp.PostSectionAsync(client, token, "2", [("q2_1_a", "3")])).Headers.Location?.OriginalString);
        Assert.Equal($"/a/{token}/s/3", (await TestApp.PostSectionAsync(client, token, "2/3", [("q2_9_a", "1")])).Headers.Location?.OriginalString);
        Assert.Equal($"/a/{token}/s/2/3", (await TestApp.PostSectionAsync(client, token, "3", [], "back")).Headers.Location?.OriginalString);
        var draft = await app.DraftAsync("T01");
        Assert.Equal("3", draft!["q2_1_a"]);
        Assert.Equal("1", draft["q2_9_a"]);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheStepIndicator_ShowsEachSectionsRealStateAndGoesAnywhere(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();

        var fresh = await client.GetStringAsync($"/a/{token}/s/2");
        Assert.Equal(4, Regex.Count(fresh, "class=\"step-state\">未回答<"));

        // A blank page saved is still 未回答; an answered section with every page saved is 済; part of one is 回答中.
        await TestApp.PostSectionAsync(client, token, "1", Page1);
        await TestApp.PostSectionAsync(client, token, "3", []);
        await TestApp.PostSectionAsync(client, token, "2", [("q2_1_a", "2")]);
        var html = await client.GetStringAsync($"/a/{token}/s/4");
        Assert.Matches("1 回答者情報 <span class=\"step-state\">済</span>", html);
        Assert.Matches("2 活動状況 <span class=\"step-state\">回答中</span>", html);
        Assert.Matches("3 ガイドラインの認知 <span class=\"step-state\">未回答</span>", html);
        // Every step is a submit button of the page's form: going there saves this page first.
        Assert.Matches("<button type=\"submit\" form=\"answers\" name=\"action\" value=\"go:3\"", html);
        var go = await TestApp.PostSectionAsync(client, token, "4", [("q4_2", "1")], "go:3");
        Assert.Equal($"/a/{token}/s/3", go.Headers.Location?.OriginalString);
        Assert.Equal("1", (await app.DraftAsync("T01"))!["q4_2"]);
        // Outside the form (review) the steps are links.
        Assert.Contains($"<a class=\"step\" href=\"/a/{token}/s/2\">", await client.GetStringAsync($"/a/{token}/review"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheReview_CountsUnansweredItemsWithLinks_AndStillSubmits(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", Page1);
        await TestApp.PostSectionAsync(client, token, "3", [("q3_1", "3")]);

        var html = await client.GetStringAsync($"/a/{token}/review");

        // Asked and blank: every item but the 7 answered on page 1, 3-1, and those hidden by a skip rule
        // (2-12, 2-13-a, 2-13-b, 2-14, 3-2-a, 3-2-b, 4-1-b, 4-1-c, 4-3-b, 4-3-c, 4-4-b, 4-4-c).
        var expected = app.Survey.Items.Count - 7 - 1 - 12;
        Assert.Contains($"未回答の設問が {expected} 件あります。", html);
        Assert.Contains($"href=\"/a/{token}/s/1#item-q1_2_b\"", html);
        Assert.Contains($"href=\"/a/{token}/s/2/3#item-q2_9_a\"", html);
        Assert.DoesNotContain("#item-q1_1_a\"", html);
        Assert.DoesNotContain("#item-q3_2_a\"", html); // not asked: not unanswered
        Assert.Equal($"/a/{token}/thanks", (await TestApp.SubmitAsync(client, token)).Headers.Location?.OriginalString);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheLandingPageOfADraft_SaysItIsNotSentYet(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        Assert.DoesNotContain("まだ送信されていません", await client.GetStringAsync($"/a/{token}"));

        await TestApp.PostSectionAsync(client, token, "1", Page1, "save");
        Assert.Contains("まだ送信されていません", await client.GetStringAsync($"/a/{token}"));

        await TestApp.SubmitAsync(client, token);
        Assert.DoesNotContain("まだ送信されていません", await client.GetStringAsync($"/a/{token}"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ItemsHiddenBySkipRules_ReadNotAskedOnReviewPrintAndReadOnlyViewAlike(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        // 4-1-a = 1: 4-1-b (a text item, stored empty) is not asked; 4-2 is asked and left blank.
        await TestApp.PostSectionAsync(client, token, "4", [("q4_1_a", "1")]);
        await TestApp.SubmitAsync(client, token);

        foreach (var path in new[] { "/review", "/print", "/print?draft=true" })
        {
            var html = await client.GetStringAsync($"/a/{token}{path}");
            Assert.Contains("<dt>4-1-b) 意向無しの場合の理由</dt><dd><span class=\"muted not-asked\">（対象外）</span>", html);
            Assert.Matches("設問 4-2\\).*?<dd><span class=\"muted no-answer\">（無回答）</span>", html);
        }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheOrganisationItem_StartsWithTheInvitedName_AndKeepsWhatIsSaved(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync(name: "一般社団法人日本試験協会");
        var client = app.Client();

        Assert.Contains("id=\"q1_2_a\" value=\"一般社団法人日本試験協会\"", await client.GetStringAsync($"/a/{token}/s/1"));

        await TestApp.PostSectionAsync(client, token, "1", [("q1_2_a", "日本試験協会 本部")]);
        Assert.Contains("id=\"q1_2_a\" value=\"日本試験協会 本部\"", await client.GetStringAsync($"/a/{token}/s/1"));
        await TestApp.PostSectionAsync(client, token, "1", [("q1_2_a", "")]);
        Assert.Contains("id=\"q1_2_a\" value=\"\"", await client.GetStringAsync($"/a/{token}/s/1"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheButtonHint_NamesOnlyTheButtonsOfThePage(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();

        var last = await client.GetStringAsync($"/a/{token}/s/4");
        Assert.DoesNotContain("次へ", last);
        Assert.Contains("「戻る」「一時保存」「確認画面へ」", last);
        Assert.Contains("「戻る」「一時保存」「次へ」", await client.GetStringAsync($"/a/{token}/s/3"));
    }

    [Fact]
    public async Task ThePrintStyleSheet_IsForPrintOnly()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        var token = await app.InviteAsync();
        var client = app.Client();
        foreach (var path in new[] { "/survey/blank", $"/a/{token}/print?draft=true" })
        {
            var html = await client.GetStringAsync(path);
            Assert.Contains("<link rel=\"stylesheet\" href=\"/css/print.css\" media=\"print\">", html);
            Assert.DoesNotMatch("href=\"/css/print.css\">", html);
        }
    }
}

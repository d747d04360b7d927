using System.Net;
using System.Text;

namespace Shirabe.Tests;

/// <summary>Posts a browser would not send: each gets a 4xx with a clear message and changes nothing.</summary>
public class TamperedPostTests
{
    private static readonly (string, string)[] ValidPage1 =
    [
        ("q1_1_a", "山田 太郎"), ("q1_3", "2"), ("q1_4_a", "60"), ("q1_4_b", "40"), ("q1_4_c", "0"),
    ];

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SubmittingWithSumNot100_ShowsErrorAndKeepsAnswers(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();

        var response = await TestApp.PostSectionAsync(client, token, "1",
            [("q1_1_a", "山田 太郎"), ("q1_3", "4"), ("q1_4_a", "50"), ("q1_4_b", "30"), ("q1_4_c", "10")]);

        var html = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, response);
        Assert.Contains("入力内容を確認してください", html);
        Assert.Contains("合計が 90% です。合計が 100% になるように入力してください。", html);
        Assert.Contains("href=\"#q1_4_a\"", html); // the summary links to the field
        Assert.Contains("id=\"q1_4_a\" value=\"50\"", html);
        Assert.Contains("id=\"q1_4_c\" value=\"10\"", html);
        Assert.Contains("value=\"山田 太郎\"", html);
        Assert.Matches("id=\"q1_3-4\" value=\"4\" checked", html);
        // The other answers of the page are saved; the wrong one is not, and the page says so.
        Assert.Contains("下の 1 件以外（7 件）は保存しました。下の 1 件は保存されていません。", html);
        var draft = await app.DraftAsync("T01");
        Assert.Equal("山田 太郎", draft!["q1_1_a"]);
        Assert.Equal("4", draft["q1_3"]);
        Assert.False(draft.ContainsKey("q1_4_a"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PostingAnUnknownOption_Returns422AndDoesNotSaveIt(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();

        var response = await TestApp.PostSectionAsync(app.Client(), token, "1", [("q1_3", "9")]);

        var html = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, response);
        Assert.Contains("選択肢 9 はありません（1、2、3、4、5、6 から選んでください）", html);
        Assert.False((await app.DraftAsync("T01"))!.ContainsKey("q1_3"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PostingAValueOutOfRange_Returns422AndDoesNotSaveIt(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();

        var percent = await TestApp.PostSectionAsync(client, token, "1", [("q1_4_a", "150"), ("q1_4_b", "-50"), ("q1_4_c", "0")]);
        var html = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, percent);
        Assert.Contains("0 から 100 までの数字", html);

        var matrix = await TestApp.PostSectionAsync(client, token, "2", [("q2_1_a", "4")]);
        html = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, matrix);
        Assert.Contains("選択肢 4 はありません", html);

        var notANumber = await TestApp.PostSectionAsync(client, token, "1", [("q1_3", "1 OR 1=1")]);
        await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, notANumber);
        var draft = await app.DraftAsync("T01");
        // Only the wrong values are refused: the later blank posts of page 1 saved blanks, never 150, -50 or the injection.
        Assert.False(draft!.ContainsKey("q2_1_a"));
        Assert.Equal(["", "", "", ""], new[] { draft["q1_4_a"], draft["q1_4_b"], draft["q1_4_c"], draft["q1_3"] });
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnsweringASkippedItem_Returns422WithTheRuleAndDoesNotSaveIt(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();

        // 4-1-b is asked only when 4-1-a is 2 (意向無し).
        var response = await TestApp.PostSectionAsync(app.Client(), token, "4", [("q4_1_a", "1"), ("q4_1_b", "理由")], "review");

        var html = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, response);
        Assert.Contains("この設問は回答の対象外です（設問 4-1-a で「作成/改訂の意向無し」を選んだ場合にお答えください）", html);
        Assert.Contains(">理由</textarea>", html);
        var draft = await app.DraftAsync("T01");
        Assert.Equal("1", draft!["q4_1_a"]);
        Assert.False(draft.ContainsKey("q4_1_b"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Posting100KbOfText_Returns422AndDoesNotSaveIt(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();

        var response = await TestApp.PostSectionAsync(app.Client(), token, "2", [("q2_2", new string('あ', 34_000))]);

        var html = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, response);
        Assert.Contains("34,000 文字入力されています。4,000 文字以内で入力してください。", html);
        Assert.False((await app.DraftAsync("T01"))!.ContainsKey("q2_2"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PostingInvalidUtf8_Returns400AndSavesNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        var csrf = await TestApp.CsrfTokenAsync(client, $"/a/{token}/s/1");

        var body = $"q1_1_a=%E5%B1%B1%FF%FE&action=next&__RequestVerificationToken={Uri.EscapeDataString(csrf)}";
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        var response = await client.PostAsync($"/a/{token}/s/1", content);

        var html = await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Contains("文字化けした文字（不正な UTF-8）", html);
        Assert.Null(await app.DraftAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PostingWithoutCsrfToken_Returns400AndKeepsWhatWasTyped(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();

        var response = await TestApp.PostSectionAsync(app.Client(), token, "1", [("q1_1_a", "山田 太郎")], csrf: false);

        var html = await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Contains("まだ保存されていません。入力内容はこのとおり残っています", html);
        Assert.Contains("value=\"山田 太郎\"", html);
        Assert.Matches("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"[^\"]+\"", html); // a fresh token to retry with
        Assert.Null(await app.DraftAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PostingWithAStaleCsrfToken_Returns400AndSavesNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        // The form token of an earlier browser session: its cookie is gone (expired session, other browser).
        var stale = await TestApp.CsrfTokenAsync(app.Client(), $"/a/{token}/s/1");
        var client = app.Client();
        await client.GetAsync($"/a/{token}/s/1");

        var response = await client.PostAsync($"/a/{token}/s/1", new FormUrlEncodedContent(
            [new("q1_1_a", "山田"), new("action", "next"), new("__RequestVerificationToken", stale)]));

        await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Null(await app.DraftAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PostingWithAnotherAssociationsCsrfToken_Returns400AndChangesNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var mine = await app.InviteAsync("T01", "協会A");
        var theirs = await app.InviteAsync("T02", "協会B");
        var client = app.Client();
        // A form token issued on association A's page, replayed (same cookie) against association B's link.
        var csrf = await TestApp.CsrfTokenAsync(client, $"/a/{mine}/s/1");

        var response = await client.PostAsync($"/a/{theirs}/s/1", new FormUrlEncodedContent(
            [new("q1_1_a", "乗っ取り"), new("action", "next"), new("__RequestVerificationToken", csrf)]));

        await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Null(await app.DraftAsync("T01"));
        Assert.Null(await app.DraftAsync("T02"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SubmittingWithoutCsrfToken_Returns400AndCreatesNoSubmission(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", ValidPage1);

        var response = await client.PostAsync($"/a/{token}/review", new FormUrlEncodedContent([new("draftVersion", "1")]));

        await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        Assert.Empty(await app.SubmissionsAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PostingWithAWrongLink_Returns404AndChangesNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.InviteAsync();
        var client = app.Client();

        var response = await client.PostAsync("/a/AAAAAAAAAAAAAAAAAAAAAAAA/s/1", new FormUrlEncodedContent([new("q1_1_a", "x")]));

        var html = await HttpAssert.StatusAsync(HttpStatusCode.NotFound, response);
        Assert.Contains("リンクが正しくないか、有効期限が切れています", html);
        Assert.Null(await app.DraftAsync("T01"));
    }
}

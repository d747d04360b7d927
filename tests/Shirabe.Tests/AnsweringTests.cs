using System.Net;

namespace Shirabe.Tests;

/// <summary>The respondent's way through the questionnaire: drafts, resuming, review, submission, reopening, the period.</summary>
public class AnsweringTests
{
    internal static readonly (string, string)[] Page1 =
    [
        ("q1_1_a", "山田 太郎"), ("q1_1_b", "ヤマダ タロウ"), ("q1_2_a", "一般社団法人テスト工業会"), ("q1_3", "4"),
        ("q1_4_a", "６０"), ("q1_4_b", "40%"), ("q1_4_c", "0"), ("q1_5_a", "70"), ("q1_5_b", "20.5"), ("q1_5_c", "9.5"), ("q1_6", "5"),
    ];

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SavingAPage_StoresCanonicalCellsAndResumesOnAnotherDevice(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();

        var response = await TestApp.PostSectionAsync(app.Client(), token, "1", Page1);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/a/{token}/s/2", response.Headers.Location?.OriginalString);
        var draft = await app.DraftAsync("T01");
        Assert.NotNull(draft);
        Assert.Equal("60", draft["q1_4_a"]); // full-width digits and % are accepted and stored canonically
        Assert.Equal("40", draft["q1_4_b"]);
        Assert.Equal("20.5", draft["q1_5_b"]);
        Assert.Equal("4", draft["q1_3"]);

        // Another device (no cookies) opens the same link: the answers are there.
        var html = await app.Client().GetStringAsync($"/a/{token}/s/1");
        Assert.Contains("value=\"山田 太郎\"", html);
        Assert.Matches("id=\"q1_3-4\" value=\"4\" checked", html);
        Assert.Contains("id=\"q1_4_a\" value=\"60\"", html);
        var start = await app.Client().GetStringAsync($"/a/{token}");
        Assert.Contains("続きから回答する", start);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ButtonsMoveBetweenPagesAndAllSave(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();

        var save = await TestApp.PostSectionAsync(client, token, "2", [("q2_1_a", "3")], "save");
        Assert.Equal($"/a/{token}/s/2?saved=true#main", save.Headers.Location?.OriginalString);
        Assert.Contains("一時保存しました", await client.GetStringAsync($"/a/{token}/s/2?saved=true"));
        var back = await TestApp.PostSectionAsync(client, token, "2", [("q2_1_a", "2")], "back");
        Assert.Equal($"/a/{token}/s/1", back.Headers.Location?.OriginalString);
        var review = await TestApp.PostSectionAsync(client, token, "4", [("q4_2", "1")], "next");
        Assert.Equal($"/a/{token}/review", review.Headers.Location?.OriginalString);

        var draft = await app.DraftAsync("T01");
        Assert.Equal("2", draft!["q2_1_a"]);
        Assert.Equal("1", draft["q4_2"]);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ItemsHiddenBySkipRules_AreStoredAsNotAsked(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();

        await TestApp.PostSectionAsync(client, token, "4", [("q4_1_a", "1"), ("q4_3_a", "2"), ("q4_3_b", "人手不足のため")], "save");
        await TestApp.PostSectionAsync(client, token, "3", [("q3_1", "3")], "save");

        var draft = await app.DraftAsync("T01");
        Assert.Equal("NA", draft!["q3_2_a"]); // 3-1 = 3 (初めて知った): 3-2-a is not asked
        Assert.Equal("", draft["q4_1_b"]);     // a text column holds text only: a hidden text item is empty
        Assert.Equal("人手不足のため", draft["q4_3_b"]);
        Assert.Equal("", draft["q3_3_a"]);   // shown and left blank: 無回答
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ItemsWithConditionsOnTheSamePage_CarryDataAttributesForTheScript(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();

        var html = await app.Client().GetStringAsync($"/a/{token}/s/4");

        Assert.Matches("id=\"item-q4_1_b\"\\s+data-showif-items=\"q4_1_a\" data-showif-codes=\"2\"", html);
        Assert.Contains("※ 設問 4-1-a で「作成/改訂の意向無し」を選んだ場合にお答えください。", html);
        Assert.Contains("<label for=\"q4_1_a-2\">2. 作成/改訂の意向無し</label>", html);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Submitting_CommitsOneSubmissionAndShowsTheReceipt(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", Page1);

        var review = await client.GetStringAsync($"/a/{token}/review");
        Assert.Contains("4. 100社～500社未満", review);
        Assert.Contains($"href=\"/a/{token}/s/2\"", review); // a link back to each section
        var response = await TestApp.SubmitAsync(client, token);

        Assert.Equal($"/a/{token}/thanks", response.Headers.Location?.OriginalString);
        var submission = Assert.Single(await app.SubmissionsAsync("T01"));
        Assert.Equal(1, submission.Version);
        var thanks = await client.GetStringAsync($"/a/{token}/thanks");
        Assert.Contains("回答を受け付けました", thanks);
        Assert.Contains("T01-1", thanks);
        Assert.Contains("2023年11月1日 10:00", thanks);
        Assert.Equal(1, await app.HistoryCountAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SubmittingTwice_DoubleClickOrRetry_CreatesOneSubmission(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", Page1);
        var page = await client.GetStringAsync($"/a/{token}/review");
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", TestApp.CsrfField().Match(page).Groups[1].Value),
            new("draftVersion", TestApp.DraftVersionField().Match(page).Groups[1].Value),
        };

        var both = await Task.WhenAll(
            client.PostAsync($"/a/{token}/review", new FormUrlEncodedContent(form)),
            client.PostAsync($"/a/{token}/review", new FormUrlEncodedContent(form)));
        var retry = await client.PostAsync($"/a/{token}/review", new FormUrlEncodedContent(form));

        foreach (var r in both.Append(retry))
            Assert.Equal($"/a/{token}/thanks", r.Headers.Location?.OriginalString);
        var submission = Assert.Single(await app.SubmissionsAsync("T01"));
        Assert.Equal(1, submission.Version);
        Assert.Equal(1, await app.HistoryCountAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ChangingAnswersAfterSubmitting_KeepsEachVersionInHistory(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", Page1);
        await TestApp.SubmitAsync(client, token);

        Assert.Contains("回答を修正する", await client.GetStringAsync($"/a/{token}"));
        await TestApp.PostSectionAsync(client, token, "1", [.. Page1.Where(f => f.Item1 != "q1_3"), ("q1_3", "5")]);
        Assert.Contains("まだ送信していない変更があります", await client.GetStringAsync($"/a/{token}"));
        await TestApp.SubmitAsync(client, token);

        var submission = Assert.Single(await app.SubmissionsAsync("T01"));
        Assert.Equal(2, submission.Version);
        Assert.Contains("\"q1_3\":\"5\"", submission.Answers);
        Assert.Equal(2, await app.HistoryCountAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SubmittingAnOutdatedReview_Returns409AndKeepsTheEarlierState(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", Page1);
        var page = await client.GetStringAsync($"/a/{token}/review");
        await TestApp.PostSectionAsync(app.Client(), token, "2", [("q2_1_a", "1")]); // a colleague saves meanwhile

        var response = await client.PostAsync($"/a/{token}/review", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", TestApp.CsrfField().Match(page).Groups[1].Value),
            new("draftVersion", TestApp.DraftVersionField().Match(page).Groups[1].Value),
        ]));

        var html = await HttpAssert.StatusAsync(HttpStatusCode.Conflict, response);
        Assert.Contains("送信前に回答が変更されました", html);
        Assert.Empty(await app.SubmissionsAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task BeforeTheSurveyOpens_TheLinkSaysWhenAndRefusesAnswers(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, new DateTimeOffset(2023, 10, 18, 23, 59, 0, TimeSpan.FromHours(9)));
        var token = await app.InviteAsync();
        var client = app.Client();

        Assert.Contains("回答の受付は 2023年10月19日 から始まります", await client.GetStringAsync($"/a/{token}"));
        var section = await client.GetAsync($"/a/{token}/s/1");
        Assert.Equal($"/a/{token}", section.Headers.Location?.OriginalString);
        var post = await client.PostAsync($"/a/{token}/s/1", new FormUrlEncodedContent([new("q1_1_a", "x")]));
        var html = await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, post);
        Assert.Contains("現在、回答を受け付けていません", html);
        Assert.Null(await app.DraftAsync("T01"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AfterTheClose_TheLinkShowsTheAnswersReadOnly(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", Page1);
        var reviewPage = await client.GetStringAsync($"/a/{token}/review");
        await TestApp.SubmitAsync(client, token);
        await TestApp.PostSectionAsync(client, token, "2", [("q2_1_a", "3")], "save");
        var openForm = await client.GetStringAsync($"/a/{token}/s/2");

        app.Clock.Set(new DateTimeOffset(2023, 12, 16, 0, 0, 0, TimeSpan.FromHours(9))); // closes: end of 12-15 in Japan

        var start = await client.GetStringAsync($"/a/{token}");
        Assert.Contains("回答の受付は 2023年12月15日 で終了しました", start);
        Assert.Contains("100社～500社未満", start);
        Assert.DoesNotContain("<form", start);
        var post = await client.PostAsync($"/a/{token}/s/2", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", TestApp.CsrfField().Match(openForm).Groups[1].Value), new("q2_1_a", "1"), new("action", "save")]));
        await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, post);
        var submit = await client.PostAsync($"/a/{token}/review", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", TestApp.CsrfField().Match(reviewPage).Groups[1].Value), new("draftVersion", "2")]));
        await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, submit);
        Assert.Equal("3", (await app.DraftAsync("T01"))!["q2_1_a"]);
        Assert.Equal(1, Assert.Single(await app.SubmissionsAsync("T01")).Version);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnswersAreEscapedWhereverTheyAreShown(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        const string evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
        await TestApp.PostSectionAsync(client, token, "2", [("q2_2", evil)], "save");

        foreach (var path in new[] { "/s/2", "/review", "/print?draft=true" })
        {
            var html = await client.GetStringAsync($"/a/{token}{path}");
            Assert.DoesNotContain("<script>alert", html);
            Assert.DoesNotContain("<img src=x", html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task OneAssociationNeverSeesAnothersAnswers(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var a = await app.InviteAsync("T01", "協会A");
        var b = await app.InviteAsync("T02", "協会B");
        await TestApp.PostSectionAsync(app.Client(), a, "2", [("q2_2", "協会Aだけの秘密")], "save");
        // A's save worked: otherwise B not seeing it would prove nothing.
        foreach (var path in new[] { "/s/2", "/print?draft=true" })
            Assert.Contains("協会Aだけの秘密", await app.Client().GetStringAsync($"/a/{a}{path}"));

        foreach (var path in new[] { "", "/s/2", "/review", "/print", "/print?draft=true" })
        {
            var html = await app.Client().GetStringAsync($"/a/{b}{path}");
            Assert.DoesNotContain("協会Aだけの秘密", html);
        }
    }

    [Fact]
    public async Task TheBlankQuestionnaire_ListsEveryQuestionOfTheSurvey()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);

        var html = await app.Client().GetStringAsync("/survey/blank");

        foreach (var q in app.Survey.Questions)
            Assert.Contains($"設問 {q.Code})", html);
        Assert.Contains("1000社以上", html);
    }

    [Fact]
    [Trait("Needs", "Chromium")] // /usr/bin/chromium or SHIRABE_CHROMIUM: a missing browser fails the test
    public async Task ThePdfOfOwnAnswers_IsRenderedByChromium()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        var token = await app.InviteAsync();
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", Page1);

        var response = await client.GetAsync($"/a/{token}/answers.pdf?draft=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
    }
}

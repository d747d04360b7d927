using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Text.RegularExpressions;

namespace Shirabe.Tests;

/// <summary>
/// The section page written from its per-version template (docs/decisions/067): free text and survey text are encoded
/// exactly once, whether the page is a view or a page sent back with errors.
/// </summary>
public class SectionPageTemplateTests
{
    private const string Markup = "\"><script>alert(\"x\")</script>&'<!--";

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task FreeTextWithMarkupAndQuotes_RoundTripsEncoded(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync(name: "<b>団体</b>\"&'");
        var client = app.Client();

        // A page with an error comes back with what was typed, encoded.
        var invalid = await TestApp.PostSectionAsync(client, token, "1", [("q1_1_b", Markup), ("q1_4_a", "abc")], "save");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        AssertEncoded(await invalid.Content.ReadAsStringAsync(), "q1_1_b");

        // Saved, then viewed: the line input and the text area give back exactly what was typed.
        var saved = await TestApp.PostSectionAsync(client, token, "1", [("q1_1_b", Markup)], "save");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page1 = await client.GetStringAsync($"/a/{token}/s/1");
        AssertEncoded(page1, "q1_1_b");
        Assert.Contains("&lt;b&gt;団体&lt;/b&gt;&quot;&amp;&#x27; 様", page1); // the organisation's name in the lead
        Assert.Equal(Markup, (await app.DraftAsync("T01"))!["q1_1_b"]);

        await TestApp.PostSectionAsync(client, token, "4", [("q4_1_a", "1"), ("q4_3_a", "2"), ("q4_3_b", Markup)], "save");
        var page4 = await client.GetStringAsync($"/a/{token}/s/4");
        var area = Regex.Match(page4, "<textarea name=\"q4_3_b\"[^>]*>([^<]*)</textarea>");
        Assert.True(area.Success, "the text area of 4-3-b is on the page");
        Assert.Equal(Markup, WebUtility.HtmlDecode(area.Groups[1].Value));
        Assert.DoesNotContain("<script>alert", page4);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SurveyTextWithMarkup_IsEncodedOnce(string provider)
    {
        var folder = Directory.CreateTempSubdirectory("shirabe-survey-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2023")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var yaml = Path.Combine(folder, "survey.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace("label: 氏名（フリガナ）", "label: 氏名<i>カナ</i> & \"よみ\""));
        await using var app = await TestApp.StartAsync(provider, survey: folder);
        var token = await app.InviteAsync();

        var html = await app.Client().GetStringAsync($"/a/{token}/s/1");

        Assert.Contains("氏名&lt;i&gt;カナ&lt;/i&gt; &amp; &quot;よみ&quot;", html);
        Assert.DoesNotContain("<i>カナ", html);
        Assert.DoesNotContain("&amp;lt;", html);
    }

    /// <summary>
    /// The respondent's GET is a minimal endpoint (docs/decisions/073): the Razor page's outcomes, headers and error pages,
    /// and a form token its POST accepts.
    /// </summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SectionPageView_KeepsStatusCodesHeadersErrorPagesAndFormToken(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, failedLookups: 4);
        var token = await app.InviteAsync();
        var client = app.Client();

        // HEAD: the page's headers, no OpenedAt (a link scanner is not the respondent).
        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/a/{token}/s/2"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/html; charset=utf-8", head.Content.Headers.ContentType?.ToString());
        await using (var db = app.Db())
            Assert.Null((await db.Invitations.SingleAsync()).OpenedAt);

        var page = await client.GetAsync($"/a/{token}/s/2/2?saved=yes");
        var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, page);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.Equal(Shirabe.Respond.SecurityHeaders.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.DoesNotContain("一時保存しました", html); // ?saved= other than true is false, as the page's bool was bound
        await using (var db = app.Db())
            Assert.NotNull((await db.Invitations.SingleAsync()).OpenedAt);

        // The form token of the page is accepted by its POST (and bound to this link).
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostSectionAsync(client, token, "2", [], "save")).StatusCode);

        // Wrong section or part, unknown link: the Japanese 404 page, no stack trace.
        foreach (var path in new[] { $"/a/{token}/s/99", $"/a/{token}/s/2/9", $"/a/{token}/s/2/0", "/a/unknown000000000000000/s/2" })
        {
            var missing = await HttpAssert.StatusAsync(HttpStatusCode.NotFound, await client.GetAsync(path));
            Assert.Contains("ページが見つかりません", missing);
            Assert.DoesNotContain("Exception", missing);
        }

        // After the period: back to the landing page, which says so.
        app.Clock.Set(TestApp.DuringFieldwork.AddYears(1));
        var closed = await client.GetAsync($"/a/{token}/s/2");
        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        Assert.Equal($"/a/{token}", closed.Headers.Location?.OriginalString);

        // Out of guesses: 429 before any lookup, with its page.
        for (var i = 0; i < 4; i++) await client.GetAsync($"/a/guess{i:D19}/s/2");
        Assert.Contains("しばらくお待ちください", await HttpAssert.StatusAsync(HttpStatusCode.TooManyRequests, await client.GetAsync($"/a/{token}/s/2")));
    }

    private static void AssertEncoded(string html, string column)
    {
        var value = Regex.Match(html, $"<input type=\"text\" name=\"{column}\" id=\"{column}\" value=\"([^\"]*)\"");
        Assert.True(value.Success, $"the input {column} is on the page");
        Assert.Equal(Markup, WebUtility.HtmlDecode(value.Groups[1].Value));
        Assert.DoesNotContain("<script>alert", html);
    }
}

using System.Net;
using Shirabe.Core.Questionnaire;
using Shirabe.Respond;

namespace Shirabe.Tests;

/// <summary>
/// Issue 11 item 8: the survey's notice on personal data (survey.yaml `privacy:`) on the landing page, on its own public
/// page, linked from every respondent page, in the printouts; nothing when the survey has none; escaped as survey data.
/// </summary>
public class PrivacyNoticeTests
{
    private static readonly string SecondSurvey = Path.Combine(AppContext.BaseDirectory, "test-surveys", "member-self-assessment");
    private const string Link = "<a href=\"/survey/privacy?survey=sc3-2023\" id=\"privacy-link\">個人情報の取扱いについて</a>";

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheNotice_IsOnTheLandingPageItsOwnPageAndLinkedFromEveryRespondentPage(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        var notice = app.Survey.Privacy!;

        // The landing page: the purposes and the way to the whole notice, before the way in.
        var start = await client.GetStringAsync($"/a/{token}");
        Assert.Contains("<h2 id=\"privacy-summary-title\">個人情報の取扱いについて</h2>", start);
        Assert.Contains($"<li>{notice.Purposes[0]}</li>", start);
        Assert.True(start.IndexOf("privacy-summary", StringComparison.Ordinal) < start.IndexOf("回答を始める", StringComparison.Ordinal));

        // Its page: public (no token), every part of the notice.
        var page = await client.GetAsync("/survey/privacy");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<h1>個人情報の取扱いについて</h1>", html);
        Assert.Contains($"<dt>個人情報の取扱者</dt><dd>{notice.Handler}</dd>", html);
        foreach (var purpose in notice.Purposes) Assert.Contains($"<li>{purpose}</li>", html);
        Assert.Contains($"<dt>保存期間</dt><dd>{notice.Retention}</dd>", html);
        Assert.Contains($"<dt>第三者への提供</dt><dd>{notice.Sharing}</dd>", html);
        Assert.Contains($"<dt>開示・訂正等のご請求・お問い合わせ</dt><dd>{notice.Contact}</dd>", html);

        // Every respondent page links to it: landing, every questionnaire page, review, print, the blank sheet.
        var paths = new List<string> { $"/a/{token}", $"/a/{token}/review", $"/a/{token}/print?draft=true", "/survey/blank", "/survey/privacy" };
        paths.AddRange(FormPages.Of(app.Survey).Select(p => $"/a/{token}{p.Path}"));
        Assert.Equal(6, paths.Count(p => p.Contains("/s/")));
        foreach (var path in paths)
            Assert.True((await client.GetStringAsync(path)).Contains(Link), path);
        // The 404 page of a wrong link too (it uses the same layout).
        var wrong = await client.GetAsync("/a/AAAAAAAAAAAAAAAAAAAAAAAA");
        Assert.Contains(Link, await wrong.Content.ReadAsStringAsync());

        // The printouts carry the notice itself (on paper a link is no use): the print view, and the PDF's HTML.
        var print = await client.GetStringAsync($"/a/{token}/print?draft=true");
        Assert.Contains("<h2 id=\"privacy-title\">個人情報の取扱いについて</h2>", print);
        var pdfHtml = await (await PrintDocument.BlankAsync(app.Survey)).ToHtmlAsync("");
        Assert.Contains($"<dt>開示・訂正等のご請求・お問い合わせ</dt><dd>{notice.Contact}</dd>", pdfHtml);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ASurveyWithoutANotice_ShowsNothingExtra(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, new DateTimeOffset(2024, 6, 15, 10, 0, 0, TimeSpan.FromHours(9)), survey: SecondSurvey);
        Assert.Null(app.Survey.Privacy);
        var token = await app.InviteAsync("K01", "株式会社テスト製作所");
        var client = app.Client();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/survey/privacy")).StatusCode);
        foreach (var path in new[] { $"/a/{token}", $"/a/{token}/s/A", $"/a/{token}/review", $"/a/{token}/print?draft=true", "/survey/blank" })
        {
            var html = await client.GetStringAsync(path);
            Assert.DoesNotContain("privacy", html);
            Assert.DoesNotContain("個人情報", html);
        }
        Assert.DoesNotContain("privacy", await (await PrintDocument.BlankAsync(app.Survey)).ToHtmlAsync(""));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task MarkupInTheNotice_IsEscapedEverywhere(string provider)
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-privacy-").FullName;
        try
        {
            var yaml = await File.ReadAllTextAsync(Path.Combine(SecondSurvey, "survey.yaml"));
            yaml = yaml.Replace("scales:\n", """
                privacy:
                  title: <b>取扱い</b>
                  handler: <script>alert(1)</script>
                  purposes: ["<img src=x onerror=alert(2)>"]
                  contact: a & "b"
                  body: [<i>段落</i>]
                scales:

                """, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(dir, "survey.yaml"), yaml);
            await using var app = await TestApp.StartAsync(provider, new DateTimeOffset(2024, 6, 15, 10, 0, 0, TimeSpan.FromHours(9)), survey: dir);
            Assert.NotNull(app.Survey.Privacy);
            var token = await app.InviteAsync("K01", "株式会社テスト製作所");
            var client = app.Client();

            foreach (var path in new[] { "/survey/privacy", $"/a/{token}", $"/a/{token}/print?draft=true" })
            {
                var html = await client.GetStringAsync(path);
                Assert.DoesNotContain("<script>alert", html);
                Assert.DoesNotContain("<img src=x", html);
                Assert.DoesNotContain("<b>取扱い", html);
                Assert.Contains("&lt;b&gt;取扱い&lt;/b&gt;", html);
            }
            var page = await client.GetStringAsync("/survey/privacy");
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page);
            Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", page);
            Assert.Contains("<p>&lt;i&gt;段落&lt;/i&gt;</p>", page);
            Assert.Contains("a &amp; &quot;b&quot;", page);
            var pdfHtml = await (await PrintDocument.BlankAsync(app.Survey)).ToHtmlAsync("");
            Assert.DoesNotContain("<script>alert", pdfHtml);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", pdfHtml);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("privacy:\n  contact: x\n", 10, "privacy に purposes（利用目的のリスト）がありません。")]
    [InlineData("privacy:\n  purposes: [a]\n", 10, "privacy に contact（開示・訂正等の請求やお問い合わせの窓口）がありません。")]
    [InlineData("privacy:\n  purposes: []\n  contact: x\n", 10, "privacy.purposes に利用目的を 1 つ以上書いてください。")]
    [InlineData("privacy:\n  purposes: a\n  contact: x\n", 10, "privacy.purposes は文字列のリスト（- で始まる行）で書いてください。")]
    [InlineData("privacy:\n  purposes: [a, \"\"]\n  contact: x\n", 10, "privacy.purposes の各行は空でない文字列で書いてください。")]
    [InlineData("privacy:\n  purposes: [a]\n  contact: x\n  retention: \" \"\n", 12, "privacy.retention が空です。")]
    [InlineData("privacy:\n  purposes: [a]\n  contact: x\n  purpose: b\n", 12, "不明なキー「purpose」です")]
    [InlineData("privacy: 個人情報は大切に\n", 9, "privacy は「キー: 値」のマッピングで書いてください。")]
    public void ABadPrivacyBlock_GivesALineNumberedError(string block, int line, string message)
    {
        var yaml = File.ReadAllText(Path.Combine(SecondSurvey, "survey.yaml"));
        // Line 9 is the block's first line, right after an eight-line header.
        var header = "id: s\ntitle: t\nperiod:\n  opens: 2024-06-01\n  closes: 2024-06-30\n  timeZone: Asia/Tokyo\ncontact: c\nowner: o\n";
        var rest = yaml[yaml.IndexOf("scales:\n", StringComparison.Ordinal)..];
        var e = Assert.Throws<SurveyDefinitionException>(() => SurveyLoader.Load(header + block + rest));
        var problem = Assert.Single(e.Problems);
        Assert.Equal(line, problem.Line);
        Assert.Contains(message, problem.Message);
    }
}

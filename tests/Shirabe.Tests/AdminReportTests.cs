using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shirabe.Fieldwork;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>The report console: narrative edits and their stale flag, free-text curation, escaping, downloads.</summary>
public partial class AdminReportTests
{
    private const string Edited = "会員数は 100社～500社未満 が半数（事務局による編集）。";

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnEditedNarrative_Persists_AndIsFlaggedStaleWhenANewSubmissionChangesTheNumbers(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();
        const string page = "/admin/report/narrative/1-3";

        var form = await client.GetStringAsync(page);
        Assert.Contains("表 2-2 会員数（設問 1-3）", form);
        Assert.Contains("回答者の会員数（正会員以外の会員も含む）は、", AdminTestKit.ById(form, "draft"));
        var fingerprint = Regex.Match(form, "name=\"fingerprint\" value=\"([0-9a-f]{16})\"").Groups[1].Value;
        var saved = await AdminTestKit.PostFormAsync(client, page, page + "?handler=save", ("text", Edited), ("fingerprint", fingerprint));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        var report = await client.GetStringAsync("/admin/report");
        var part = AdminTestKit.Section(report, "part-1-3");
        Assert.Contains(Edited, part);
        Assert.Contains("編集済み（" + AdminTestKit.Name, part);
        Assert.DoesNotContain("データが変更されました", part);
        await using (var db = app.Db())
        {
            var edits = ReportEdits.FromJson((await db.ReportEdits.SingleAsync()).Json);
            Assert.Equal(Edited, edits.Narratives["1-3"].Text);
            Assert.Equal(AdminTestKit.Name, edits.Narratives["1-3"].By);
        }

        // A new association answers through the questionnaire and submits 10社未満: table 2-2 changes, the edit stays but is flagged.
        var token = await app.InviteAsync("T01");
        var respondent = app.Client();
        await TestApp.PostSectionAsync(respondent, token, "1",
        [
            ("q1_1_a", "山田 太郎"), ("q1_1_b", "ヤマダ タロウ"), ("q1_2_a", "一般社団法人テスト工業会"), ("q1_3", "1"),
            ("q1_4_a", "60"), ("q1_4_b", "40"), ("q1_4_c", "0"), ("q1_5_a", "70"), ("q1_5_b", "20"), ("q1_5_c", "10"), ("q1_6", "5"),
        ]);
        Assert.DoesNotContain("データが変更されました", AdminTestKit.Section(await client.GetStringAsync("/admin/report"), "part-1-3")); // a draft changes nothing
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.SubmitAsync(respondent, token)).StatusCode);
        report = await client.GetStringAsync("/admin/report");
        part = AdminTestKit.Section(report, "part-1-3");
        Assert.Contains(Edited, part);
        Assert.Contains("データが変更されました", part);
        Assert.Equal([2, 12, 8, 24, 0, 2, 1, 49], AdminTestKit.Counts(part));
        Assert.DoesNotContain("データが変更されました", AdminTestKit.Section(report, "part-1-6")); // no edit there: nothing to flag
        Assert.Contains("データが変更されました", await client.GetStringAsync(page));

        // Saving again against today's numbers clears the flag; reverting brings the draft back.
        form = await client.GetStringAsync(page);
        fingerprint = Regex.Match(form, "name=\"fingerprint\" value=\"([0-9a-f]{16})\"").Groups[1].Value;
        await AdminTestKit.PostFormAsync(client, page, page + "?handler=save", ("text", Edited + "再確認済み。"), ("fingerprint", fingerprint));
        Assert.DoesNotContain("データが変更されました", AdminTestKit.Section(await client.GetStringAsync("/admin/report"), "part-1-3"));
        await AdminTestKit.PostFormAsync(client, page, page + "?handler=revert");
        Assert.DoesNotContain(Edited, AdminTestKit.Section(await client.GetStringAsync("/admin/report"), "part-1-3"));
    }

    [Fact]
    public async Task TheCurationPage_ShowsAHundredAnswersAPage_AndSavesOnePagesChoiceOnly()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        // 300 synthetic submissions, every shown text answered: table 2-2 has more than two pages of answers.
        var responses = Core.Responses.SyntheticResponses.Generate(app.Survey, new Random(7), 300,
            new Core.Responses.SyntheticOptions { Drafts = 0, Text = 1 }).ToList();
        using (var ms = new MemoryStream())
        {
            Core.Responses.ResponsesCsv.Write(ms, app.Survey, responses);
            ms.Position = 0;
            await using var db = app.Db();
            await ResponsesTransfer.ImportAsync(db, app.Survey, ms, app.Clock);
        }
        var client = await app.SignedInClientAsync();
        const string page = "/admin/report/answers/2-2";
        List<string> Boxes(string html) => Regex.Matches(html, "name=\"selected\" value=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

        var first = await client.GetStringAsync(page);
        var total = int.Parse(Regex.Match(first, "回答 (\\d+) 件").Groups[1].Value);
        Assert.True(total > 200, $"{total} answers");
        Assert.Equal(100, Boxes(first).Count);
        Assert.Equal(100, Regex.Matches(first, "<section class=\"answer\"").Count);
        Assert.Contains("href=\"/admin/report/answers/2-2?page=2\" rel=\"next\"", first);
        var second = await client.GetStringAsync(page + "?page=2");
        var onSecond = Boxes(second);
        Assert.Equal(100, onSecond.Count);
        Assert.Empty(onSecond.Intersect(Boxes(first)));

        // Only one answer of page 2 is picked: page 2 keeps that one, the other pages keep every answer.
        var saved = await AdminTestKit.PostFormAsync(client, page + "?page=2", page + "?handler=select",
            ("selected", onSecond[5]), ("shownPage", "2"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(page + "?page=2", saved.Headers.Location?.OriginalString);
        await using (var db = app.Db())
        {
            var selected = ReportEdits.FromJson((await db.ReportEdits.SingleAsync()).Json).Curation["2-2"].Selected!;
            Assert.Equal(total - 99, selected.Count);
            Assert.Contains(onSecond[5], selected);
            Assert.DoesNotContain(onSecond[4], selected);
            Assert.Contains(Boxes(first)[0], selected);
        }
        second = await client.GetStringAsync(page + "?page=2");
        Assert.Matches($"value=\"{onSecond[5]}\" checked", second);
        Assert.DoesNotMatch($"value=\"{onSecond[4]}\" checked", second);
        // An edit on page 2 returns to page 2, at that answer.
        var edited = await AdminTestKit.PostFormAsync(client, page + "?page=2", page + "?handler=edit",
            ("respondent", onSecond[5]), ("text", "〇〇協会の取組"), ("reason", "団体名を伏せる"));
        Assert.Equal($"{page}?page=2#a-{onSecond[5]}", edited.Headers.Location?.OriginalString);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task CuratingFreeText_KeepsTheOriginal_AndLogsWhoAndWhen(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();
        const string page = "/admin/report/answers/2-2";

        var html = await client.GetStringAsync(page);
        var respondents = Regex.Matches(html, "name=\"selected\" value=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(respondents.Count >= 3, $"{respondents.Count} answers");
        var (first, second) = (respondents[0], respondents[1]);
        var original = WebUtility.HtmlDecode(Regex.Match(html, $"id=\"a-{first}\">[\\s\\S]*?<span class=\"original-text\">([^<]*)</span>").Groups[1].Value);
        Assert.NotEmpty(original);

        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(client, page, page + "?handler=select",
            ("selected", first), ("selected", second))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(client, page, page + "?handler=edit",
            ("respondent", first), ("text", "〇〇協会では会員向けに情報共有を行っている。"), ("reason", "団体名を伏せる"))).StatusCode);

        html = await client.GetStringAsync(page);
        Assert.Equal(original, WebUtility.HtmlDecode(Regex.Match(html, $"id=\"a-{first}\">[\\s\\S]*?<span class=\"original-text\">([^<]*)</span>").Groups[1].Value));
        Assert.Contains("団体名を伏せる", html);
        Assert.Contains("回答を編集", html); // the log

        await using (var db = app.Db())
        {
            var edits = ReportEdits.FromJson((await db.ReportEdits.SingleAsync()).Json);
            var edit = edits.Curation["2-2"].Edits[first];
            Assert.Equal(original, edit.Original);
            Assert.Equal("〇〇協会では会員向けに情報共有を行っている。", edit.Text);
            Assert.Equal(AdminTestKit.Name, edit.By);
            Assert.Equal([first, second], edits.Curation["2-2"].Selected);
            var log = edits.Log.Single(l => l.Action == "answer.edit");
            Assert.Equal((AdminTestKit.Name, "2-2", first, original), (log.By, log.Key, log.Respondent, log.Before));
            Assert.Equal(app.Clock.GetUtcNow().UtcDateTime, log.At.UtcDateTime, TimeSpan.FromMinutes(1));
        }

        // The report shows exactly the two chosen answers, the edited one as edited.
        var download = await DownloadAsync(client, "html");
        var report = System.Text.Encoding.UTF8.GetString(download);
        Assert.Contains("〇〇協会では会員向けに情報共有を行っている。", report);
        Assert.DoesNotContain(WebUtility.HtmlEncode(original), report);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AScriptInFreeText_IsEscapedEverywhere(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        await app.SubmitOneMoreAsync("X01", (r, s) => ReportFixtures.WithText(r, s, "2-2", "<script>alert(1)</script>"));
        var client = await app.SignedInClientAsync();

        int x01;
        await using (var db = app.Db())
            x01 = await db.Organisations.Where(a => a.Code == "X01").Select(a => a.Id).SingleAsync();
        foreach (var path in new[] { "/admin/results?section=2", "/admin/report/answers/2-2", "/admin/report", $"/admin/invitees/{x01}" })
        {
            var html = await client.GetStringAsync(path);
            Assert.DoesNotContain("<script>alert(1)", html);
            Assert.DoesNotMatch("<script", html);
        }
        var answers = await client.GetStringAsync("/admin/report/answers/2-2");
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", answers);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", await client.GetStringAsync("/admin/results?section=2"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", await client.GetStringAsync($"/admin/invitees/{x01}"));
        Assert.DoesNotContain("<script>alert(1)", System.Text.Encoding.UTF8.GetString(await DownloadAsync(client, "html")));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheReport_DownloadsAsHtmlDocxAndXlsx_WithTheEditsApplied(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();
        const string page = "/admin/report/narrative/1-3";
        var form = await client.GetStringAsync(page);
        var fingerprint = Regex.Match(form, "name=\"fingerprint\" value=\"([0-9a-f]{16})\"").Groups[1].Value;
        await AdminTestKit.PostFormAsync(client, page, page + "?handler=save", ("text", Edited), ("fingerprint", fingerprint));

        var html = System.Text.Encoding.UTF8.GetString(await DownloadAsync(client, "html"));
        Assert.Contains("表 2-2", html);
        Assert.Contains(Edited, html);
        Assert.Contains("48 件の有効回答", html);

        var docx = await DownloadAsync(client, "docx");
        using (var word = WordprocessingDocument.Open(new MemoryStream(docx), false))
        {
            var text = word.MainDocumentPart!.Document.Body!.InnerText;
            Assert.Contains(Edited, text);
            Assert.Contains("会員数（設問 1-3）", text);
        }

        var xlsx = await DownloadAsync(client, "xlsx");
        using (var excel = SpreadsheetDocument.Open(new MemoryStream(xlsx), false))
            Assert.NotEmpty(excel.WorkbookPart!.Workbook.Sheets!.ChildElements);
        using (var zip = new ZipArchive(new MemoryStream(xlsx)))
            Assert.Contains(zip.Entries, e => e.FullName.StartsWith("xl/worksheets/"));
    }

    [Fact]
    [Trait("Needs", "Chromium")] // /usr/bin/chromium or SHIRABE_CHROMIUM: a missing browser fails the test
    public async Task TheReport_DownloadsAsPdf()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();
        var pdf = await DownloadAsync(client, "pdf");
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));
        Assert.True(pdf.Length > 50_000, $"{pdf.Length} bytes");
    }

    [Fact]
    public async Task AnUnknownFormatOrJob_IsRefused()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        var client = await app.SignedInClientAsync();
        var bad = await AdminTestKit.PostFormAsync(client, "/admin/report", "/admin/report?handler=download", ("format", "exe"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/admin/report/jobs/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/admin/report/jobs/{Guid.NewGuid()}/file")).StatusCode);
    }

    [Fact]
    public async Task TheSameReportTwice_IsPrintedOnce_AndANewSubmissionPrintsItAgain()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();
        var chromium = app.Services.GetRequiredService<Shirabe.Pdf.ChromiumPdf>();

        var first = await DownloadAsync(client, "pdf");
        var renders = chromium.Renders;
        Assert.True(renders > 0);
        Assert.Equal(first, await DownloadAsync(client, "pdf")); // same data, layout and edits: the same file, not printed again
        Assert.Equal(renders, chromium.Renders);

        await app.SubmitOneMoreAsync("T01", (r, _) => r);
        var third = await DownloadAsync(client, "pdf");
        Assert.True(chromium.Renders > renders, "a new submission must print the report again");
        Assert.NotEqual(first, third);
    }

    /// <summary>Starts a download from the console, follows the status page until done, and fetches the file.</summary>
    internal static async Task<byte[]> DownloadAsync(HttpClient client, string format)
    {
        var start = await AdminTestKit.PostFormAsync(client, "/admin/report", "/admin/report?handler=download", ("format", format));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var status = start.Headers.Location!.OriginalString;
        Assert.Matches("^/admin/report/jobs/[0-9a-f-]{36}$", status);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        string page;
        while (true)
        {
            page = await client.GetStringAsync(status);
            if (!page.Contains("data-state=\"running\"")) break;
            Assert.Contains("作成中です（", page);
            Assert.DoesNotContain("…（", page); // one ellipsis: 「作成中です（集計中…）」
            Assert.Contains("<script src=\"/js/admin.js\" defer data-refresh=\"2\"></script>", page); // it reloads the page
            Assert.True(DateTime.UtcNow < deadline, "the report took too long");
            await Task.Delay(200);
        }
        Assert.Contains("data-state=\"done\"", page);
        Assert.DoesNotContain("admin.js", page);
        var file = await client.GetAsync(status + "/file");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Matches("作成しました（[0-9,.]+ (KB|MB|バイト)）", page);
        var disposition = file.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal($"sc3-2023-報告書-20231101.{format}", disposition.FileNameStar); // RFC 6266 filename*, UTF-8
        Assert.Equal($"sc3-2023-___-20231101.{format}", disposition.FileName?.Trim('"')); // the ASCII fallback
        Assert.Contains($"download=\"sc3-2023-報告書-20231101.{format}\"", page);
        return await file.Content.ReadAsByteArrayAsync();
    }
}

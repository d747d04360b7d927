using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Shirabe.Cli;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>
/// Input-side findings of issue 7: characters XML cannot hold (form, importer, every report writer), multipart and
/// oversized bodies on every form, and the report's failure paths (no .part, a message naming the cause).
/// </summary>
public class InputHardeningTests
{
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnAnswerWithACharacterXmlCannotHold_Returns422NamingTheField_AndIsNotSaved(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();

        foreach (var bad in new[] { "山田\uFFFF太郎", "山田\uFFFE", "山\u0001田" })
        {
            var response = await TestApp.PostSectionAsync(client, token, "1", [("q1_1_a", bad), ("q1_3", "2")]);
            var html = WebUtility.HtmlDecode(await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, response));
            Assert.Contains("この回答欄に使えない文字", html);
            Assert.Matches("U\\+(FFFF|FFFE|0001)（[23] 文字目）", html);
            Assert.Contains("href=\"#q1_1_a\"", html); // the summary links to the field
        }
        // The refused answer is never stored; the page's valid answers are (issue 8: a save keeps what it can).
        var draft = await app.DraftAsync("T01");
        Assert.NotNull(draft);
        Assert.Equal("2", draft["q1_3"]);
        Assert.True(!draft.TryGetValue("q1_1_a", out var name) || name == "", $"q1_1_a = {name}");
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AMultipartPost_WithInvalidUtf8_Returns415AndSavesNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var client = app.Client();
        var csrf = await TestApp.CsrfTokenAsync(client, $"/a/{token}/s/1");

        var content = new MultipartFormDataContent
        {
            { new ByteArrayContent([0xE5, 0xB1, 0xB1, 0xFF, 0xFE]), "q1_1_a" },
            { new StringContent("next"), "action" },
            { new StringContent(csrf), "__RequestVerificationToken" },
        };
        var response = await client.PostAsync($"/a/{token}/s/1", content);

        var html = await HttpAssert.StatusAsync(HttpStatusCode.UnsupportedMediaType, response);
        Assert.Contains("この形式の送信は受け付けていません", html);
        Assert.Null(await app.DraftAsync("T01"));
    }

    /// <summary>Every form of the app (and a page without one): too many fields, too long a value, invalid UTF-8, broken multipart.</summary>
    [Fact]
    public async Task OversizedOrMalformedBodies_Get4xxWithTheJapanesePage_OnEveryForm()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var token = await app.InviteAsync();
        var client = await app.SignedInClientAsync();
        string[] paths =
        [
            $"/a/{token}/review", $"/a/{token}/s/1", $"/a/{token}", $"/a/{token}/thanks", "/", "/error/400",
            "/admin/signin", "/admin/signout", "/admin?handler=reissue", "/admin/report?handler=download",
            "/admin/report/answers/2-2?handler=edit", "/admin/report/narrative/1-3?handler=save", "/admin/results",
            "/admin/roster?handler=upload", "/admin/invitees/1/edit",
            "/admin/surveys/upload", "/admin/surveys/sc3-2023/next", "/admin/surveys/sc3-2023/edit/1/1?handler=save",
            "/admin/surveys/sc3-2023/publish/1",
        ];
        var manyFields = string.Join("&", Enumerable.Range(0, 600).Select(i => $"f{i}=1"));
        var longValue = "text=" + new string('a', 600 * 1024);
        foreach (var path in paths)
        {
            foreach (var (body, type) in new[]
            {
                (Encoding.ASCII.GetBytes(manyFields), "application/x-www-form-urlencoded"),
                (Encoding.ASCII.GetBytes(longValue), "application/x-www-form-urlencoded"),
                (Encoding.ASCII.GetBytes("text=%FF%FE&reason=x"), "application/x-www-form-urlencoded"),
                (Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb"), "multipart/form-data; boundary=x"),
                (Encoding.ASCII.GetBytes("{\"q1_1_a\": 1}"), "application/json"),
                ([], ""),
            })
            {
                var content = new ByteArrayContent(body);
                if (type.Length > 0) content.Headers.TryAddWithoutValidation("Content-Type", type);
                var response = await client.PostAsync(path, content);
                var html = await response.Content.ReadAsStringAsync();
                Assert.True((int)response.StatusCode is >= 400 and < 500, $"{path} ({type}, {body.Length} bytes): {(int)response.StatusCode}");
                // The questionnaire page shows itself again with what was typed and why it was not saved.
                var sectionPage = path.EndsWith("/s/1") && html.Contains("まだ保存されていません");
                Assert.True(sectionPage || Regex.IsMatch(html, "<h1>(操作を完了できませんでした|送信内容が大きすぎます)</h1>"),
                    $"{path} ({type}, {body.Length} bytes): {(int)response.StatusCode} {Regex.Match(html, "<h1>.*</h1>").Value}");
            }
        }
    }

    /// <summary>
    /// A response stored before the fix (here written straight into the database) holds U+FFFF and a control character:
    /// Word, Excel and HTML are still made, their XML parses, and editing the answer in curation shows in the raw sheet.
    /// </summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ACharacterThatSlippedInBefore_NeverBreaksAReport_AndCurationRepairsTheRawSheet(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        await app.SubmitOneMoreAsync("X01", (r, s) => ReportFixtures.WithText(r, s, "2-2", "壊れMARKER文字"));
        await using (var db = app.Db())
        {
            var submission = await db.Submissions.SingleAsync(s => s.Invitation.Organisation.Code == "X01");
            submission.Answers = submission.Answers.Replace("MARKER", "\uFFFF\\u0001"); // a JSON escape for the control character
            await db.SaveChangesAsync();
        }
        var client = await app.SignedInClientAsync();

        Assert.Contains("壊れ文字", RawSheetText(await DownloadAsync(client, "xlsx")));
        using (var word = WordprocessingDocument.Open(new MemoryStream(await DownloadAsync(client, "docx")), false))
            Assert.Contains("壊れ文字", word.MainDocumentPart!.Document.Body!.InnerText);
        var html = Encoding.UTF8.GetString(await DownloadAsync(client, "html"));
        Assert.Contains("壊れ文字", html);
        Assert.DoesNotContain("\uFFFF", html);

        const string page = "/admin/report/answers/2-2";
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(client, page, page + "?handler=edit",
            ("respondent", "X01"), ("text", "事務局が直した回答"), ("reason", "文字化け"))).StatusCode);
        var raw = RawSheetText(await DownloadAsync(client, "xlsx"));
        Assert.Contains("事務局が直した回答", raw);
        Assert.DoesNotContain("壊れ文字", raw);

        // and the curation form itself refuses such characters
        var refused = await AdminTestKit.PostFormAsync(client, page, page + "?handler=edit", ("respondent", "X01"), ("text", "再\uFFFF"));
        Assert.Contains("使えない文字", await refused.Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AReportJobThatFails_SaysWhatIsWrong_NotToRetryLater(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        await using (var db = app.Db())
        {
            var submission = await db.Submissions.FirstAsync();
            submission.Answers = "{\"q1_3\": [broken"; // a row no report can read
            await db.SaveChangesAsync();
        }
        var client = await app.SignedInClientAsync();

        var start = await AdminTestKit.PostFormAsync(client, "/admin", "/admin/report?handler=download", ("format", "xlsx"));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var status = start.Headers.Location!.OriginalString;
        string page;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((page = await client.GetStringAsync(status)).Contains("data-state=\"running\""))
        {
            Assert.True(DateTime.UtcNow < deadline, "the job never ended");
            await Task.Delay(200);
        }
        Assert.Contains("data-state=\"failed\"", page);
        Assert.Contains("報告書を作成できませんでした: ", WebUtility.HtmlDecode(page));
        Assert.DoesNotContain("時間をおいて", page);
    }

    [Fact]
    public void AFailureInTheRawSheet_NamesTheRespondentAndTheItem()
    {
        var run = ReportRun.Open(ReportFixtures.SurveyDir, ReportFixtures.ResponsesPath);
        var doc = run.Build();
        var broken = new Response("R-broken", null, new Answer[3]); // fewer answers than items
        var e = Assert.Throws<InvalidOperationException>(() => XlsxReport.Write(doc, run.Survey, [broken], new MemoryStream()));
        Assert.Contains("回答者 R-broken", e.Message);
        // The first item past the three answers that the sheet writes (personal items are left out of it).
        Assert.Contains($"設問 {run.Survey.Items.First(i => i.Index >= 3 && !i.Personal).Code}", e.Message);
    }

    [Theory]
    [InlineData("xlsx")]
    [InlineData("docx")]
    [InlineData("html")]
    public async Task AReportThatFails_LeavesNoPartFile(string format)
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        try
        {
            var lines = await File.ReadAllLinesAsync(ReportFixtures.ResponsesPath);
            var header = lines[0].Split(',');
            var row = lines.First(l => l.StartsWith("R02,")).Split(',');
            row[Array.IndexOf(header, "q2_2")] = "壊れ\uFFFF";
            var responses = Path.Combine(dir, "responses.csv");
            await File.WriteAllTextAsync(responses, lines[0] + "\r\n" + string.Join(",", row) + "\r\n");
            var output = Path.Combine(dir, "report." + format);

            var code = await ShirabeCommands.RunAsync(["report", "--survey", ReportFixtures.SurveyDir, "--responses", responses,
                "--format", format, "--out", output], TextWriter.Null, TextWriter.Null);

            Assert.Equal(2, code); // refused as a user error (the importer names row and column)
            Assert.Equal([responses], Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>The text of the 回答データ sheet, parsed strictly as XML.</summary>
    private static string RawSheetText(byte[] xlsx)
    {
        using var excel = SpreadsheetDocument.Open(new MemoryStream(xlsx), false);
        var sheet = excel.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == "回答データ");
        var part = (WorksheetPart)excel.WorkbookPart.GetPartById(sheet.Id!);
        using var stream = part.GetStream();
        return XDocument.Load(stream).Root!.Value;
    }

    /// <summary>Starts a download from the console, waits for the job, and fetches the file (a failed job fails the test with its message).</summary>
    internal static async Task<byte[]> DownloadAsync(HttpClient client, string format)
    {
        var start = await AdminTestKit.PostFormAsync(client, "/admin/report", "/admin/report?handler=download", ("format", format));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var status = start.Headers.Location!.OriginalString;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        string page;
        while ((page = await client.GetStringAsync(status)).Contains("data-state=\"running\""))
        {
            Assert.True(DateTime.UtcNow < deadline, "the report took too long");
            await Task.Delay(200);
        }
        Assert.True(page.Contains("data-state=\"done\""), Regex.Match(page, "<p>[^<]*</p>").Value);
        return await client.GetByteArrayAsync(status + "/file");
    }
}

using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Shirabe.Cli;
using Shirabe.Core.Questionnaire;
using Shirabe.Fieldwork;
using W = DocumentFormat.OpenXml.Wordprocessing;
using X = DocumentFormat.OpenXml.Spreadsheet;

namespace Shirabe.Tests;

/// <summary>
/// A second questionnaire of another shape (tests/surveys/member-self-assessment: a member-company self-assessment with
/// other codes, no splits, no report.yaml) through every feature. No line of the application knows this survey: what
/// it needs (identity items, text boxes, the report's layout) comes from its survey.yaml.
/// </summary>
public class SecondSurveyTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "test-surveys", "member-self-assessment");
    private static readonly string Responses = Path.Combine(Dir, "responses.csv");
    private static readonly DateTimeOffset InJune = new(2024, 6, 15, 10, 0, 0, TimeSpan.FromHours(9));

    private static Task<TestApp> StartAsync(string provider) => TestApp.StartAsync(provider, InJune, survey: Dir);

    private static async Task<CliTests.Result> Cli(params string[] args) => await CliTests.Run(args);

    [Fact]
    public async Task SurveyCheck_AcceptsTheSecondSurvey()
    {
        var r = await Cli("survey", "check", Dir);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("member-self-assessment: 会員企業セキュリティ自己点検", r.Out);
        Assert.Contains("問題はありません。", r.Out);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ARespondent_AnswersEveryPageAndSubmits(string provider)
    {
        await using var app = await StartAsync(provider);
        Assert.Equal("member-self-assessment", app.Survey.Id);
        var token = await app.InviteAsync("K01", "株式会社テスト製作所");
        var client = app.Client();

        // The role: organisation item starts with the invited name; text boxes follow input and maxLength.
        var first = await client.GetStringAsync($"/a/{token}/s/A");
        Assert.Contains("<p class=\"site-owner\">一般社団法人テスト工業会（架空）</p>", first); // survey.yaml `owner`
        Assert.Contains("お問い合わせ: テスト工業会 事務局（架空）", first);
        Assert.DoesNotContain("IPA", first);
        Assert.Contains("name=\"qA1a\" id=\"qA1a\" value=\"株式会社テスト製作所\" maxlength=\"60\" class=\"short-text\"", first);
        Assert.Contains("name=\"qA1b\" id=\"qA1b\" value=\"\" maxlength=\"30\" class=\"short-text\"", first);

        await HttpAssert.StatusAsync(HttpStatusCode.Redirect, await TestApp.PostSectionAsync(client, token, "A",
            [("qA1a", "株式会社テスト製作所"), ("qA1b", "田中 一郎"), ("qA2", "1"), ("qA3", "2")]));
        // Section B is two pages (pageBreak at B4). B3 ends in 理由 but is a one-line box of at most 40 characters.
        var b = await client.GetStringAsync($"/a/{token}/s/B");
        Assert.Contains("name=\"qB3\" id=\"qB3\" value=\"\" maxlength=\"40\" class=\"short-text\"", b);
        Assert.DoesNotContain("qB4a", b);

        // The server enforces maxLength with a Japanese message and keeps the page.
        var tooLong = await TestApp.PostSectionAsync(client, token, "B",
            [("qB1a", "3"), ("qB1b", "2"), ("qB1c", "1"), ("qB2", "3"), ("qB3", new string('あ', 41))]);
        var error = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, tooLong);
        Assert.Contains("41 文字入力されています。40 文字以内で入力してください。", error);
        Assert.Null((await app.DraftAsync("K01"))!.GetValueOrDefault("qB3"));

        var next = await TestApp.PostSectionAsync(client, token, "B",
            [("qB1a", "3"), ("qB1b", "2"), ("qB1c", "1"), ("qB2", "3"), ("qB3", "人手が足りない")]);
        Assert.Equal($"/a/{token}/s/B/2", next.Headers.Location?.OriginalString);
        var page2 = await client.GetStringAsync($"/a/{token}/s/B/2");
        Assert.Contains("name=\"qB4b\" id=\"qB4b\" rows=\"3\" maxlength=\"200\"", page2);
        await HttpAssert.StatusAsync(HttpStatusCode.Redirect, await TestApp.PostSectionAsync(client, token, "B/2",
            [("qB4a", "1"), ("qB4a", "5"), ("qB4b", "偽の請求メール")]));

        // C1 is asked only when B2 was 1 or 2 (on an earlier page): answering it now is refused.
        var hidden = await TestApp.PostSectionAsync(client, token, "C", [("qC1", "1"), ("qC2", "研修")]);
        Assert.Contains("この設問は回答の対象外です", await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, hidden));
        Assert.Contains("maxlength=\"300\"", await client.GetStringAsync($"/a/{token}/s/C"));
        await HttpAssert.StatusAsync(HttpStatusCode.Redirect, await TestApp.PostSectionAsync(client, token, "C", [("qC2", "研修を\r\n増やしてほしい")]));

        await HttpAssert.StatusAsync(HttpStatusCode.Redirect, await TestApp.SubmitAsync(client, token));
        var submission = Assert.Single(await app.SubmissionsAsync("K01"));
        var cells = JsonSerializer.Deserialize<Dictionary<string, string>>(submission.Answers)!;
        Assert.Equal("株式会社テスト製作所", cells["qA1a"]);
        Assert.Equal("1", cells["qA2"]);
        Assert.Equal("人手が足りない", cells["qB3"]);
        Assert.Equal("1;5", cells["qB4a"]);
        Assert.Equal("NA", cells["qC1"]);
        Assert.Equal("研修を\n増やしてほしい", cells["qC2"]);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ImportThenExport_RoundTripsTheResponsesByteForByte_AndTheConsoleNamesTheCategoryFromTheSurvey(string provider)
    {
        await using var app = await StartAsync(provider);
        await using (var db = app.Db())
        await using (var csv = File.OpenRead(Responses))
            Assert.Equal(5, (await ResponsesTransfer.ImportAsync(db, app.Survey, csv, app.Clock)).Count);

        using var output = new MemoryStream();
        await using (var db = app.Db())
            Assert.Equal(5, await ResponsesTransfer.ExportAsync(db, app.Survey, output));
        Assert.Equal(await File.ReadAllBytesAsync(Responses), output.ToArray());

        // The invitee's name, contact and category come from the items with those roles.
        await using (var db = app.Db())
        {
            var m02 = db.Invitations.Include(i => i.Organisation).Single(i => i.Organisation.Code == "M02");
            Assert.Equal(("テスト商事株式会社", "佐藤 花子", "卸売・小売"), (m02.Organisation.Name, m02.ContactName, m02.Category));
        }
        var client = await app.SignedInClientAsync();
        var roster = await client.GetStringAsync("/admin/roster.csv");
        Assert.StartsWith("\uFEFF\"ID\",\"団体名\",\"事業区分\",", roster);
        Assert.Contains("\"M02\",\"テスト商事株式会社\",\"卸売・小売\",\"佐藤 花子\"", roster);
        var index = await client.GetStringAsync("/admin");
        Assert.Contains(">事業区分", index);
        Assert.DoesNotContain("業種", index);
    }

    [Fact]
    public async Task Tabulate_PrintsTextAndJson()
    {
        var text = await Cli("tabulate", "--survey", Dir, "--responses", Responses);
        Assert.True(text.Code == 0, text.Err);
        Assert.Contains("■ A2 事業区分（単数回答） n=5", text.Out);
        Assert.DoesNotContain("A1b", text.Out); // personal: left out

        var json = await Cli("tabulate", "--survey", Dir, "--responses", Responses, "--format", "json");
        Assert.True(json.Code == 0, json.Err);
        using var doc = JsonDocument.Parse(json.Out);
        var items = doc.RootElement.GetProperty("items").EnumerateArray().ToList();
        var b4a = items.Single(i => i.GetProperty("code").GetString() == "B4a");
        Assert.Equal(5, b4a.GetProperty("n").GetInt64()); // M05 left it blank: 無回答, still in the base
        var c1 = items.Single(i => i.GetProperty("code").GetString() == "C1");
        Assert.Equal(2, c1.GetProperty("n").GetInt64()); // asked only where B2 was 1 or 2
    }

    /// <summary>No report.yaml: the default report, every question in order with a numbered table and a chart.</summary>
    public static readonly string[] Captions =
    [
        "表 1-1 アンケート調査概要",
        "表 1-2 事業区分（設問 A2）", "図 1-1 事業区分（設問 A2）",
        "表 1-3 従業員数（設問 A3）", "図 1-2 従業員数（設問 A3）",
        "表 1-4 基本的な対策（設問 B1）", "図 1-3 基本的な対策（設問 B1）",
        "表 1-5 担当者（設問 B2）", "図 1-4 担当者（設問 B2）",
        "表 1-6 担当者がいない理由を一言でお書きください（設問 B3）",
        "表 1-7 過去 1 年間の被害：被害（設問 B4a）", "図 1-5 過去 1 年間の被害：被害（設問 B4a）",
        "表 1-8 過去 1 年間の被害：その他の内容（設問 B4b）",
        "表 1-9 担当者の育成（設問 C1）", "図 1-6 担当者の育成（設問 C1）",
        "表 1-10 工業会に期待する支援があればお書きください（設問 C2）",
    ];

    [Fact]
    public async Task Report_InAllFourFormats_UsesTheDefaultLayout()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-second-").FullName;
        try
        {
            string Out(string format) => Path.Combine(dir, "report." + format);
            foreach (var format in new[] { "html", "pdf", "docx", "xlsx" })
            {
                var r = await Cli("report", "--survey", Dir, "--responses", Responses, "--format", format, "--out", Out(format));
                Assert.True(r.Code == 0, format + ": " + r.Err);
            }

            var html = await File.ReadAllTextAsync(Out("html"));
            var positions = Captions.Select(c => html.IndexOf(c, StringComparison.Ordinal)).ToList();
            Assert.All(Captions.Zip(positions), x => Assert.True(x.Second >= 0, "missing: " + x.First));
            Assert.Equal(positions.Order(), positions); // in questionnaire order
            Assert.Contains("「製造」（40.0％）が最も多く", html);
            Assert.Contains("人手が足りない", html);
            Assert.DoesNotContain("山田 太郎", html); // personal
            Assert.Contains("設問 B4) 過去 1 年間に受けた被害を全てお選びください。", html); // the questionnaire at the end

            var pdf = ReportFixtures.Compact(ReportFixtures.Tool("pdftotext", "-enc", "UTF-8", Out("pdf"), "-"));
            foreach (var caption in Captions) Assert.Contains(ReportFixtures.Compact(caption), pdf);

            using (var word = WordprocessingDocument.Open(Out("docx"), false))
            {
                var errors = new OpenXmlValidator(FileFormatVersions.Office2019).Validate(word).ToList();
                Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10).Select(e => $"{e.Path?.XPath}: {e.Description}")));
                var captions = word.MainDocumentPart!.Document!.Body!.Elements<W.Paragraph>()
                    .Where(p => p.ParagraphProperties?.ParagraphStyleId?.Val?.Value == "Caption" && p.Descendants<W.SimpleField>().Any())
                    .Select(p => ReportFixtures.Compact(p.InnerText)).ToList();
                Assert.Equal(Captions.Select(ReportFixtures.Compact), captions);
            }

            using (var book = SpreadsheetDocument.Open(Out("xlsx"), false))
            {
                var errors = new OpenXmlValidator(FileFormatVersions.Office2019).Validate(book).ToList();
                Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10).Select(e => $"{e.Path?.XPath}: {e.Description}")));
                var sheets = book.WorkbookPart!.Workbook!.Sheets!.Elements<X.Sheet>().Select(s => s.Name!.Value!).ToList();
                for (var t = 1; t <= 10; t++) Assert.Contains($"表1-{t}", sheets);
                Assert.Contains("回答データ", sheets);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task DefaultReport_OfASurveyWithSplits_HasASplitTableAndValidWord()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-default-").FullName;
        try
        {
            File.Copy(Path.Combine(ReportFixtures.SurveyDir, "survey.yaml"), Path.Combine(dir, "survey.yaml")); // SC3 without report.yaml
            foreach (var format in new[] { "html", "docx" })
            {
                var r = await Cli("report", "--survey", dir, "--responses", ReportFixtures.ResponsesPath, "--format", format,
                    "--out", Path.Combine(dir, "report." + format));
                Assert.True(r.Code == 0, r.Err);
            }
            var html = await File.ReadAllTextAsync(Path.Combine(dir, "report.html"));
            Assert.Contains("表 1-3 会員の企業規模の割合（", html);
            Assert.Matches("<th[^>]*>平均</th>", html);
            Assert.Contains("数値回答（n=48）", html);
            Assert.Contains("<span class=\"nw\">設問 1-4</span>）", html);
            Assert.DoesNotContain("<span class=\"nw\">設問 1-1</span>）", html); // personal items are left out
            Assert.DoesNotContain("<span class=\"nw\">設問 1-2</span>）", html); // the organisation's name too
            using var word = WordprocessingDocument.Open(Path.Combine(dir, "report.docx"), false);
            Assert.Empty(new OpenXmlValidator(FileFormatVersions.Office2019).Validate(word));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TextItems_TakeInputAndMaxLengthFromTheSurvey_NotFromTheirLabels()
    {
        var s = SurveyLoader.LoadFile(Dir);
        Assert.Equal((TextInput.Line, 40), (s["B3"].Input, s["B3"].MaxLength));
        Assert.Equal((TextInput.Area, 200), (s["B4b"].Input, s["B4b"].MaxLength));
        Assert.Equal((TextInput.Area, 300), (s["C2"].Input, s["C2"].MaxLength));
        Assert.Equal(ItemRole.Organisation, s["A1a"].Role);
        Assert.Equal(s["A1b"], s.ItemWith(ItemRole.Contact));
        Assert.Equal(s["A2"], s.ItemWith(ItemRole.Category));
        Assert.Equal(2, s.Sections[1].Pages.Count);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheRosterCategoryColumn_IsHeadedByTheSurveysCategoryItem_OnImportExportAndTheEditPage(string provider)
    {
        await using var app = await StartAsync(provider);
        var admin = await app.SignedInClientAsync();
        Assert.Equal("事業区分", RosterFile.CategoryHeading(app.Survey)); // A2's short, from survey.yaml

        var page = await admin.GetStringAsync("/admin/roster");
        Assert.Contains("「CC」「事業区分」とその他の列", page);
        Assert.DoesNotContain("業種", page);

        // 事業区分 is the category column; 業種 is only SC3's heading, so here it is a survey attribute.
        var upload = await RosterPageTests.UploadAsync(admin, Encoding.UTF8.GetBytes("コード,団体名,事業区分,業種\nM1,甲社,製造,東京\nM2,乙社,,\n"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        int id;
        await using (var db = app.Db())
        {
            var m1 = await db.Invitations.Include(i => i.Organisation).SingleAsync(i => i.Organisation.Code == "M1");
            Assert.Equal(("製造", "{\"業種\":\"東京\"}"), (m1.Category, m1.Attributes));
            id = m1.OrganisationId;
        }
        // The generic alias 区分 is read as the category column too.
        await RosterPageTests.UploadAsync(admin, Encoding.UTF8.GetBytes("コード,団体名,区分\nM2,乙社,サービス\n"));
        await using (var db = app.Db())
            Assert.Equal("サービス", await db.Invitations.Where(i => i.Organisation.Code == "M2").Select(i => i.Category).SingleAsync());

        var csv = await admin.GetStringAsync("/admin/roster/file.csv");
        Assert.StartsWith("\uFEFF\"コード\",\"団体名\",\"担当者名\",\"メールアドレス\",\"CC\",\"事業区分\",\"業種\"\r\n", csv);
        Assert.Contains("\"M1\",\"甲社\",\"\",\"\",\"\",\"製造\",\"東京\"\r\n", csv);

        var edit = await admin.GetStringAsync($"/admin/invitees/{id}/edit");
        Assert.Contains("<label for=\"Category\">事業区分</label>", edit);
        Assert.DoesNotContain("業種", edit);
    }

    /// <summary>The second survey with its `role: category` line taken out: a survey with no category item.</summary>
    private static string WithoutCategoryItem()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-no-category-").FullName;
        var yaml = File.ReadAllLines(Path.Combine(Dir, "survey.yaml")).Where(l => l.Trim() != "role: category").ToArray();
        Assert.Single(File.ReadAllLines(Path.Combine(Dir, "survey.yaml")).Except(yaml));
        File.WriteAllLines(Path.Combine(dir, "survey.yaml"), yaml);
        return dir;
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ASurveyWithoutACategoryItem_ShowsNoCategoryColumnFieldOrExportColumn_AndKeepsTheStoredValue(string provider)
    {
        var dir = WithoutCategoryItem();
        try
        {
            await using var app = await TestApp.StartAsync(provider, InJune, survey: dir);
            Assert.Null(app.Survey.ItemWith(ItemRole.Category));
            var admin = await app.SignedInClientAsync();
            // 区分 is only an attribute here: there is no category column to read it into.
            await RosterPageTests.UploadAsync(admin, Encoding.UTF8.GetBytes("コード,団体名,担当者名,区分\nM1,甲社,田中 一郎,製造\n"));
            int id;
            await using (var db = app.Db())
            {
                var m1 = await db.Invitations.SingleAsync(i => i.Organisation.Code == "M1");
                Assert.Equal((null, "{\"区分\":\"製造\"}"), (m1.Category, m1.Attributes));
                id = m1.OrganisationId;
                // a value left from before (e.g. an earlier version of the survey had the item) is kept, not shown
                m1.Category = "旧区分";
                await db.SaveChangesAsync();
            }

            var list = await admin.GetStringAsync("/admin?sort=category");
            var table = list.IndexOf("<table class=\"data roster\">", StringComparison.Ordinal);
            var head = list[table..list.IndexOf("</thead>", table, StringComparison.Ordinal)];
            Assert.Equal(["ID", "団体名", "状況", "最終更新", "操作"],
                System.Text.RegularExpressions.Regex.Matches(head, "<th scope=\"col\"[^>]*>(?:<a [^>]*>)?([^<▲▼]*)").Select(m => m.Groups[1].Value.Trim()));
            Assert.Contains("<th scope=\"col\" aria-sort=\"ascending\"><a href=\"/admin?dir=desc\">ID ▲</a></th>", list); // sort=category: by code
            Assert.DoesNotContain("旧区分", list);
            Assert.Contains("<td>M1</td>\n                        <th scope=\"row\">甲社</th>\n                        <td class=", list.ReplaceLineEndings("\n"));

            var answers = await admin.GetStringAsync($"/admin/invitees/{id}");
            Assert.Contains("<dt>ID</dt><dd>M1</dd>", answers);
            Assert.DoesNotContain("区分", answers);

            var edit = await admin.GetStringAsync($"/admin/invitees/{id}/edit");
            Assert.Contains("<label for=\"ContactName\">担当者名</label>", edit);
            Assert.DoesNotContain("name=\"Category\"", edit);
            Assert.DoesNotContain("区分", edit);
            var path = $"/admin/invitees/{id}/edit";
            var saved = await AdminTestKit.PostFormAsync(admin, path, path, ("ContactName", "田中 次郎"), ("ContactEmail", ""), ("Cc", ""),
                ("Category", "書き換え"));
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            await using (var db = app.Db())
            {
                var m1 = await db.Invitations.SingleAsync(i => i.OrganisationId == id);
                Assert.Equal(("田中 次郎", "旧区分"), (m1.ContactName, m1.Category));
            }

            var csv = await admin.GetStringAsync("/admin/roster.csv");
            Assert.StartsWith("\uFEFF\"ID\",\"団体名\",\"担当者\",\"メールアドレス\",\"状況\",\"最終更新\",\"提出回数\"\r\n\"M1\",\"甲社\",\"田中 次郎\",\"\",\"未開封\"", csv);
            Assert.DoesNotContain("旧区分", csv);
            var xlsx = await admin.GetByteArrayAsync("/admin/roster.xlsx");
            using var doc = SpreadsheetDocument.Open(new MemoryStream(xlsx), false);
            var rows = doc.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<X.Row>()
                .Select(r => r.Elements<X.Cell>().Select(c => c.InnerText).ToList()).ToList();
            Assert.Equal(["ID", "団体名", "担当者", "メールアドレス", "状況", "最終更新", "提出回数"], rows[0]);
            Assert.Equal(["M1", "甲社", "田中 次郎", "", "未開封", "", ""], rows[1]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

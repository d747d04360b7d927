using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>
/// The console's progress list (paged, sorted, filtered and searched by the database; exports; the rate chart), the
/// reissue confirmation, one association's answers and versions, and the report page's contents (issue 8, 8–14).
/// </summary>
public partial class AdminConsoleUxTests
{
    private static async Task SeedDemoAsync(TestApp app)
    {
        await using var db = app.Db();
        await DemoSeed.SeedAsync(db, app.Survey, ReportFixtures.ResponsesPath, app.Clock);
    }

    private static async Task<int> AssociationIdAsync(TestApp app, string code)
    {
        await using var db = app.Db();
        return await db.Organisations.Where(a => a.Code == code).Select(a => a.Id).SingleAsync();
    }

    /// <summary>The codes of the list's rows, in order.</summary>
    private static List<string> Codes(string html) =>
        RowCode().Matches(html[html.IndexOf("<tbody>", html.IndexOf("class=\"data roster\"", StringComparison.Ordinal), StringComparison.Ordinal)..])
            .Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("<tr>\\s*<td>([A-Z][0-9]+)</td>")]
    private static partial Regex RowCode();

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheList_IsPagedSortedFilteredAndSearchedByTheServer(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await SeedDemoAsync(app);
        var client = await app.SignedInClientAsync();

        var first = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync("/admin"));
        var codes = Codes(first);
        Assert.Equal(50, codes.Count);
        Assert.Equal(["N01", "N02"], codes[..2]);
        Assert.Equal("団体 57 件（1～50 件目）", AdminTestKit.ById(first, "list-count"));
        Assert.Contains("href=\"/admin?page=2\" rel=\"next\"", first);
        Assert.Equal("57", AdminTestKit.ById(first, "count-invited")); // counts are of everyone, not of the page

        var second = Codes(await client.GetStringAsync("/admin?page=2"));
        Assert.Equal(7, second.Count);
        Assert.Equal("R48", second[^1]);
        Assert.Empty(codes.Intersect(second));

        var desc = await client.GetStringAsync("/admin?sort=code&dir=desc");
        Assert.Equal(["R48", "R47"], Codes(desc)[..2]);
        Assert.Contains("aria-sort=\"descending\"", desc);

        var byName = Codes(await client.GetStringAsync("/admin?sort=name&size=100"));
        Assert.Equal(57, byName.Count);

        // SC3's category column is headed 業種 (its category item's short); sort=industry, the key before the column
        // was named generically, still sorts by it. Each category's rows come together.
        var byCategory = await client.GetStringAsync("/admin?sort=category&size=100");
        Assert.Contains("<a href=\"/admin?sort=category&amp;dir=desc&amp;size=100\">業種 ▲</a>", byCategory);
        Assert.Equal(Codes(byCategory), Codes(await client.GetStringAsync("/admin?sort=industry&size=100")));
        Assert.NotEqual(Codes(first), Codes(byCategory)[..50]);
        var runs = Regex.Matches(byCategory, "<tr>\\s*<td>[A-Z][0-9]+</td>\\s*<th scope=\"row\">[^<]*</th>\\s*<td>([^<]*)</td>")
            .Select(m => m.Groups[1].Value).Aggregate(new List<string>(), (l, c) => { if (l.Count == 0 || l[^1] != c) l.Add(c); return l; });
        Assert.Equal(runs.Count, runs.Distinct().Count());
        Assert.True(runs.Count > 3, string.Join(",", runs));
        var n01 = await AssociationIdAsync(app, "N01");
        Assert.Contains("<dt>業種</dt><dd>製造業</dd>", await client.GetStringAsync($"/admin/invitees/{n01}"));

        var unopened = await client.GetStringAsync("/admin?status=unopened");
        Assert.Equal(["N01", "N02", "N03", "N04", "N05", "N06", "N07", "N08", "N09"], Codes(unopened));
        Assert.Equal("未開封の団体 9 件（1～9 件目）", AdminTestKit.ById(unopened, "list-count"));
        Assert.Contains("href=\"/admin/roster.csv?status=unopened\"", unopened);

        Assert.Equal(["N01"], Codes(await client.GetStringAsync("/admin?q=" + Uri.EscapeDataString("精密"))));
        Assert.Equal(["R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09"],
            Codes(await client.GetStringAsync("/admin?q=r0"))); // codes match whatever the case

        var statusSorted = Codes(await client.GetStringAsync("/admin?sort=status&dir=desc&size=100"));
        Assert.StartsWith("R", statusSorted[0]); // 提出済 before 未開封 when descending
        Assert.StartsWith("N", statusSorted[^1]);

        // Nonsense parameters fall back to the defaults instead of failing.
        Assert.Equal(50, Codes(await client.GetStringAsync("/admin?page=-3&size=7&sort=x&status=9")).Count);
        Assert.Equal(7, Codes(await client.GetStringAsync("/admin?page=99")).Count); // past the end: the last page
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ASubmissionWithUnsentChanges_ShowsAsEditing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await SeedDemoAsync(app);
        await using (var db = app.Db())
        {
            // R01 reopened its submitted answers and saved a page: the draft moved on from the submitted version.
            var draft = await db.Drafts.SingleAsync(d => d.Invitation.Organisation.Code == "R01");
            draft.Version++;
            draft.UpdatedAt = new DateTime(2023, 11, 1, 0, 30, 0, DateTimeKind.Utc);
            await db.SaveChangesAsync();
        }
        var client = await app.SignedInClientAsync();

        var html = await client.GetStringAsync("/admin?q=R01");
        Assert.Matches("R01</td>\\s*<th scope=\"row\">[^<]+</th>\\s*<td>[^<]*</td>\\s*<td class=\"status-draft\">修正中（未送信の変更あり）</td>\\s*<td>2023-11-01 09:30</td>", html);
        Assert.Equal("48", AdminTestKit.ById(html, "count-submitted")); // it has still submitted
        Assert.Equal("1", AdminTestKit.ById(html, "count-editing"));
        Assert.Equal(["R01"], Codes(await client.GetStringAsync("/admin?status=editing")));
        Assert.DoesNotContain("R01", Codes(await client.GetStringAsync("/admin?status=submitted")));
    }

    [Fact]
    public async Task TheRateChart_CountsFirstSubmissionsPerDayAgainstTheInvited()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite, new DateTimeOffset(2023, 12, 20, 9, 0, 0, TimeSpan.FromHours(9)));
        await SeedDemoAsync(app);
        var client = await app.SignedInClientAsync();

        var html = await client.GetStringAsync("/admin");
        Assert.Contains("<svg id=\"rate-chart\"", html);
        var days = Regex.Matches(html, "<tr><th scope=\"row\">(\\d{4}-\\d\\d-\\d\\d)</th><td class=\"num\">(\\d+)</td><td class=\"num\">(\\d+)</td><td class=\"num\">([0-9.]+%)</td></tr>");
        Assert.Equal(58, days.Count); // 2023-10-19 … 2023-12-15
        Assert.Equal("2023-10-19", days[0].Groups[1].Value);
        Assert.Equal("2023-12-15", days[^1].Groups[1].Value);
        Assert.Equal(48, days.Sum(d => int.Parse(d.Groups[2].Value)));
        Assert.Equal("48", days[^1].Groups[3].Value);
        Assert.Equal("84.2%", days[^1].Groups[4].Value);
        var busy = days.Count(d => d.Groups[2].Value != "0");
        Assert.Equal(busy, Regex.Matches(html, "<rect class=\"bar\"").Count);
        Assert.Contains("<polyline class=\"rate\" points=\"", html);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheFilteredList_ExportsAsCsvAndXlsx(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await SeedDemoAsync(app);
        var client = await app.SignedInClientAsync();

        var csv = await client.GetAsync("/admin/roster.csv?status=unopened");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("sc3-2023-回収状況-未開封-20231101.csv", csv.Content.Headers.ContentDisposition?.FileNameStar);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("\"ID\",\"団体名\",\"業種\",\"担当者\",\"メールアドレス\",\"状況\",\"最終更新\",\"提出回数\"", lines[0]);
        Assert.Equal(10, lines.Length);
        Assert.StartsWith("\"N01\",\"一般社団法人日本架空精密機器工業会\",\"製造業\"", lines[1]);
        Assert.All(lines[1..], l => Assert.Contains("\"未開封\"", l));

        var xlsx = await client.GetAsync("/admin/roster.xlsx?q=R0&sort=code&dir=desc");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal("sc3-2023-回収状況-20231101.xlsx", xlsx.Content.Headers.ContentDisposition?.FileNameStar);
        using var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync());
        using var doc = SpreadsheetDocument.Open(stream, false);
        var sheet = doc.WorkbookPart!.WorksheetParts.Single().Worksheet;
        var rows = sheet.Descendants<Row>().Select(r => r.Elements<Cell>().Select(c => c.InnerText).ToList()).ToList();
        Assert.Equal(10, rows.Count);
        Assert.Equal("ID", rows[0][0]);
        Assert.Equal(["R09", "R08"], rows.Skip(1).Take(2).Select(r => r[0]));
        Assert.Equal("提出済", rows[1][5]);

        var anonymous = app.Client();
        var refused = await anonymous.GetAsync("/admin/roster.csv");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Reissuing_AsksFirst_SayingTheOldLinkStopsWorking(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync("T01");
        var id = await AssociationIdAsync(app, "T01");
        var client = await app.SignedInClientAsync();

        var list = await client.GetStringAsync("/admin");
        Assert.DoesNotContain("handler=reissue", list); // no one-click reissue on the list
        Assert.Contains($"<a href=\"/admin/invitees/{id}/reissue\">リンク再発行", list);
        Assert.Contains($"<a href=\"/admin/invitees/{id}\">回答を見る", list);

        var confirm = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync($"/admin/invitees/{id}/reissue"));
        Assert.Contains("いま団体に知らせているリンクは使えなくなります。", confirm);
        Assert.Contains("<button type=\"submit\" class=\"danger\">リンクを再発行する（旧リンクは無効）</button>", confirm);
        Assert.Contains("<a href=\"/admin\" class=\"button secondary\">やめる</a>", confirm);
        // Looking at the confirmation changes nothing.
        Assert.Equal(HttpStatusCode.OK, (await app.Client().GetAsync(InvitationTokens.Path(token))).StatusCode);

        var done = await HttpAssert.StatusAsync(HttpStatusCode.OK,
            await AdminTestKit.PostFormAsync(client, $"/admin/invitees/{id}/reissue", $"/admin/invitees/{id}/reissue"));
        Assert.Matches("^http://localhost/a/[A-Za-z0-9_-]{24}$", AdminTestKit.ById(done, "new-link"));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client().GetAsync(InvitationTokens.Path(token))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/invitees/99999/reissue")).StatusCode);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheAnswersPage_ShowsTheSubmissionItsVersionsAndUnsentChanges(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await SeedDemoAsync(app);
        var id = await AssociationIdAsync(app, "R01");
        string before;
        await using (var db = app.Db())
        {
            // R01 resubmitted with another member count (1-3), then changed it again in a draft it has not sent.
            var submission = await db.Submissions.SingleAsync(s => s.Invitation.OrganisationId == id);
            var cells = StoredAnswers.Parse(submission.Answers);
            before = cells["q1_3"];
            cells["q1_3"] = before == "1" ? "2" : "1";
            var answers = StoredAnswers.Serialize(cells);
            var at = submission.SubmittedAt.AddDays(3);
            submission.Version = 2;
            submission.DraftVersion = 2;
            submission.Answers = answers;
            submission.SubmittedAt = at;
            db.AnswerHistory.Add(new AnswerHistory { InvitationId = submission.InvitationId, Version = 2, Answers = answers, SubmittedAt = at });
            var draft = await db.Drafts.SingleAsync(d => d.InvitationId == submission.InvitationId);
            cells["q1_3"] = "6";
            draft.Answers = StoredAnswers.Serialize(cells);
            draft.Version = 3;
            await db.SaveChangesAsync();
        }
        var client = await app.SignedInClientAsync();
        var option = (string code) => $"{code}. {app.Survey["1-3"].FindOption(int.Parse(code))!.ReportLabel}";

        var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync($"/admin/invitees/{id}"));
        Assert.Equal("修正中（未送信の変更あり）", AdminTestKit.ById(html, "invitee-status"));
        Assert.Equal("第 2 版の回答", AdminTestKit.ById(html, "shown-title"));
        Assert.Matches("<strong aria-current=\"page\">第 2 版（[0-9: -]+ 提出、変更 1 問）</strong>", html);
        Assert.Contains($"<a href=\"/admin/invitees/{id}?v=1\">第 1 版（", html);
        Assert.Contains($"<a href=\"/admin/invitees/{id}?v=draft\">未送信の下書き（", html);
        var row = Regex.Match(html, "<tr id=\"item-1-3\" class=\"changed\">.*?</tr>", RegexOptions.Singleline).Value;
        Assert.Contains("変更", row);
        Assert.Contains(option(before == "1" ? "2" : "1"), row);
        Assert.Contains("<tr id=\"item-1-6\">", html); // unchanged: no mark

        var v1 = await client.GetStringAsync($"/admin/invitees/{id}?v=1");
        Assert.Equal("第 1 版の回答", AdminTestKit.ById(v1, "shown-title"));
        Assert.Contains(option(before), Regex.Match(v1, "<tr id=\"item-1-3\".*?</tr>", RegexOptions.Singleline).Value);
        Assert.DoesNotContain("class=\"changed\"", v1);

        var draftView = await client.GetStringAsync($"/admin/invitees/{id}?v=draft");
        Assert.Equal("未送信の下書き", AdminTestKit.ById(draftView, "shown-title"));
        Assert.Contains(option("6"), Regex.Match(draftView, "<tr id=\"item-1-3\".*?</tr>", RegexOptions.Singleline).Value);

        var unopened = await client.GetStringAsync($"/admin/invitees/{await AssociationIdAsync(app, "N02")}");
        Assert.Contains("id=\"no-answers\"", unopened);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/invitees/99999")).StatusCode);
    }

    [Fact]
    public async Task TheReportPage_OpensWithAContentsListOfEveryPart_AndTheEditLog()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();
        const string page = "/admin/report/narrative/1-3";
        var form = await client.GetStringAsync(page);
        var fingerprint = Regex.Match(form, "name=\"fingerprint\" value=\"([0-9a-f]{16})\"").Groups[1].Value;
        await AdminTestKit.PostFormAsync(client, page, page + "?handler=save", ("text", "編集した本文"), ("fingerprint", fingerprint));

        var html = await client.GetStringAsync("/admin/report");
        var toc = html[html.IndexOf("id=\"toc\"", StringComparison.Ordinal)..];
        toc = toc[..toc.IndexOf("</nav>", StringComparison.Ordinal)];
        var parts = Regex.Matches(html, "<section class=\"report-part\" id=\"part-([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(parts.Count > 30, $"{parts.Count} parts");
        Assert.Equal(parts, Regex.Matches(toc, "href=\"#part-([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("<a href=\"#log-title\">編集履歴（1 件）</a>", toc);
        Assert.Matches("href=\"#part-1-3\">表 2-2 会員数（設問 1-3）</a>\\s*<span class=\"badge\">編集済み</span>", toc);
        Assert.True(html.IndexOf("id=\"toc\"", StringComparison.Ordinal) < html.IndexOf("id=\"part-", StringComparison.Ordinal));

        // Saving and discarding do not look alike.
        var edited = await client.GetStringAsync(page);
        Assert.Contains("<button type=\"submit\" class=\"primary\">保存</button>", edited);
        Assert.Contains("<button type=\"submit\" class=\"danger\">下書きに戻す（編集を破棄）</button>", edited);
    }

    [Fact]
    public void FileSizes_AreShownInKbOrMb()
    {
        Assert.Equal("512 バイト", Admin.ConsoleFiles.Size(512));
        Assert.Equal("12 KB", Admin.ConsoleFiles.Size(12 * 1024 + 100));
        Assert.Equal("3.4 MB", Admin.ConsoleFiles.Size((long)(3.4 * 1024 * 1024)));
        Assert.Equal("attachment; filename=\"sc3-2023-___-20231215.pdf\"; filename*=UTF-8''sc3-2023-%E5%A0%B1%E5%91%8A%E6%9B%B8-20231215.pdf",
            Admin.ConsoleFiles.Disposition("sc3-2023-報告書-20231215.pdf"));
    }
}

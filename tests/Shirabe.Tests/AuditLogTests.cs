using Shirabe.Core.Questionnaire;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Tests;

/// <summary>Issue 11, item 7: the audit log — every audited action written by reference, insert-only, paged, exported.</summary>
public class AuditLogTests
{
    private const string Association = "一般社団法人監査テスト工業会", Contact = "山田太郎", Email = "yamada.taro@example.jp";

    /// <summary>
    /// Every audited action through the console (and the CLI for users and links), then: one entry per action code, each naming
    /// the signed-in user, and none holding a personal value (names, e-mail, answer and narrative text, passwords, the
    /// search typed, the new link).
    /// </summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task EveryAuditedAction_IsLoggedByReference_WithNoPersonalValue(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        await app.InviteAsync("T01", Association);
        int association;
        await using (var db = app.Db())
        {
            var a = await db.Invitations.SingleAsync(x => x.Organisation.Code == "T01");
            (a.ContactName, a.ContactEmail, association) = (Contact, Email, a.OrganisationId);
            await db.SaveChangesAsync();
        }
        var admin = await app.SignedInClientAsync();
        var secrets = new List<string> { Association, Contact, Email, "監査テスト", AdminTestKit.Password };

        var reissue = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{association}/reissue", $"/admin/invitees/{association}/reissue");
        var link = AdminTestKit.ById(await reissue.Content.ReadAsStringAsync(), "new-link");
        secrets.Add(link[(link.LastIndexOf('/') + 1)..]);

        // Paper answers entered on the invitee's behalf, its validity, its address (docs/decisions/050).
        var paper = $"/admin/invitees/{association}/paper";
        var section = await admin.GetStringAsync(paper + "/s/1");
        await admin.PostAsync(paper + "/s/1", new FormUrlEncodedContent(
        [
            new("q1_1_a", Contact), new("q1_2_a", Association), new("q1_3", "4"), new("action", "review"),
            new("__RequestVerificationToken", TestApp.CsrfField().Match(section).Groups[1].Value),
        ]));
        var review = await admin.GetStringAsync(paper + "/review");
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync(paper + "/review", new FormUrlEncodedContent(
        [
            new("draftVersion", TestApp.DraftVersionField().Match(review).Groups[1].Value),
            new("__RequestVerificationToken", TestApp.CsrfField().Match(review).Groups[1].Value),
        ]))).StatusCode);
        var validity = $"/admin/invitees/{association}/validity";
        await AdminTestKit.PostFormAsync(admin, validity, validity, ("valid", "false"), ("reason", "監査用の無効理由"));
        var address = $"/admin/invitees/{association}/address";
        await AdminTestKit.PostFormAsync(admin, address, address, ("action", "fail"), ("note", "監査用の不達メモ"));
        await AdminTestKit.PostFormAsync(admin, address, address, ("action", "clear"));
        secrets.AddRange(["監査用の無効理由", "監査用の不達メモ"]);

        const string narrative = "/admin/report/narrative/1-3", text = "所見の本文は記録に残さない。";
        var fingerprint = Regex.Match(await admin.GetStringAsync(narrative), "name=\"fingerprint\" value=\"([0-9a-f]{16})\"").Groups[1].Value;
        await AdminTestKit.PostFormAsync(admin, narrative, narrative + "?handler=save", ("text", text), ("fingerprint", fingerprint));
        await AdminTestKit.PostFormAsync(admin, narrative, narrative + "?handler=revert");
        secrets.Add(text);

        const string curation = "/admin/report/answers/2-2", curated = "〇〇協会では匿名化した回答。";
        var html = await admin.GetStringAsync(curation);
        var first = Regex.Match(html, "name=\"selected\" value=\"([^\"]+)\"").Groups[1].Value;
        var original = WebUtility.HtmlDecode(Regex.Match(html, $"id=\"a-{first}\">[\\s\\S]*?<span class=\"original-text\">([^<]*)</span>").Groups[1].Value);
        Assert.NotEmpty(original);
        await AdminTestKit.PostFormAsync(admin, curation, curation + "?handler=select", ("selected", first));
        await AdminTestKit.PostFormAsync(admin, curation, curation + "?handler=edit", ("respondent", first), ("text", curated), ("reason", "団体名を伏せる"));
        await AdminTestKit.PostFormAsync(admin, curation, curation + "?handler=revert", ("respondent", first));
        secrets.AddRange([curated, original, "団体名を伏せる"]);

        await AdminReportTests.DownloadAsync(admin, "html");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/roster.csv?q=" + Uri.EscapeDataString("監査テスト"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/roster.xlsx")).StatusCode);

        // The roster: imported (T01 again, with a CC), downloaded, one contact edited; links made by the CLI.
        var roster = Encoding.UTF8.GetBytes($"コード,団体名,担当者名,メールアドレス,CC\nT01,{Association},{Contact},{Email},cc.{Email}\n");
        Assert.Contains("新規 0 件、更新 1 件", await (await RosterPageTests.UploadAsync(admin, roster)).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/roster/file.csv")).StatusCode);
        var edit = $"/admin/invitees/{association}/edit";
        Assert.Equal(HttpStatusCode.OK, (await AdminTestKit.PostFormAsync(admin, edit, edit, ("ContactName", "監査 二郎"), ("ContactEmail", Email))).StatusCode);
        secrets.Add("監査 二郎");
        var links = new StringWriter();
        await using (var db = app.Db())
            await Shirabe.Fieldwork.InviteLinks.CreateAsync(db, app.Survey.Id, new Uri("https://survey.example.jp/"), TestApp.Keys, links, app.Clock, null);
        secrets.AddRange(Regex.Matches(links.ToString(), "/a/([A-Za-z0-9_-]{24})").Select(m => m.Groups[1].Value));

        var added = await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=add", ("name", "tanaka"), ("role", StaffRoles.Analyst));
        secrets.Add(AdminTestKit.ById(await added.Content.ReadAsStringAsync(), "new-password"));
        int tanaka;
        await using (var db = app.Db()) tanaka = await db.AdminUsers.Where(u => u.Name == "tanaka").Select(u => u.Id).SingleAsync();
        var id = ("id", tanaka.ToString());
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=role", id, ("role", StaffRoles.Admin));
        var reset = await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=reset", id);
        secrets.Add(AdminTestKit.ById(await reset.Content.ReadAsStringAsync(), "new-password"));
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=disable", id);
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=enable", id);

        // Mail (decision 052): invitations, a reminder now, one scheduled and cancelled, a template saved as a new version.
        await app.InviteAsync("T02", "メール監査協会");
        await using (var db = app.Db())
            await db.Invitations.Where(i => i.Organisation.Code == "T02").ExecuteUpdateAsync(x => x.SetProperty(i => i.ContactEmail, "mail-audit@example.jp"));
        secrets.AddRange(["メール監査協会", "mail-audit@example.jp"]);
        await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=invite", ("confirmed", "true"));
        await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=remind", ("Status", "unopened"), ("When", "now"), ("confirmed", "true"));
        var at = app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).AddDays(1).ToString("yyyy-MM-ddTHH:mm");
        await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=remind", ("Status", "draft"), ("When", "later"), ("At", at));
        await using (var db = app.Db())
        {
            var round = await db.Reminders.Where(r => r.QueuedAt == null).Select(r => r.Id).SingleAsync();
            await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=cancel", ("id", round.ToString()));
            Assert.Equal(1, await db.OutboxMails.CountAsync(m => m.Kind == "reminder"));
        }
        int t02;
        await using (var db = app.Db()) t02 = await db.Organisations.Where(o => o.Code == "T02").Select(o => o.Id).SingleAsync();
        var one = $"/admin/invitees/{t02}/mail"; // invited already: a reminder to this invitee alone
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(admin, one, one, ("kind", "reminder"))).StatusCode);
        const string template = "/admin/mail/templates/receipt";
        await AdminTestKit.PostFormAsync(admin, template, template + "?handler=save",
            ("Subject", "【受付】{{調査名}}"), ("Body", SurveyMail.DefaultReceipt.Body));

        // Surveys (decision 054): an upload, a next wave, a wording change and its publication.
        Assert.Equal(HttpStatusCode.Redirect, (await SurveyAuthoringTests.UploadAsync(admin, "survey.yaml", File.ReadAllBytes(SurveyAuthoringTests.Sc3_2024))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SurveyAuthoringTests.CreateNextWaveAsync(admin, id: "sc3-2025")).StatusCode);
        var wave = await SurveyAuthoringTests.LatestAsync(app, "sc3-2025");
        Assert.Equal(HttpStatusCode.Redirect, (await SurveyAuthoringTests.PostWordingAsync(admin, "sc3-2025", wave.Id, "save", (SurveyAuthoringTests.Prompt13, "会員数"))).StatusCode);
        var edited = await SurveyAuthoringTests.LatestAsync(app, "sc3-2025");
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(admin, "/admin", $"/admin/surveys/sc3-2025/publish/{edited.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/audit.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(admin, "/admin", "/admin/signout")).StatusCode);

        await using (var db = app.Db())
        {
            var me = await db.AdminUsers.Where(u => u.Name == AdminTestKit.Name).Select(u => u.Id).SingleAsync();
            var entries = await db.AuditEntries.OrderBy(e => e.Id).ToListAsync();
            // Reading bounces needs an IMAP server: BounceTests checks its entry (user, counts, no address).
            Assert.Equal(AuditAction.Labels.Keys.Where(a => a != AuditAction.MailBouncesRead).Order(), entries.Select(e => e.Action).Distinct().Order());
            Assert.All(entries, e => Assert.Equal(e.Action == AuditAction.LinksCreated ? null : me, e.UserId)); // links: only by the CLI
            foreach (var e in entries)
                foreach (var secret in secrets)
                    Assert.False((e.Target + e.Detail).Contains(secret, StringComparison.Ordinal), $"{e.Action} holds \"{secret}\": {e.Target} {e.Detail}");
            var reissued = entries.Single(e => e.Action == AuditAction.LinkReissued);
            Assert.Equal($"organisation:{association}", reissued.Target);
            var live = await db.AccessLinks.Where(l => l.Invitation.OrganisationId == association && l.RevokedAt == null).Select(l => l.Id).SingleAsync();
            Assert.Contains($"\"added\":{live}", reissued.Detail);
            var role = entries.Single(e => e.Action == AuditAction.UserRoleChanged);
            Assert.Equal(($"user:{tanaka}", "{\"field\":\"role\",\"before\":\"analyst\",\"after\":\"admin\"}"), (role.Target, role.Detail));
            Assert.Equal($"table:2-2", entries.Single(e => e.Action == AuditAction.CurationEdited).Target);
        }
    }

    /// <summary>
    /// Insert-only: no tracked change or deletion, no ExecuteUpdate/ExecuteDelete, no raw SQL (triggers), and no route
    /// of the app (every method, with the entries' ids as values) changes an entry that exists.
    /// </summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheAuditLog_CannotBeChanged_ThroughTheAppOrTheDatabase(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = await app.SignedInClientAsync(); // one entry: the sign-in
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=add", ("name", "tanaka"), ("role", StaffRoles.Analyst));
        List<AuditEntry> before;
        await using (var db = app.Db()) before = await db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(2, before.Count);

        await using (var db = app.Db())
        {
            var entry = await db.AuditEntries.FirstAsync();
            entry.Action = AuditAction.SignOut;
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
            db.AuditEntries.Remove(await db.AuditEntries.FirstAsync());
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            await Assert.ThrowsAnyAsync<Exception>(() => db.AuditEntries.ExecuteUpdateAsync(s => s.SetProperty(e => e.UserId, (int?)null)));
            await Assert.ThrowsAnyAsync<Exception>(() => db.AuditEntries.ExecuteDeleteAsync());
            await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM \"AuditEntries\""));
            if (provider == TestApp.Postgres)
                await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("TRUNCATE \"AuditEntries\""));
        }

        // Every route as the 管理者, with every method, the form token and the entries' ids wherever a value goes.
        var token = await TestApp.CsrfTokenAsync(admin, "/admin");
        var patterns = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/')).Where(p => p != "/admin/signout").Distinct().ToList();
        Assert.Contains("/admin/audit", patterns);
        foreach (var pattern in patterns)
        {
            var path = Regex.Replace(pattern, @"\{([a-z]+)[^}]*\}", m => m.Groups[1].Value switch
            {
                "id" when pattern.Contains("guid") => Guid.NewGuid().ToString(),
                "id" => before[0].Id.ToString(),
                "format" => "csv",
                "code" => "404",
                "key" => "1-3",
                _ => "1",
            }).Replace("{", "").Replace("}", "");
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
                foreach (var handler in new[] { "", "?handler=delete", "?handler=edit", "?handler=update" })
                {
                    var request = new HttpRequestMessage(method, path + handler)
                    {
                        Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("id", before[0].Id.ToString()),
                            new("action", AuditAction.SignOut), new("userId", "")]),
                    };
                    await admin.SendAsync(request);
                }
        }
        await using (var db = app.Db())
        {
            var last = before[^1].Id;
            var after = await db.AuditEntries.AsNoTracking().Where(e => e.Id <= last).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal(before.Select(Describe), after.Select(Describe));
        }
    }

    private static string Describe(AuditEntry e) => $"{e.Id}|{e.At:O}|{e.UserId}|{e.Action}|{e.Target}|{e.Detail}";

    /// <summary>The page pages and filters on the server (user, action, days in Japan); the CSV export follows the filters.</summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheAuditPage_PagesAndFiltersOnTheServer_AndExportsCsv(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var analyst = await app.AddUserAsync("tanaka", StaffRoles.Analyst);
        await using (var db = app.Db())
        {
            var day1 = new DateTime(2023, 10, 20, 1, 0, 0, DateTimeKind.Utc); // 10:00 in Japan
            for (var i = 0; i < 60; i++)
                db.AuditEntries.Add(new AuditEntry { At = day1.AddMinutes(i), UserId = analyst, Action = AuditAction.ReportDownloaded, Target = "job:" + i });
            // 23:30 UTC on the 21st is already the 22nd in Japan.
            for (var i = 0; i < 10; i++)
                db.AuditEntries.Add(new AuditEntry { At = new DateTime(2023, 10, 21, 23, 30, i, DateTimeKind.Utc), UserId = analyst, Action = AuditAction.NarrativeEdited, Target = "table:1-3" });
            await db.SaveChangesAsync();
        }
        var admin = await app.SignedInClientAsync();

        var page1 = await admin.GetStringAsync($"/admin/audit?user={analyst}");
        Assert.Equal("70 件（1～50 件目）", AdminTestKit.ById(page1, "audit-count"));
        Assert.Contains("table:1-3", page1); // newest first
        var page2 = await admin.GetStringAsync($"/admin/audit?user={analyst}&page=2");
        Assert.Equal("70 件（51～70 件目）", AdminTestKit.ById(page2, "audit-count"));
        Assert.Contains(">job:0<", page2);
        Assert.DoesNotContain("table:1-3", page2);
        Assert.Equal("60 件（1～50 件目）", AdminTestKit.ById(await admin.GetStringAsync("/admin/audit?action=report.download"), "audit-count"));
        Assert.Equal("10 件（1～10 件目）", AdminTestKit.ById(await admin.GetStringAsync("/admin/audit?from=2023-10-22&to=2023-10-22"), "audit-count"));
        Assert.Equal("60 件（1～50 件目）", AdminTestKit.ById(await admin.GetStringAsync("/admin/audit?from=2023-10-20&to=2023-10-21"), "audit-count"));
        var all = await admin.GetStringAsync("/admin/audit");
        Assert.Contains("ログイン", all); // the sign-in above, by the 管理者
        Assert.Contains("href=\"/admin/audit.csv\"", all);

        var csv = await admin.GetAsync("/admin/audit.csv?action=narrative.edit");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition!.DispositionType);
        var lines = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length);
        Assert.StartsWith("\"番号\",\"日時（日本時間）\"", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Contains("\"2023-10-22 08:30:0", l));
        Assert.All(lines.Skip(1), l => Assert.Contains("\"tanaka\",\"narrative.edit\",\"所見の編集\",\"table:1-3\"", l));
        await using (var db = app.Db())
            Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == AuditAction.AuditExported)); // the export is itself logged
    }
}

using System.Net;
using System.Text.RegularExpressions;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests.Mail;

/// <summary>
/// Invitations, reminders and receipts end to end (docs/decisions/052): the console's mail page, the outbox drained to a
/// real SMTP server process, links followed from the delivered mails, on SQLite and PostgreSQL.
/// </summary>
public sealed partial class MailCampaignTests
{
    private const string Site = "https://survey.example.jp/";

    private static readonly (string, string)[] Page1 =
    [
        ("q1_1_a", "山田 太郎"), ("q1_1_b", "ヤマダ タロウ"), ("q1_2_a", "一般社団法人テスト工業会"), ("q1_3", "4"),
        ("q1_4_a", "60"), ("q1_4_b", "40"), ("q1_4_c", "0"), ("q1_5_a", "70"), ("q1_5_b", "20"), ("q1_5_c", "10"), ("q1_6", "5"),
    ];

    internal static MailSettings Smtp(SmtpTestServer server) => new()
    {
        Host = "127.0.0.1",
        Port = server.Port,
        Security = SecureSocketOptions.None,
        From = new MailboxAddress("SC3 調査事務局", "secretariat@example.jp"),
        PerMinute = 10_000,
        PerDay = 100_000,
        Poll = TimeSpan.Zero,
        Timeout = TimeSpan.FromSeconds(20),
        PickupDir = Path.Combine(Path.GetTempPath(), "unused"),
    };

    internal static Task<TestApp> StartAsync(string provider, MailSettings settings) =>
        TestApp.StartAsync(provider, services: s =>
        {
            s.AddSingleton(settings);
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PublicSite.Setting] = Site }).Build();
            s.AddSingleton(sp => new PublicSite(config, sp));
        });

    /// <summary>The SC3 roster (57 associations, surveys/sc3-2023/roster.csv) as invitations without links.</summary>
    internal static async Task SeedRosterAsync(TestApp app)
    {
        await using var file = File.OpenRead(Path.Combine(ShirabePaths.Root, "surveys", "sc3-2023", "roster.csv"));
        var (entries, _, _) = RosterFile.ReadAll(file, "roster.csv");
        Assert.Equal(57, entries.Count);
        await using var db = app.Db();
        foreach (var e in entries) db.Invitations.Add(NewInvitation(app, e.Code, e.Name, e.ContactName, e.Email, e.Cc.Count == 0 ? null : string.Join(", ", e.Cc)));
        await db.SaveChangesAsync();
    }

    internal static Invitation NewInvitation(TestApp app, string code, string name, string? contact, string? email, string? cc = null) => new()
    {
        SurveyId = app.Survey.Id, CreatedAt = DateTime.UtcNow, ContactName = contact, ContactEmail = email, Cc = cc,
        Organisation = new Organisation { SeriesId = app.Survey.Series ?? app.Survey.Id, Code = code, Name = name, CreatedAt = DateTime.UtcNow },
    };

    private static Task<DrainResult> DrainAsync(TestApp app, MailSettings settings) => new MailDrain(app.Database, settings, app.Clock).RunAsync();

    private static string To(MimeMessage m) => m.To.Mailboxes.Single().Address;

    private static string Link(MimeMessage m) => LinkPattern().Match(m.TextBody!).Groups[1].Value;

    [GeneratedRegex(@"https://survey\.example\.jp/a/([A-Za-z0-9_-]{24})")]
    private static partial Regex LinkPattern();

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Invitations_receipts_and_reminders_reach_exactly_the_right_invitees(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server);
        await using var app = await StartAsync(provider, settings);
        await SeedRosterAsync(app);
        string oldRandom;
        await using (var db = app.Db())
        {
            // Refused by the SMTP server (550): shown as failed, never reminded.
            db.Invitations.Add(NewInvitation(app, "X99", "架空不達協会", "不達 太郎", "reject-x99@example.jp"));
            await db.SaveChangesAsync();
        }
        // A link made before a key existed (random), already being answered: it cannot be mailed again.
        oldRandom = await app.InviteAsync("Z02", "旧リンク協会");
        await using (var db = app.Db())
        {
            var z02 = await db.Invitations.SingleAsync(i => i.Organisation.Code == "Z02");
            z02.ContactEmail = "z02@example.jp";
            db.Drafts.Add(new Draft { InvitationId = z02.Id, Answers = "{}", Version = 1, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var admin = await app.SignedInClientAsync();

        // Invitations: confirmation with the count first, then queued.
        var page = await admin.GetStringAsync("/admin/mail");
        Assert.Contains("<strong id=\"uninvited-count\">59</strong>", page);
        var confirm = await HttpAssert.StatusAsync(HttpStatusCode.OK,
            await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=invite"));
        Assert.Contains("依頼メールをまだ送っていない 59 団体に依頼メールを送ります", confirm);
        await using (var db = app.Db()) Assert.Equal(0, await db.OutboxMails.CountAsync());
        var done = await HttpAssert.StatusAsync(HttpStatusCode.OK,
            await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=invite", ("confirmed", "true")));
        Assert.Contains("依頼メールを 58 通作成し", done);
        Assert.Contains("Z02 旧リンク協会: 現在のリンクはメールに載せられません", done);

        var sent = await DrainAsync(app, settings);
        Assert.Equal((57, 1), (sent.Sent, sent.GivenUp));
        var invitations = server.Messages();
        Assert.Equal(57, invitations.Count);
        Assert.All(invitations, m => Assert.StartsWith("【ご協力のお願い】", m.Subject));
        Assert.Equal(Enumerable.Range(1, 48).Select(i => $"contact-r{i:00}@example.jp").Concat(Enumerable.Range(1, 9).Select(i => $"contact-n{i:00}@example.jp")).Order(),
            invitations.Select(To).Order());
        var r01 = invitations.Single(m => To(m) == "contact-r01@example.jp");
        Assert.Contains("一般社団法人日本化学工業協会", r01.TextBody);
        Assert.Contains(Site + "survey/privacy", r01.TextBody);
        var links = invitations.ToDictionary(To, Link);
        Assert.Equal(57, links.Values.Distinct().Count());
        await using (var db = app.Db())
        {
            // Derived links: only the hash and the stamp are stored; the failed address is marked.
            Assert.Equal(58, await db.AccessLinks.CountAsync(l => l.Stamp != null && l.RevokedAt == null));
            Assert.NotNull((await db.Invitations.SingleAsync(i => i.Organisation.Code == "X99")).AddressFailedAt);
        }
        page = await admin.GetStringAsync("/admin/mail");
        Assert.Contains("<td id=\"count-given-up\">1</td>", page);
        Assert.Contains("<td id=\"count-sent\">57</td>", page);
        Assert.Contains("<strong id=\"uninvited-count\">1</strong>", page); // Z02, until its link is reissued

        // R01 follows its link and submits: a receipt arrives. R02 leaves a draft.
        var respondent = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await respondent.GetAsync("/a/" + links["contact-r01@example.jp"])).StatusCode);
        await TestApp.PostSectionAsync(respondent, links["contact-r01@example.jp"], "1", Page1);
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.SubmitAsync(respondent, links["contact-r01@example.jp"])).StatusCode);
        await TestApp.PostSectionAsync(app.Client(), links["contact-r02@example.jp"], "1", Page1);
        Assert.Equal(1, (await DrainAsync(app, settings)).Sent);
        var receipt = server.Messages()[57];
        Assert.Equal("contact-r01@example.jp", To(receipt));
        Assert.StartsWith("【回答受付】", receipt.Subject);
        Assert.DoesNotMatch(LinkPattern(), receipt.TextBody!);

        // Reminders now to unopened and draft: everyone but the respondent and the refused address, with the first mail's link.
        confirm = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail",
            "/admin/mail?handler=remind", ("Status", "unopened"), ("Status", "draft"), ("When", "now")));
        Assert.Contains("未開封・回答中（下書き）の 57 団体に督促メールを今すぐ送ります", confirm);
        done = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail",
            "/admin/mail?handler=remind", ("Status", "unopened"), ("Status", "draft"), ("When", "now"), ("confirmed", "true")));
        Assert.Contains("督促メール（未開封・回答中（下書き））を 57 通作成し", done);
        Assert.Contains("うち 1 通はリンクを再現できない", done);
        Assert.Equal(57, (await DrainAsync(app, settings)).Sent);
        var reminders = server.Messages().Skip(58).ToList();
        Assert.All(reminders, m => Assert.StartsWith("【ご回答のお願い】", m.Subject));
        var expected = links.Keys.Where(a => a != "contact-r01@example.jp").Append("z02@example.jp").Order();
        Assert.Equal(expected, reminders.Select(To).Order());
        foreach (var m in reminders.Where(m => To(m) != "z02@example.jp")) Assert.Equal(links[To(m)], Link(m));
        var z02Mail = reminders.Single(m => To(m) == "z02@example.jp");
        Assert.Contains(MailTemplates.NoLinkText, z02Mail.TextBody);
        Assert.DoesNotMatch(LinkPattern(), z02Mail.TextBody!);
        Assert.Equal(HttpStatusCode.OK, (await app.Client().GetAsync("/a/" + oldRandom)).StatusCode); // its link still works

        // A scheduled reminder to drafts only: stored, sent only when due, to who is in draft then.
        var at = app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).AddDays(1);
        done = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail",
            "/admin/mail?handler=remind", ("Status", "draft"), ("When", "later"), ("At", at.ToString("yyyy-MM-ddTHH:mm"))));
        Assert.Contains($"{at:yyyy-MM-dd HH:mm} に予約しました", done);
        Assert.Contains("予約中", done);
        using (var scope = app.Services.CreateScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MailCampaigns>().QueueDueRemindersAsync());
        app.Clock.Set(app.Clock.GetUtcNow().AddDays(1).AddMinutes(1));
        using (var scope = app.Services.CreateScope())
            Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<MailCampaigns>().QueueDueRemindersAsync());
        using (var scope = app.Services.CreateScope()) // a second sender finds nothing left to queue
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MailCampaigns>().QueueDueRemindersAsync());
        Assert.Equal(2, (await DrainAsync(app, settings)).Sent);
        Assert.Equal(["contact-r02@example.jp", "z02@example.jp"], server.Messages().Skip(115).Select(To).Order());

        // Who got what when: the rounds with their counts, each mail tied to its round, and the audit log.
        await using (var db = app.Db())
        {
            var rounds = await db.Reminders.OrderBy(r => r.Id).ToListAsync();
            Assert.Equal([57, 2], rounds.Select(r => r.Count ?? -1));
            Assert.Equal(2, await db.OutboxMails.CountAsync(m => m.ReminderId == rounds[1].Id && m.Status == MailStatus.Sent));
            Assert.False(await db.OutboxMails.AnyAsync(m => m.InvitationId == db.Invitations.Single(i => i.Organisation.Code == "X99").Id
                                                           && m.Kind == MailKind.Reminder));
            var actions = await db.AuditEntries.Select(e => e.Action).ToListAsync();
            Assert.Contains("mail.invite", actions);
            Assert.Contains("mail.remind", actions);
            Assert.Contains("mail.remind.schedule", actions);
            Assert.Equal(2, actions.Count(a => a == "mail.remind.queued"));
        }
        admin = await app.SignedInClientAsync(addUser: false); // a day later: the idle session has ended
        page = await admin.GetStringAsync("/admin/mail");
        Assert.Contains("作成済み", page);
        Assert.DoesNotContain("予約中", page);

        // 集計担当 sees nothing of this and changes nothing.
        var analyst = await app.SignedInAsAsync("analyst", Admin.StaffRoles.Analyst);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/admin/mail")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsync("/admin/mail?handler=invite",
            new FormUrlEncodedContent([new("confirmed", "true")]))).StatusCode);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task A_scheduled_reminder_can_be_cancelled_before_it_is_due(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server);
        await using var app = await StartAsync(provider, settings);
        await using (var db = app.Db())
        {
            db.Invitations.Add(NewInvitation(app, "T01", "テスト協会", "山田", "t01@example.jp"));
            await db.SaveChangesAsync();
        }
        var admin = await app.SignedInClientAsync();
        var at = app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).AddHours(2);
        await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=remind", ("Status", "unopened"), ("When", "later"),
            ("At", at.ToString("yyyy-MM-ddTHH:mm")));
        int id;
        await using (var db = app.Db()) id = await db.Reminders.Select(r => r.Id).SingleAsync();
        var cancelled = await HttpAssert.StatusAsync(HttpStatusCode.OK,
            await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=cancel", ("id", id.ToString())));
        Assert.Contains("予約を取り消しました", cancelled);
        app.Clock.Set(app.Clock.GetUtcNow().AddHours(3));
        using (var scope = app.Services.CreateScope())
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<MailCampaigns>().QueueDueRemindersAsync());
        Assert.Equal(0, (await DrainAsync(app, settings)).Sent);
        Assert.Empty(server.Messages());
        // A time in the past is refused with its reason; nothing is stored.
        var past = await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail?handler=remind", ("Status", "unopened"),
            ("When", "later"), ("At", "2023-10-01T09:00"));
        Assert.Contains("過去の時刻です", await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, past));
        await using (var db = app.Db()) Assert.Equal(1, await db.Reminders.CountAsync());
    }
}

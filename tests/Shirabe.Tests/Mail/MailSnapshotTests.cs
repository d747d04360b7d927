using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests.Mail;

/// <summary>
/// A queuing run stores its template once and each mail only its own values (docs/decisions/077): the mail sent, and
/// the one the console shows, is the one rendered when it was queued, however the template changes afterwards; mails
/// queued in the rendered layout before the change are still sent. On SQLite and PostgreSQL, through the pickup folder.
/// </summary>
public sealed partial class MailSnapshotTests
{
    private const string Site = "https://survey.example.jp/"; // MailCampaignTests.StartAsync's address
    private const string Hostile = "<script>alert('x')</script> & \"{{回答URL}}\" 協会";

    [GeneratedRegex(@"https://survey\.example\.jp/a/[A-Za-z0-9_-]{24}")]
    private static partial Regex LinkPattern();

    private static MailSettings Pickup(string dir) => new()
    {
        From = new MailboxAddress("SC3 調査事務局", "secretariat@example.jp"), Poll = TimeSpan.Zero, PickupDir = Path.Combine(dir, "mail"),
    };

    /// <summary>Runs <paramref name="test"/> on a started app whose mail goes to a pickup folder of its own, removed afterwards.</summary>
    private static async Task WithPickupAsync(string provider, Func<TestApp, MailSettings, Task> test)
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-snapshot-").FullName;
        try
        {
            var settings = Pickup(dir);
            await using var app = await MailCampaignTests.StartAsync(provider, settings);
            await test(app, settings);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static async Task<int> InviteeAsync(TestApp app, string code, string name, string contact, string email)
    {
        await app.InviteAsync(code, name);
        await using var db = app.Db();
        var invitation = await db.Invitations.SingleAsync(i => i.Organisation.Code == code);
        invitation.ContactName = contact;
        invitation.ContactEmail = email;
        await db.SaveChangesAsync();
        return invitation.Id;
    }

    private static async Task<MimeMessage> SentAsync(MailSettings settings, OutboxMail mail) =>
        await MimeMessage.LoadAsync(Path.Combine(settings.PickupDir, PickupFolder.FileName(mail.MessageId)));

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public Task A_queued_mail_is_sent_and_shown_as_rendered_when_queued_even_after_its_template_is_edited(string provider) =>
        WithPickupAsync(provider, async (app, settings) =>
        {
            var a01 = await InviteeAsync(app, "A01", Hostile, "山田 太郎", "a01@example.jp");
            await InviteeAsync(app, "A02", "二番目協会", "佐藤 花子", "a02@example.jp");
            var survey = app.Survey;
            using (var scope = app.Services.CreateScope())
            {
                var campaigns = scope.ServiceProvider.GetRequiredService<MailCampaigns>();
                Assert.Equal(2, (await campaigns.QueueInvitationsAsync(survey.Id, onlyUninvited: true)).Queued);
                Assert.Equal(2, (await campaigns.QueueRemindersAsync(survey.Id, [ReminderTarget.Unopened])).Queued);
            }
            List<OutboxMail> mails;
            await using (var db = app.Db())
            {
                mails = await db.OutboxMails.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
                // One snapshot per run; each row only its own values, no rendered body.
                Assert.Equal([MailKind.Invitation, MailKind.Reminder], await db.MailSnapshots.OrderBy(s => s.Id).Select(s => s.Kind).ToListAsync());
                Assert.All(mails, m => Assert.True(m is { TextBody: null, HtmlBody: null, SnapshotId: not null, Values: not null }));
                Assert.Equal(2, mails.Select(m => m.SnapshotId).Distinct().Count());
                Assert.Contains("a01@example.jp", mails[0].To);
            }

            // What the rendering of the queuing moment gives, byte for byte (the link read back from the stored values).
            var expected = new Dictionary<long, MailContent>();
            await using (var db = app.Db())
                foreach (var m in mails)
                {
                    var (text, html) = await OutboxContent.BodyAsync(db, m);
                    var link = LinkPattern().Match(text).Value;
                    var org = m.InvitationId == a01 ? Hostile : "二番目協会";
                    var (contact, email) = m.InvitationId == a01 ? ("山田 太郎", "a01@example.jp") : ("佐藤 花子", "a02@example.jp");
                    var rendered = MailTemplates.Content(survey, m.Kind, new MailRecipient(org, contact, email), link, new Uri(Site));
                    Assert.Equal((rendered.Subject, rendered.Text, rendered.Html, rendered.To), (m.Subject, text, html, m.To));
                    expected[m.Id] = rendered;
                }

            // The template is edited (a new survey version) after queuing: the queued mails do not change.
            var admin = await app.SignedInClientAsync();
            var saved = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail/templates/invitation",
                "/admin/mail/templates/invitation?handler=save", ("Subject", "改訂版 {{調査名}}"), ("Body", "改訂版の本文\n{{回答URL}}\n{{個人情報の取扱い}}")));
            Assert.Contains("依頼メールの文面を保存しました", saved);

            var drained = await new MailDrain(app.Database, settings, app.Clock).RunAsync();
            Assert.Equal(4, drained.Sent);
            foreach (var m in mails)
            {
                var sent = await SentAsync(settings, m);
                Assert.Equal((expected[m.Id].Subject, m.MessageId), (sent.Subject, sent.MessageId));
                Assert.Equal(expected[m.Id].Text, sent.TextBody!.ReplaceLineEndings("\n"));
                Assert.Equal(expected[m.Id].Html, sent.HtmlBody!.ReplaceLineEndings("\n"));
                Assert.DoesNotContain("改訂版", sent.TextBody);
            }

            // The console's history shows the same text, escaped.
            await using (var db = app.Db())
            {
                var organisation = await db.Invitations.Where(i => i.Id == a01).Select(i => i.OrganisationId).SingleAsync();
                var page = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync($"/admin/invitees/{organisation}"));
                Assert.DoesNotContain("<script>alert", page);
                Assert.Contains(WebUtility.HtmlEncode(expected[mails[0].Id].Text!.Split('\n')[0]), page.Replace("&#x27;", "&#39;"));
                Assert.Contains(LinkPattern().Match(expected[mails[0].Id].Text!).Value, page);
            }
        });

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public Task A_mail_queued_rendered_before_the_migration_is_sent_after_it(string provider) =>
        WithPickupAsync(provider, async (app, settings) =>
        {
            var inv = await InviteeAsync(app, "B01", "旧形式協会", "鈴木 一郎", "b01@example.jp");
            await using (var db = app.Db())
            {
                // Back to the schema before decision 077, a mail queued as that version wrote it, then migrated again.
                var migrator = db.GetService<IMigrator>();
                await migrator.MigrateAsync("MailBounces");
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO "OutboxMails" ("InvitationId", "Kind", "To", "Subject", "TextBody", "HtmlBody", "MessageId", "Status", "Attempts", "NextAttemptAt", "LeaseExpiresAt", "CreatedAt")
                    VALUES ({0}, 'invitation', '鈴木 一郎 <b01@example.jp>', '旧形式の件名', '旧形式の本文', '<p>旧形式の本文</p>', 'old-b01@example.jp', 'queued', 0, 0, 0, {1})
                    """, inv, DateTime.UtcNow);
                await migrator.MigrateAsync();
            }
            Assert.Equal(1, (await new MailDrain(app.Database, settings, app.Clock).RunAsync()).Sent);
            var sent = await MimeMessage.LoadAsync(Path.Combine(settings.PickupDir, PickupFolder.FileName("old-b01@example.jp")));
            Assert.Equal(("旧形式の件名", "旧形式の本文", "<p>旧形式の本文</p>"), (sent.Subject, sent.TextBody!.TrimEnd(), sent.HtmlBody!.TrimEnd()));
            await using (var db = app.Db())
            {
                var mail = await db.OutboxMails.SingleAsync();
                Assert.Equal((MailStatus.Sent, (long?)null), (mail.Status, mail.SnapshotId));
                Assert.Equal("旧形式の本文", (await OutboxContent.BodyAsync(db, mail)).Text);
            }
        });
}

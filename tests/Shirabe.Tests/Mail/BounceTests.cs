using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Shirabe.Admin;
using Shirabe.Data;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests.Mail;

/// <summary>
/// Bounces read from a real IMAP mailbox (scripts/dovecot.sh) after the invitations went through the outbox to a real SMTP
/// server (docs/decisions/063): the delivery-status notifications refer to the Message-IDs of the mails actually sent.
/// Tests that need the IMAP server are marked Needs=Dovecot (left out of scripts/test.sh --fast).
/// </summary>
public sealed class BounceTests
{
    private static readonly (string Code, string Name, string Email, string? Cc)[] Invitees =
    [
        ("B01", "返送本文協会", "b01@example.jp", null),
        ("B02", "返送ヘッダー協会", "b02@example.jp", null),
        ("B03", "遅延協会", "b03@example.jp", "b03-cc@example.jp"),
        ("B04", "照合アドレス協会", "b04@example.jp", null),
        ("B05", "無事協会", "b05@example.jp", null),
    ];

    /// <summary>The app, its invitees invited and their invitations delivered: the delivered mails by address.</summary>
    private static async Task<(TestApp App, Dictionary<string, MimeMessage> Sent)> InvitedAsync(string provider, SmtpTestServer smtp,
        BounceSettings bounces)
    {
        var settings = MailCampaignTests.Smtp(smtp);
        var app = await TestApp.StartAsync(provider, services: s =>
        {
            s.AddSingleton(settings);
            s.AddSingleton(bounces);
        });
        await using (var db = app.Db())
        {
            foreach (var (code, name, email, cc) in Invitees)
                db.Invitations.Add(MailCampaignTests.NewInvitation(app, code, name, "担当 太郎", email, cc));
            await db.SaveChangesAsync();
        }
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(5, (await scope.ServiceProvider.GetRequiredService<MailCampaigns>()
                .QueueInvitationsAsync(app.Survey.Id, onlyUninvited: true)).Queued);
        Assert.Equal(5, (await new MailDrain(app.Database, settings, app.Clock).RunAsync()).Sent);
        return (app, smtp.Messages().ToDictionary(m => m.To.Mailboxes.First().Address));
    }

    /// <summary>The HTML of the table with id <paramref name="id"/>.</summary>
    private static string Table(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no table #{id}");
        return html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
    }

    private static async Task<string?> FailureAsync(TestApp app, string code)
    {
        await using var db = app.Db();
        return (await db.Invitations.SingleAsync(i => i.Organisation.Code == code)).AddressFailure;
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp)), Trait("Needs", "Dovecot")]
    public async Task Checking_bounces_marks_permanently_failed_addresses_once_and_leaves_delays_and_other_mail(string provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var mailbox = await ImapTestMailbox.CreateAsync();
        var (app, sent) = await InvitedAsync(provider, smtp, mailbox.Settings());
        await using var _ = app;
        var reply = new MimeMessage { Subject = "Re: ご協力のお願い", InReplyTo = sent["b05@example.jp"].MessageId, Body = new TextPart("plain") { Text = "回答します。" } };
        reply.From.Add(new MailboxAddress("無事 花子", "b05@example.jp"));
        await mailbox.AppendAsync(
            ImapTestMailbox.Dsn("b01@example.jp", "failed", "5.1.1", "smtp; 550 5.1.1 <b01@example.jp>: Recipient address rejected: User unknown", sent["b01@example.jp"]),
            ImapTestMailbox.Dsn("b02@example.jp", "failed", "5.2.2", "smtp; 552 5.2.2 Mailbox full", sent["b02@example.jp"], headersOnly: true),
            ImapTestMailbox.Dsn("b03-cc@example.jp", "delayed", "4.4.1", "smtp; 451 4.4.1 Connection timed out", sent["b03@example.jp"]),
            ImapTestMailbox.Dsn("b04@example.jp", "failed", "5.1.2", "smtp; 550 5.1.2 Host unknown"),
            ImapTestMailbox.Dsn("nobody@elsewhere.example", "failed", "5.1.1", "smtp; 550 5.1.1 User unknown"),
            reply);
        var admin = await app.SignedInClientAsync();
        Assert.Contains("<strong id=\"count-failed\">0</strong>", await admin.GetStringAsync("/admin"));

        var mailPage = await admin.GetStringAsync("/admin/mail");
        Assert.Contains($"IMAP 127.0.0.1:{mailbox.Port}（暗号化なし、ユーザー shirabe）のフォルダ「{mailbox.Folder}」", mailPage);
        Assert.Contains("バウンスを確認", mailPage);
        var done = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail/bounces"));
        Assert.Contains("不達通知を 5 通読みました: 宛先エラーにした団体 3、一時的な遅延（宛先エラーにしない）1、記録だけ（宛先エラー済み・宛先を変更済み）0、該当する団体なし 1。" +
                        "不達通知でない未読のメール 1 通には触れていません。", done);

        // The progress page: three failed, the delayed one and the untouched one not.
        Assert.Contains("<strong id=\"count-failed\">3</strong>", await admin.GetStringAsync("/admin"));
        var failedList = await admin.GetStringAsync("/admin?status=addressfailed");
        foreach (var name in new[] { "返送本文協会", "返送ヘッダー協会", "照合アドレス協会" }) Assert.Contains(name, failedList);
        Assert.DoesNotContain("遅延協会", failedList);
        Assert.Equal("不達通知（5.1.1）b01@example.jp: smtp; 550 5.1.1 <b01@example.jp>: Recipient address rejected: User unknown", await FailureAsync(app, "B01"));
        Assert.StartsWith("不達通知（5.2.2）b02@example.jp", await FailureAsync(app, "B02"));
        Assert.Null(await FailureAsync(app, "B03"));
        Assert.Null(await FailureAsync(app, "B05"));

        // The invitee's mail history shows the bounce under the mail it answers; the delay under B03's.
        int b01, b03;
        await using (var db = app.Db())
        {
            b01 = (await db.Organisations.SingleAsync(o => o.Code == "B01")).Id;
            b03 = (await db.Organisations.SingleAsync(o => o.Code == "B03")).Id;
            Assert.Equal(5, await db.MailBounces.CountAsync());
            Assert.Null((await db.MailBounces.SingleAsync(b => b.Recipient == "nobody@elsewhere.example")).InvitationId);
            var b04 = await db.MailBounces.SingleAsync(b => b.Recipient == "b04@example.jp");
            Assert.Equal(sent["b04@example.jp"].MessageId, (await db.OutboxMails.SingleAsync(m => m.Id == b04.MailId)).MessageId);
        }
        var history = Table(await admin.GetStringAsync($"/admin/invitees/{b01}"), "mail-history");
        Assert.Contains("不達通知 5.1.1 b01@example.jp: smtp; 550 5.1.1 &lt;b01@example.jp&gt;: Recipient address rejected", history);
        Assert.Contains("（宛先エラーにしました）", history);
        Assert.Contains("遅延の通知 4.4.1 b03-cc@example.jp", Table(await admin.GetStringAsync($"/admin/invitees/{b03}"), "mail-history"));
        var list = Table(await admin.GetStringAsync("/admin/mail/bounces"), "bounce-list");
        Assert.Contains("B04 照合アドレス協会", list);
        Assert.DoesNotContain("nobody@elsewhere.example", list); // no invitee of this survey

        // Reports are flagged \Seen; the ordinary reply is not touched.
        Assert.Equal([true, true, true, true, true, false], (await mailbox.ListAsync()).Select(m => m.Seen));

        // Twice: nothing new. After a crash between recording and flagging (\Seen lost): recorded once, flagged now.
        done = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail/bounces"));
        Assert.Contains("新しい不達通知はありませんでした。不達通知でない未読のメール 1 通には触れていません。", done);
        await mailbox.MarkAllUnseenAsync();
        done = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail/bounces"));
        Assert.Contains("処理済みの不達通知 5 通は既読にしました。", done);
        Assert.Equal([true, true, true, true, true, false], (await mailbox.ListAsync()).Select(m => m.Seen));
        await using (var db = app.Db())
        {
            Assert.Equal(5, await db.MailBounces.CountAsync());
            Assert.Equal(3, await db.Invitations.CountAsync(i => i.AddressFailedAt != null));
            // Each press is audited, with the admin and the counts.
            var audit = await db.AuditEntries.Where(e => e.Action == AuditAction.MailBouncesRead).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal(3, audit.Count);
            Assert.All(audit, e => Assert.NotNull(e.UserId));
            Assert.Contains("\"failed\":3", audit[0].Detail);
            Assert.All(audit, e => Assert.DoesNotContain("@", e.Target + e.Detail)); // by reference: invitation ids, never an address
        }

        // 集計担当: refused, nothing read.
        var analyst = await app.SignedInAsAsync("shukei", StaffRoles.Analyst);
        var token = await TestApp.CsrfTokenAsync(analyst, "/admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsync("/admin/mail/bounces",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]))).StatusCode);
        await using (var db = app.Db()) Assert.Equal(3, await db.AuditEntries.CountAsync(e => e.Action == AuditAction.MailBouncesRead));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp)), Trait("Needs", "Dovecot")]
    public async Task A_late_bounce_of_a_corrected_address_is_recorded_without_failing_the_new_one(string provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var mailbox = await ImapTestMailbox.CreateAsync();
        var (app, sent) = await InvitedAsync(provider, smtp, mailbox.Settings());
        await using var _ = app;
        await using (var db = app.Db())
        {
            var b01 = await db.Invitations.SingleAsync(i => i.Organisation.Code == "B01");
            b01.ContactEmail = "new-b01@example.jp";
            await db.SaveChangesAsync();
        }
        await mailbox.AppendAsync(ImapTestMailbox.Dsn("b01@example.jp", "failed", "5.1.1", "smtp; 550 5.1.1 User unknown", sent["b01@example.jp"]));
        var admin = await app.SignedInClientAsync();
        var done = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail/bounces"));
        Assert.Contains("宛先エラーにした団体 0、一時的な遅延（宛先エラーにしない）0、記録だけ（宛先エラー済み・宛先を変更済み）1", done);
        Assert.Null(await FailureAsync(app, "B01"));
    }

    [Fact]
    public async Task Without_a_mailbox_the_console_says_so_and_the_button_is_refused()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        var admin = await app.SignedInClientAsync();
        var page = await admin.GetStringAsync("/admin/mail");
        Assert.Contains("不達通知（バウンス）を読むメールボックスは設定されていません（Shirabe:Bounces:Host）", page);
        Assert.DoesNotContain("id=\"check-bounces\"", page);
        var refused = await AdminTestKit.PostFormAsync(admin, "/admin/mail", "/admin/mail/bounces");
        Assert.Contains("メールボックスが設定されていません", await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, refused));
    }

    [Fact, Trait("Needs", "Dovecot")]
    public async Task The_server_reads_the_mailbox_by_itself_at_the_configured_interval()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var mailbox = await ImapTestMailbox.CreateAsync();
        var (app, sent) = await InvitedAsync(TestApp.Sqlite, smtp, mailbox.Settings(poll: TimeSpan.FromSeconds(1)));
        await using var _ = app;
        await mailbox.AppendAsync(ImapTestMailbox.Dsn("b02@example.jp", "failed", "5.1.1", "smtp; 550 5.1.1 User unknown", sent["b02@example.jp"]));
        var waited = Stopwatch.StartNew();
        while (await FailureAsync(app, "B02") is null && waited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(200);
        Assert.StartsWith("不達通知（5.1.1）b02@example.jp", await FailureAsync(app, "B02"));
        // A background run with a change is audited without a user, once the run has read the whole mailbox (the entry
        // sums the run up, so it is written after the address was marked).
        AuditEntry? entry = null;
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await using var db = app.Db();
            entry = await db.AuditEntries.SingleOrDefaultAsync(e => e.Action == AuditAction.MailBouncesRead);
            if (entry is not null) break;
            await Task.Delay(200);
        }
        Assert.NotNull(entry);
        Assert.Null(entry.UserId);
    }

    private static async Task<(int Code, string Out, string Err)> ShirabeAsync(TestApp app, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var (code, output, error) = await CliTests.RunProcessAsync(env.ToDictionary(e => e.Key, e => (string?)e.Value),
            [.. args, "--db", app.Database.ConnectionString]);
        return (code, output, error);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp)), Trait("Needs", "Dovecot")]
    public async Task Mail_bounces_reads_the_mailbox_from_the_command_line_and_says_what_is_wrong(string provider)
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var mailbox = await ImapTestMailbox.CreateAsync();
        var (app, sent) = await InvitedAsync(provider, smtp, mailbox.Settings());
        await using var _ = app;
        // B02's invitation belongs to the next wave: a run for this survey leaves its bounce unread.
        var admin = await app.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await SurveyAuthoringTests.CreateNextWaveAsync(admin, app.Survey.Id, "sc3-2024")).StatusCode);
        await using (var moving = app.Db())
            await moving.Invitations.Where(i => i.Organisation.Code == "B02").ExecuteUpdateAsync(x => x.SetProperty(i => i.SurveyId, "sc3-2024"));
        await mailbox.AppendAsync(
            ImapTestMailbox.Dsn("b01@example.jp", "failed", "5.1.1", "smtp; 550 5.1.1 User unknown", sent["b01@example.jp"]),
            ImapTestMailbox.Dsn("b02@example.jp", "failed", "5.1.1", "smtp; 550 5.1.1 User unknown", sent["b02@example.jp"]),
            ImapTestMailbox.Dsn("b03@example.jp", "delayed", "4.4.7", "smtp; 451 4.4.7 Delivery time expired", sent["b03@example.jp"], headersOnly: true));
        var env = mailbox.Environment();

        var other = await ShirabeAsync(app, env, "mail", "bounces", "--survey", "no-such-survey");
        Assert.Equal(2, other.Code);
        Assert.Contains("調査「no-such-survey」はデータベースにありません", other.Err);

        var run = await ShirabeAsync(app, env, "mail", "bounces", "--survey", app.Survey.Id);
        Assert.True(run.Code == 0, run.Out + run.Err);
        Assert.Contains("[1/3] b01@example.jp 5.1.1: 宛先エラーにしました（B01 返送本文協会）", run.Out);
        Assert.Contains("[3/3] b03@example.jp 4.4.7: 一時的な遅延のため宛先エラーにしません（B03 遅延協会）", run.Out);
        Assert.Contains("不達通知を 2 通読みました: 宛先エラーにした団体 1、一時的な遅延（宛先エラーにしない）1", run.Out);
        Assert.Contains("他の調査の不達通知 1 通は未読のまま残しました。", run.Out);
        Assert.NotNull(await FailureAsync(app, "B01"));
        Assert.Null(await FailureAsync(app, "B02"));
        Assert.Null(await FailureAsync(app, "B03"));
        Assert.Equal([true, false, true], (await mailbox.ListAsync()).Select(m => m.Seen));
        // Every survey: the other wave's bounce now, the rest not again.
        var again = await ShirabeAsync(app, env, "mail", "bounces");
        Assert.Contains("[1/1] b02@example.jp 5.1.1: 宛先エラーにしました（B02 返送ヘッダー協会）", again.Out);
        Assert.Contains("不達通知を 1 通読みました: 宛先エラーにした団体 1、", again.Out);
        Assert.NotNull(await FailureAsync(app, "B02"));
        Assert.Contains("新しい不達通知はありませんでした。", (await ShirabeAsync(app, env, "mail", "bounces")).Out);

        // Wrong password, nobody listening, no mailbox, a bad setting: one Japanese message, exit 2, no stack trace.
        var wrong = await ShirabeAsync(app, new Dictionary<string, string>(env) { ["Shirabe__Bounces__Password"] = "wrong" }, "mail", "bounces");
        Assert.Equal(2, wrong.Code);
        Assert.Contains("にログインできませんでした。Shirabe:Bounces:User と Password を確かめてください。", wrong.Err);
        var away = await ShirabeAsync(app, new Dictionary<string, string>(env) { ["Shirabe__Bounces__Port"] = "1" }, "mail", "bounces");
        Assert.Equal(2, away.Code);
        Assert.Contains("不達通知のメールボックス（127.0.0.1:1）に接続できませんでした", away.Err);
        var none = await ShirabeAsync(app, new Dictionary<string, string>(), "mail", "bounces");
        Assert.Equal(2, none.Code);
        Assert.Contains("メールボックスが設定されていません", none.Err);
        var bad = await ShirabeAsync(app, new Dictionary<string, string>(env) { ["Shirabe__Bounces__Security"] = "ssl3" }, "mail", "bounces");
        Assert.Equal(2, bad.Code);
        Assert.Contains("Shirabe:Bounces:Security の「ssl3」は none、starttls、tls のどれかにしてください。", bad.Err);
        Assert.All(new[] { wrong, away, none, bad }, r => Assert.DoesNotContain("   at ", r.Err));
        await using var db = app.Db();
        Assert.Equal(3, await db.MailBounces.CountAsync());
    }
}

using System.Net;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests.Mail;

/// <summary>
/// 「依頼メールを送る」 on one invitee's page (issue 11 item 5): the invitation, then a reminder, queued for exactly that
/// invitee; refused, saying why, for a refused address, no address and a submission; 管理者 only.
/// </summary>
public sealed class InviteeMailTests
{
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task An_admin_sends_one_invitee_its_invitation_then_a_reminder_and_is_told_why_not_otherwise(string provider)
    {
        var pickup = Directory.CreateTempSubdirectory("shirabe-invitee-mail-");
        await using var app = await MailCampaignTests.StartAsync(provider, new MailSettings
        {
            From = new MailboxAddress("SC3 調査事務局", "secretariat@example.jp"), PickupDir = pickup.FullName,
        });
        var submittedToken = await app.InviteAsync("A04", "提出済協会");
        var respondent = app.Client();
        await TestApp.PostSectionAsync(respondent, submittedToken, "1",
        [
            ("q1_1_a", "山田 太郎"), ("q1_1_b", "ヤマダ タロウ"), ("q1_2_a", "一般社団法人テスト工業会"), ("q1_3", "4"),
            ("q1_4_a", "60"), ("q1_4_b", "40"), ("q1_4_c", "0"), ("q1_5_a", "70"), ("q1_5_b", "20"), ("q1_5_c", "10"), ("q1_6", "5"),
        ]);
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.SubmitAsync(respondent, submittedToken)).StatusCode);
        int Org(Shirabe.Data.ShirabeDb db, string code) => db.Organisations.Single(o => o.Code == code).Id;
        int a01, a02, a03, a04, inv01;
        await using (var db = app.Db())
        {
            db.Invitations.Add(MailCampaignTests.NewInvitation(app, "A01", "送信先協会", "送信 太郎", "a01@example.jp"));
            db.Invitations.Add(MailCampaignTests.NewInvitation(app, "A02", "宛先エラー協会", "不達 花子", "a02@example.jp"));
            db.Invitations.Add(MailCampaignTests.NewInvitation(app, "A03", "住所なし協会", "連絡 次郎", null));
            db.Invitations.Add(MailCampaignTests.NewInvitation(app, "A05", "他の協会", "他 三郎", "a05@example.jp"));
            await db.SaveChangesAsync();
            (await db.Invitations.SingleAsync(i => i.Organisation.Code == "A02")).AddressFailedAt = DateTime.UtcNow;
            (await db.Invitations.SingleAsync(i => i.Organisation.Code == "A04")).ContactEmail = "a04@example.jp";
            await db.SaveChangesAsync();
            (a01, a02, a03, a04) = (Org(db, "A01"), Org(db, "A02"), Org(db, "A03"), Org(db, "A04"));
            inv01 = (await db.Invitations.SingleAsync(i => i.Organisation.Code == "A01")).Id;
        }
        var admin = await app.SignedInClientAsync();

        Assert.Contains($"href=\"/admin/invitees/{a01}/mail\"", await admin.GetStringAsync($"/admin/invitees/{a01}"));
        var page = await admin.GetStringAsync($"/admin/invitees/{a01}/mail");
        Assert.Contains("<strong>依頼メール</strong>（回答用リンク付き）を 1 通送ります", page);
        await using (var db = app.Db()) Assert.Equal(0, await db.OutboxMails.CountAsync(m => m.Kind != MailKind.Receipt));
        var sent = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{a01}/mail", $"/admin/invitees/{a01}/mail", ("kind", "invitation"));
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.Equal($"/admin/invitees/{a01}?done=mail-invitation", sent.Headers.Location!.OriginalString);
        Assert.Contains("依頼メールを送信キューに入れました", await admin.GetStringAsync(sent.Headers.Location.OriginalString));
        await using (var db = app.Db())
        {
            var mail = await db.OutboxMails.SingleAsync(m => m.Kind != MailKind.Receipt);
            Assert.Equal((inv01, MailKind.Invitation), (mail.InvitationId, mail.Kind));
            Assert.Equal(1, await db.AccessLinks.CountAsync(l => l.Invitation.Id == inv01 && l.RevokedAt == null));
            Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == "mail.invitee" && e.Target == "invitation:" + inv01));
        }

        // Invited already: the next one is a reminder; a stale confirmation (invitation) is refused.
        page = await admin.GetStringAsync($"/admin/invitees/{a01}/mail");
        Assert.Contains("<strong>督促メール</strong>を 1 通送ります", page);
        var stale = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{a01}/mail", $"/admin/invitees/{a01}/mail", ("kind", "invitation"));
        Assert.Contains("状況が変わりました", await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, stale));
        sent = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{a01}/mail", $"/admin/invitees/{a01}/mail", ("kind", "reminder"));
        Assert.Equal($"/admin/invitees/{a01}?done=mail-reminder", sent.Headers.Location!.OriginalString);
        await using (var db = app.Db())
            Assert.Equal([MailKind.Invitation, MailKind.Reminder],
                await db.OutboxMails.Where(m => m.Kind != MailKind.Receipt).OrderBy(m => m.Id).Select(m => m.Kind).ToListAsync());
        await using (var db = app.Db())
            Assert.All(await db.OutboxMails.Where(m => m.Kind != MailKind.Receipt).ToListAsync(), m => Assert.Equal(inv01, m.InvitationId));

        // Refused, with the reason, on the page and on a POST: nothing queued.
        foreach (var (org, reason) in new[]
                 {
                     (a02, "宛先エラーになっているため送れません"), (a03, "メールアドレスがないため送れません"), (a04, "回答を提出済みのため送りません"),
                 })
        {
            page = await admin.GetStringAsync($"/admin/invitees/{org}/mail");
            Assert.Contains(reason, page);
            Assert.DoesNotContain("name=\"kind\"", page);
            var refused = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{org}/mail", $"/admin/invitees/{org}/mail", ("kind", "invitation"));
            Assert.Contains(reason, await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, refused));
        }
        await using (var db = app.Db()) Assert.Equal(2, await db.OutboxMails.CountAsync(m => m.Kind != MailKind.Receipt));

        // 集計担当: refused before anything is looked at.
        var analyst = await app.SignedInAsAsync("shukei", Shirabe.Admin.StaffRoles.Analyst);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync($"/admin/invitees/{a01}/mail")).StatusCode);
        var token = await TestApp.CsrfTokenAsync(analyst, "/admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsync($"/admin/invitees/{a01}/mail",
            new FormUrlEncodedContent([new("kind", "reminder"), new("__RequestVerificationToken", token)]))).StatusCode);
        Assert.DoesNotContain($"href=\"/admin/invitees/{a01}/mail\"", await analyst.GetStringAsync($"/admin/invitees/{a01}"));
        await using (var db = app.Db()) Assert.Equal(2, await db.OutboxMails.CountAsync(m => m.Kind != MailKind.Receipt));
    }
}

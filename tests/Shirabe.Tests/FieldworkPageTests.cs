using System.Net;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests;

/// <summary>
/// Issue 11 item 5, the fieldwork page: its counts, the opened rule, the invitee's page with its histories, validity,
/// failed addresses and answers entered from paper (docs/decisions/050).
/// </summary>
public class FieldworkPageTests
{
    private static readonly (string, string)[] Page1 =
    [
        ("q1_1_a", "山田 太郎"), ("q1_1_b", "ヤマダ タロウ"), ("q1_2_a", "一般社団法人テスト工業会"), ("q1_3", "4"),
        ("q1_4_a", "60"), ("q1_4_b", "40"), ("q1_4_c", "0"), ("q1_5_a", "70"), ("q1_5_b", "20.5"), ("q1_5_c", "9.5"), ("q1_6", "5"),
    ];

    private static async Task<int> OrganisationIdAsync(TestApp app, string code)
    {
        await using var db = app.Db();
        return await db.Organisations.Where(o => o.Code == code).Select(o => o.Id).SingleAsync();
    }

    private static async Task<Invitation> InvitationAsync(TestApp app, string code)
    {
        await using var db = app.Db();
        return await db.Invitations.AsNoTracking().SingleAsync(i => i.Organisation.Code == code);
    }

    private static async Task AnswerAndSubmitAsync(TestApp app, string token)
    {
        var client = app.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostSectionAsync(client, token, "1", Page1)).StatusCode);
        Assert.Equal($"/a/{token}/thanks", (await TestApp.SubmitAsync(client, token)).Headers.Location?.OriginalString);
    }

    private static Task<HttpResponseMessage> SetValidityAsync(HttpClient admin, int id, bool valid, string reason) =>
        AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{id}/validity", $"/admin/invitees/{id}/validity",
            ("valid", valid ? "true" : "false"), ("reason", reason));

    /// <summary>A mail of the outbox with one attempt, as the sender leaves it.</summary>
    private static async Task AddMailAsync(TestApp app, string code, string status, int? smtp, string? response)
    {
        await using var db = app.Db();
        var invitation = await db.Invitations.SingleAsync(i => i.Organisation.Code == code);
        var mail = new Outbox(db, new MailSettings { From = new MimeKit.MailboxAddress("調査事務局", "secretariat@example.jp"), PickupDir = "" }, app.Clock).Add(invitation.Id, MailKind.Invitation,
            new MailContent("tanto@example.jp", "調査へのご協力のお願い", "本文"));
        mail.Status = status;
        mail.Attempts = 1;
        mail.SentAt = status == MailStatus.Sent ? app.Clock.GetUtcNow().UtcDateTime : null;
        await db.SaveChangesAsync();
        if (status == MailStatus.Queued) return;
        db.MailAttempts.Add(new MailAttempt
        {
            MailId = mail.Id, InvitationId = invitation.Id, At = app.Clock.GetUtcNow().UtcDateTime,
            AtMs = app.Clock.GetUtcNow().ToUnixTimeMilliseconds(), Result = status, SmtpStatus = smtp, Response = response,
        });
        await db.SaveChangesAsync();
    }

    private static Dictionary<string, string> Counts(string html) => new[]
    {
        "invited", "mailed", "failed", "opened", "draft", "submitted", "invalid", "unopened",
    }.ToDictionary(k => k, k => AdminTestKit.ById(html, "count-" + k));

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Counts_FollowOpeningSubmittingInvalidatingMailingAndBounces(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var t1 = await app.InviteAsync("T01", "テスト第一工業会");
        var t2 = await app.InviteAsync("T02", "テスト第二工業会");
        var t3 = await app.InviteAsync("T03", "テスト第三工業会");
        await app.InviteAsync("T04", "テスト第四工業会");
        var admin = await app.SignedInClientAsync();

        var html = await admin.GetStringAsync("/admin");
        Assert.Equal(new Dictionary<string, string>
        {
            ["invited"] = "4", ["mailed"] = "0", ["failed"] = "0", ["opened"] = "0", ["draft"] = "0", ["submitted"] = "0",
            ["invalid"] = "0", ["unopened"] = "4",
        }, Counts(html));

        // T01 opens a section page (started); T02 and T03 answer and submit; T04 is mailed and bounces.
        Assert.Equal(HttpStatusCode.OK, (await app.Client().GetAsync($"/a/{t1}/s/1")).StatusCode);
        await AnswerAndSubmitAsync(app, t2);
        await AnswerAndSubmitAsync(app, t3);
        await AddMailAsync(app, "T04", MailStatus.Sent, 250, "OK queued");
        await AddMailAsync(app, "T01", MailStatus.Queued, null, null); // queued, not sent: not mailed
        html = await admin.GetStringAsync("/admin");
        Assert.Equal(new Dictionary<string, string>
        {
            ["invited"] = "4", ["mailed"] = "1", ["failed"] = "0", ["opened"] = "3", ["draft"] = "1", ["submitted"] = "2",
            ["invalid"] = "0", ["unopened"] = "1",
        }, Counts(html));
        Assert.Equal("50.0%", AdminTestKit.ById(html, "rate"));

        var t3Id = await OrganisationIdAsync(app, "T03");
        Assert.Equal(HttpStatusCode.Redirect, (await SetValidityAsync(admin, t3Id, false, "同一団体からの重複回答のため")).StatusCode);
        var t4Id = await OrganisationIdAsync(app, "T04");
        var bounce = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{t4Id}/address", $"/admin/invitees/{t4Id}/address",
            ("action", "fail"), ("note", "不達通知（2023-11-02 受信）"));
        Assert.Equal(HttpStatusCode.Redirect, bounce.StatusCode);

        html = await admin.GetStringAsync("/admin");
        Assert.Equal(new Dictionary<string, string>
        {
            ["invited"] = "4", ["mailed"] = "1", ["failed"] = "1", ["opened"] = "3", ["draft"] = "1", ["submitted"] = "1",
            ["invalid"] = "1", ["unopened"] = "1",
        }, Counts(html));
        Assert.Equal("25.0%", AdminTestKit.ById(html, "rate")); // valid submitted ÷ invited

        // The list filters on each state, counted by the database.
        async Task<string[]> Listed(string status)
        {
            var page = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync("/admin?status=" + status));
            return System.Text.RegularExpressions.Regex.Matches(page, "<td>(T0\\d)</td>").Select(m => m.Groups[1].Value).ToArray();
        }
        Assert.Equal(["T03"], await Listed("invalid"));
        Assert.Equal(["T04"], await Listed("addressfailed"));
        Assert.Equal(["T04"], await Listed("mailed"));
        Assert.Equal(["T01", "T02", "T03"], await Listed("unmailed"));
        Assert.Equal(["T01", "T02", "T03"], await Listed("opened"));
        Assert.Equal(["T01"], await Listed("draft"));
        Assert.Equal(["T02"], await Listed("submitted"));
        Assert.Equal(["T04"], await Listed("unopened"));
        Assert.Contains("宛先エラーの団体 1 件", await admin.GetStringAsync("/admin?status=addressfailed"));
        Assert.Contains("<span class=\"tag tag-failed\">宛先エラー</span>", await admin.GetStringAsync("/admin?status=addressfailed"));

        // Cleared by hand once the roster is corrected.
        var clear = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{t4Id}/address", $"/admin/invitees/{t4Id}/address", ("action", "clear"));
        Assert.Equal(HttpStatusCode.Redirect, clear.StatusCode);
        Assert.Equal("0", AdminTestKit.ById(await admin.GetStringAsync("/admin"), "count-failed"));
        Assert.Null((await InvitationAsync(app, "T04")).AddressFailedAt);
        await using var db = app.Db();
        var entries = await db.AuditEntries.Where(e => e.Action == AuditAction.AddressFailed || e.Action == AuditAction.AddressCleared)
            .OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([AuditAction.AddressFailed, AuditAction.AddressCleared], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal($"organisation:{t4Id}", e.Target));
        Assert.Contains("\"before\":false,\"after\":true", entries[0].Detail);
        Assert.Contains("\"before\":true,\"after\":false", entries[1].Detail);
        Assert.DoesNotContain("不達通知", entries[0].Detail); // the note by reference only
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Opened_IsNotSetByGetOrHeadOfTheLanding_ButByASectionPage_Once(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        var scanner = app.Client();

        Assert.Equal(HttpStatusCode.OK, (await scanner.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/a/{token}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await scanner.GetAsync($"/a/{token}")).StatusCode);
        Assert.Null((await InvitationAsync(app, "T01")).OpenedAt);

        var respondent = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await respondent.GetAsync($"/a/{token}/s/1")).StatusCode);
        var opened = (await InvitationAsync(app, "T01")).OpenedAt;
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime, opened!.Value, TimeSpan.FromSeconds(5));

        // Set once: a later page or save an hour on does not move it.
        app.Clock.Set(TestApp.DuringFieldwork.AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await respondent.GetAsync($"/a/{token}/s/2")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.PostSectionAsync(respondent, token, "1", Page1)).StatusCode);
        Assert.Equal(opened, (await InvitationAsync(app, "T01")).OpenedAt);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnInvalidSubmission_IsLeftOutOfResultsReportAndExport_UntilMarkedValidAgain(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var admin = await app.SignedInClientAsync();
        var r01 = await OrganisationIdAsync(app, "R01");
        Assert.Equal("48", AdminTestKit.ById(await admin.GetStringAsync("/admin/results"), "n"));

        // The reason is required: refused with the page's message, nothing changed.
        var missing = await SetValidityAsync(admin, r01, false, "  ");
        Assert.Contains("理由を入力してください", await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, missing));
        Assert.True((await app.SubmissionsAsync("R01")).Single().Valid);

        Assert.Equal($"/admin/invitees/{r01}?done=validity",
            (await SetValidityAsync(admin, r01, false, "回答者が別団体の担当者と判明")).Headers.Location?.OriginalString);
        var submission = (await app.SubmissionsAsync("R01")).Single();
        Assert.False(submission.Valid);
        Assert.Equal("回答者が別団体の担当者と判明", submission.ValidityReason);
        Assert.NotNull(submission.ValidityChangedBy);

        Assert.Equal("47", AdminTestKit.ById(await admin.GetStringAsync("/admin/results"), "n"));
        await using (var db = app.Db())
        {
            using var csv = new MemoryStream();
            Assert.Equal(47, await ResponsesTransfer.ExportAsync(db, app.Survey, csv));
            var responses = await SubmittedResponses.LoadAsync(db, app.Survey);
            Assert.Equal(47, responses.Count);
            Assert.DoesNotContain(responses, r => r.Id == "R01");
        }
        var progress = await admin.GetStringAsync("/admin");
        Assert.Equal("47", AdminTestKit.ById(progress, "count-submitted"));
        Assert.Equal("1", AdminTestKit.ById(progress, "count-invalid"));
        var detail = await admin.GetStringAsync($"/admin/invitees/{r01}");
        Assert.Equal("無効（集計対象外）", AdminTestKit.ById(detail, "invitee-validity"));
        Assert.Contains("（現在の提出・無効のため集計対象外）", detail);

        Assert.Equal(HttpStatusCode.Redirect, (await SetValidityAsync(admin, r01, true, "確認の結果、本人の回答と判明")).StatusCode);
        Assert.Equal("48", AdminTestKit.ById(await admin.GetStringAsync("/admin/results"), "n"));

        await using (var db = app.Db())
        {
            var entries = await db.AuditEntries.Where(e => e.Action == AuditAction.ValidityChanged).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal(2, entries.Count);
            Assert.Contains("\"field\":\"Submissions.Valid\",\"before\":true,\"after\":false", entries[0].Detail);
            Assert.Contains("\"before\":false,\"after\":true", entries[1].Detail);
            Assert.All(entries, e => Assert.DoesNotContain("判明", e.Detail)); // the reason by reference
        }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ValidityWithoutASubmission_IsRefusedAndSaysWhy(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.InviteAsync();
        var admin = await app.SignedInClientAsync();
        var id = await OrganisationIdAsync(app, "T01");
        Assert.Contains("提出済みの回答はありません", await admin.GetStringAsync($"/admin/invitees/{id}/validity"));
        var response = await AdminTestKit.PostFormAsync(admin, "/admin", $"/admin/invitees/{id}/validity", ("valid", "false"), ("reason", "重複"));
        Assert.Contains("提出済みの回答がありません", await HttpAssert.StatusAsync(HttpStatusCode.Conflict, response));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PaperAnswers_EnteredThroughTheSameForm_AreSubmittedAsPaper_WithAuditEntries(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.InviteAsync("T01", "一般社団法人テスト工業会");
        await app.InviteAsync("T02", "一般社団法人テスト第二工業会");
        var respondentToken = await app.InviteAsync("T03", "一般社団法人テスト第三工業会");
        var admin = await app.SignedInClientAsync();
        var id = await OrganisationIdAsync(app, "T01");
        var other = await OrganisationIdAsync(app, "T02");
        var basePath = $"/admin/invitees/{id}/paper";

        var detail = await admin.GetStringAsync($"/admin/invitees/{id}");
        Assert.Contains($"href=\"{basePath}/s/1\"", detail);
        var page = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync(basePath + "/s/1"));
        Assert.Contains("職員による代理入力（紙・郵送の回答）", page);
        Assert.Contains($"action=\"{basePath}/s/1\"", page);
        var csrf = TestApp.CsrfField().Match(page).Groups[1].Value;

        // The respondent's validation: an out-of-range choice is refused with the same message, the rest saved.
        var bad = Page1.Select(f => f.Item1 == "q1_3" ? (f.Item1, "99") : f).ToList();
        var refused = await admin.PostAsync(basePath + "/s/1", Form(bad, csrf, "next"));
        var refusedHtml = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, refused);
        var respondentRefused = await TestApp.PostSectionAsync(app.Client(), respondentToken, "1", bad);
        var respondentHtml = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, respondentRefused);
        string[] Messages(string html) => System.Text.RegularExpressions.Regex.Matches(html, "設問 [^:<]+: [^<]+").Select(m => m.Value).ToArray();
        Assert.NotEmpty(Messages(refusedHtml));
        Assert.Equal(Messages(respondentHtml), Messages(refusedHtml));

        // A form token of this invitee's questionnaire is refused on another invitee's.
        Assert.Equal(HttpStatusCode.BadRequest,
            (await admin.PostAsync($"/admin/invitees/{other}/paper/s/1", Form(Page1, csrf, "next"))).StatusCode);
        Assert.Null(await app.DraftAsync("T02"));

        // Its forms are URL-encoded like the respondent's: multipart is refused before the page (415).
        var multipart = new MultipartFormDataContent { { new StringContent(csrf), "__RequestVerificationToken" }, { new StringContent("next"), "action" } };
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PostAsync(basePath + "/s/1", multipart)).StatusCode);

        var saved = await admin.PostAsync(basePath + "/s/1", Form(Page1, csrf, "next"));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal($"{basePath}/s/2", saved.Headers.Location?.OriginalString);
        Assert.Equal("4", (await app.DraftAsync("T01"))!["q1_3"]);

        var review = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync(basePath + "/review"));
        Assert.DoesNotContain("/print", review); // no respondent-only links in staff entry
        Assert.Contains("紙の回答として提出する", review);
        var submit = await admin.PostAsync(basePath + "/review", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", TestApp.CsrfField().Match(review).Groups[1].Value),
            new("draftVersion", TestApp.DraftVersionField().Match(review).Groups[1].Value),
        ]));
        Assert.Equal($"/admin/invitees/{id}?done=paper", submit.Headers.Location?.OriginalString);

        var submission = Assert.Single(await app.SubmissionsAsync("T01"));
        Assert.Equal(SubmissionChannel.Paper, submission.Channel);
        Assert.True(submission.Valid);
        var invitation = await InvitationAsync(app, "T01");
        Assert.Null(invitation.OpenedAt); // the respondent did not open anything
        await using (var db = app.Db())
        {
            Assert.Equal(1, await db.AccessLinks.CountAsync(l => l.InvitationId == invitation.Id)); // no link was made
            var entries = await db.AuditEntries.Where(e => e.Target == $"organisation:{id}").OrderBy(e => e.Id).ToListAsync();
            Assert.Equal([AuditAction.PaperSaved, AuditAction.PaperSaved, AuditAction.PaperSubmitted], entries.Select(e => e.Action));
            Assert.All(entries, e => Assert.NotNull(e.UserId));
            Assert.Contains("\"channel\":\"paper\"", entries[^1].Detail);
            Assert.DoesNotContain("山田", string.Join("", entries.Select(e => e.Detail))); // answers by column name only
        }

        var after = await admin.GetStringAsync($"/admin/invitees/{id}?done=paper");
        Assert.Equal("紙・郵送（職員が入力）", AdminTestKit.ById(after, "invitee-channel"));
        Assert.Contains("紙・郵送の回答として提出しました", after);
        var list = await admin.GetStringAsync("/admin?status=paper");
        Assert.Contains("<span class=\"tag tag-paper\">紙</span>", list);
        Assert.Equal("1", AdminTestKit.ById(list, "count-paper"));
        Assert.Equal("1", AdminTestKit.ById(await admin.GetStringAsync("/admin/results"), "n")); // tabulated like any valid answer

        // A 集計担当 cannot enter answers, not even with a form token of its own.
        var analyst = await app.SignedInAsAsync("shukei", StaffRoles.Analyst);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync(basePath + "/s/1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsync(basePath + "/s/1",
            Form(Page1, await TestApp.CsrfTokenAsync(analyst, "/admin"), "next"))).StatusCode);
        Assert.DoesNotContain("/paper/", await analyst.GetStringAsync($"/admin/invitees/{id}"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheInviteePage_ShowsLinksAndMails_WithoutTokens_AndHostileTextEscaped(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync();
        await AnswerAndSubmitAsync(app, token);
        await AddMailAsync(app, "T01", MailStatus.GivenUp, 550, "5.1.1 <script>alert('smtp')</script> user unknown");
        var admin = await app.SignedInClientAsync();
        var id = await OrganisationIdAsync(app, "T01");
        Assert.Equal(HttpStatusCode.Redirect, (await SetValidityAsync(admin, id, false, "<script>alert('reason')</script>")).StatusCode);
        var address = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{id}/address", $"/admin/invitees/{id}/address",
            ("action", "fail"), ("note", "<img src=x onerror=alert(1)>"));
        Assert.Equal(HttpStatusCode.Redirect, address.StatusCode);

        var html = await admin.GetStringAsync($"/admin/invitees/{id}");
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("&lt;script&gt;alert(&#x27;smtp&#x27;)&lt;/script&gt;", html);
        Assert.Contains("&lt;script&gt;alert(&#x27;reason&#x27;)&lt;/script&gt;", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("送信できず（中止） 550", html);
        Assert.Contains("調査へのご協力のお願い", AdminTestKit.Section(html, "mails-title"));
        Assert.Contains("<td>有効</td>", AdminTestKit.Section(html, "links-title"));
        Assert.DoesNotContain(token, html); // links by number, never the token

        // A 集計担当 reads the answers and their validity, not the contact, links or mails.
        var analyst = await app.SignedInAsAsync("shukei", StaffRoles.Analyst);
        var read = await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync($"/admin/invitees/{id}"));
        Assert.Equal("無効（集計対象外）", AdminTestKit.ById(read, "invitee-validity"));
        Assert.DoesNotContain("mail-history", read);
        Assert.DoesNotContain("tanto@example.jp", read);
        Assert.Equal(HttpStatusCode.Forbidden, (await AdminTestKit.PostFormAsync(analyst, "/admin", $"/admin/invitees/{id}/validity",
            ("valid", "true"), ("reason", "集計担当が変更"))).StatusCode);
        Assert.False((await app.SubmissionsAsync("T01")).Single().Valid);
    }

    private static FormUrlEncodedContent Form(IEnumerable<(string Name, string Value)> fields, string csrf, string action) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))
            .Append(new("__RequestVerificationToken", csrf)).Append(new("action", action)));
}

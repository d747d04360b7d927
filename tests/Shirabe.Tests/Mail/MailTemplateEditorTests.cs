using System.Net;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Fieldwork;
using Shirabe.Surveys;

namespace Shirabe.Tests.Mail;

/// <summary>The console's template editor: a preview with a real invitee's data, saving as a new version that changes only `mail:`.</summary>
public sealed class MailTemplateEditorTests
{
    private static string Sc3Yaml => File.ReadAllText(Path.Combine(ShirabePaths.Root, "surveys", "sc3-2023", "survey.yaml"));

    private static readonly Dictionary<string, MailTemplate> Edited = new()
    {
        ["invitation"] = new("【ご協力のお願い】{{調査名}}（{{団体名}} 御中）", "{{団体名}}\n{{担当者名}} 様\n\n# 見出しではありません: \"引用\" \\ 円記号\n  字下げした行\n\n{{回答URL}}\n{{個人情報の取扱い}}"),
    };

    [Fact]
    public void A_survey_without_mail_gets_the_section_appended_and_everything_else_stays()
    {
        var before = SurveyCatalog.Canonical(Sc3Yaml);
        var after = MailYaml.WithMail(before, Edited);
        Assert.StartsWith(before.TrimEnd('\n') + "\n", after);
        var survey = SurveyLoader.Load(after);
        Assert.Equal(Edited["invitation"].Subject, survey.Mail.Invitation!.Subject);
        Assert.Equal(Edited["invitation"].Body, survey.Mail.Invitation.Body);
        Assert.Null(survey.Mail.Reminder);
        Assert.True(SurveyDiff.Compare(SurveyLoader.Load(before), survey).IsEmpty);
    }

    [Fact]
    public void An_existing_mail_section_between_keys_is_replaced_and_its_neighbours_and_comments_kept()
    {
        var before = SurveyCatalog.Canonical(Sc3Yaml);
        var at = before.IndexOf("\nscales:", StringComparison.Ordinal) + 1;
        var withMail = before[..at] + MailYaml.Emit(Edited) + "\n# scales の前のコメント\n" + before[at..];
        var reminder = new MailTemplate("【ご回答のお願い】{{調査名}}", "{{団体名}} 様\n{{回答URL}}\n{{個人情報の取扱い}}");
        var after = MailYaml.WithMail(withMail, new Dictionary<string, MailTemplate> { ["reminder"] = reminder });
        Assert.Equal(before[..at] + MailYaml.Emit(new Dictionary<string, MailTemplate> { ["reminder"] = reminder }) + "\n# scales の前のコメント\n" + before[at..], after);
        var survey = SurveyLoader.Load(after);
        Assert.Null(survey.Mail.Invitation);
        Assert.Equal(reminder, survey.Mail.Reminder);
    }

    [Fact]
    public void A_control_character_is_refused_with_where_it_is()
    {
        var e = Assert.Throws<Core.UserError>(() => MailYaml.Emit(new Dictionary<string, MailTemplate> { ["receipt"] = new("件名\u0007", "本文") }));
        Assert.Contains("受付メールの件名に使えない文字（U+0007）", e.Message);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Editing_a_template_previews_escaped_and_saves_a_new_version_with_only_mail_changed(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.InviteAsync("A01", "<script>alert(1)</script>協会");
        await using (var db = app.Db())
            await db.Invitations.ExecuteUpdateAsync(s => s.SetProperty(i => i.ContactEmail, "a01@example.jp").SetProperty(i => i.ContactName, "<b>山田</b>"));
        var admin = await app.SignedInClientAsync();

        var page = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync("/admin/mail/templates/invitation"));
        Assert.Contains("既定の文面を表示しています", page);
        Assert.DoesNotContain("<script>alert(1)", page);
        Assert.DoesNotContain("<b>山田", page);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;協会", page); // the text preview
        var frame = System.Text.RegularExpressions.Regex.Match(page, "<iframe id=\"preview-html\"[^>]*>").Value;
        Assert.Contains("sandbox", frame);
        Assert.Contains("&lt;p&gt;&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;協会&lt;br&gt;", frame); // the HTML preview, escaped twice

        var (subject, body) = (Edited["invitation"].Subject, Edited["invitation"].Body);
        var saved = await HttpAssert.StatusAsync(HttpStatusCode.OK, await AdminTestKit.PostFormAsync(admin, "/admin/mail/templates/invitation",
            "/admin/mail/templates/invitation?handler=save", ("Subject", subject), ("Body", body)));
        Assert.Contains("依頼メールの文面を保存しました（調査票の第 2 版）", saved);
        Assert.Contains("（&lt;script&gt;alert(1)&lt;/script&gt;協会 御中）", saved);
        string v1, v2;
        await using (var db = app.Db())
        {
            var versions = await db.SurveyVersions.OrderBy(v => v.Number).Select(v => v.SurveyYaml).ToListAsync();
            Assert.Equal(2, versions.Count);
            (v1, v2) = (versions[0], versions[1]);
            Assert.Contains("mail.template", await db.AuditEntries.Select(e => e.Action).ToListAsync());
        }
        Assert.StartsWith(v1.TrimEnd('\n') + "\n", v2);
        Assert.Equal(subject, SurveyLoader.Load(v2).Mail.Invitation!.Subject);

        // Mails queued from now on use the edited wording.
        using (var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(app.Services))
        {
            var campaigns = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Fieldwork.Mail.MailCampaigns>(scope.ServiceProvider);
            Assert.Equal(1, (await campaigns.QueueInvitationsAsync(app.Survey.Id, onlyUninvited: false)).Queued);
        }
        await using (var db = app.Db())
            Assert.Equal("【ご協力のお願い】" + app.Survey.Title + "（<script>alert(1)</script>協会 御中）", await db.OutboxMails.Select(m => m.Subject).SingleAsync());

        // A placeholder the loader does not know: its message, nothing saved.
        var bad = await AdminTestKit.PostFormAsync(admin, "/admin/mail/templates/invitation", "/admin/mail/templates/invitation?handler=save",
            ("Subject", subject), ("Body", body + "\n{{氏名}}"));
        Assert.Contains("差し込み項目「{{氏名}}」は使えません", await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, bad));
        await using (var db = app.Db()) Assert.Equal(2, await db.SurveyVersions.CountAsync());

        // 集計担当: refused, before anything is read or saved.
        var analyst = await app.SignedInAsAsync("analyst", Admin.StaffRoles.Analyst);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/admin/mail/templates/invitation")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsync("/admin/mail/templates/invitation?handler=save",
            new FormUrlEncodedContent([new("Subject", "x"), new("Body", "y")]))).StatusCode);
        await using (var db = app.Db()) Assert.Equal(2, await db.SurveyVersions.CountAsync());
    }

    [Fact]
    public async Task A_restart_keeps_serving_the_edited_version_while_the_folder_is_unchanged()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-restart-").FullName;
        async Task<(int Served, int Versions, string Site)> StartAsync(Func<SurveyCatalog, Task>? edit = null)
        {
            var app = ShirabeApp.Build(["--urls", "http://127.0.0.1:0"], b =>
            {
                b.Configuration["Shirabe:Db"] = "Data Source=" + Path.Combine(dir, "r.db");
                b.Configuration["Shirabe:DataDir"] = dir;
                b.Configuration["Shirabe:LinkKey"] = TestApp.LinkKey;
                b.Configuration["Shirabe:Smtp:PollSeconds"] = "0";
            });
            await app.StartAsync();
            try
            {
                var catalog = (SurveyCatalog)app.Services.GetService(typeof(SurveyCatalog))!;
                if (edit is not null) await edit(catalog);
                var site = ((Fieldwork.Mail.PublicSite)app.Services.GetService(typeof(Fieldwork.Mail.PublicSite))!).Url.AbsoluteUri;
                await using var db = ((Data.Database)app.Services.GetService(typeof(Data.Database))!).CreateContext();
                return (catalog.ServedVersionId!.Value, await db.SurveyVersions.CountAsync(), site);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        try
        {
            var first = await StartAsync(async catalog =>
            {
                var stored = (await catalog.GetAsync("sc3-2023"))!;
                await catalog.AddAsync(MailYaml.WithMail(stored.Version.SurveyYaml, Edited), stored.Version.ReportYaml);
            });
            Assert.Equal(2, first.Versions);
            Assert.Matches(@"^http://127\.0\.0\.1:\d+/$", first.Site); // no Shirabe:PublicUrl: the server's own address
            var second = await StartAsync();
            Assert.Equal(2, second.Versions); // the folder's text is not stored again over the edit
            await using var db = new Data.Database("Data Source=" + Path.Combine(dir, "r.db"), dir).CreateContext();
            Assert.Equal(2, await db.SurveyVersions.Where(v => v.Id == second.Served).Select(v => v.Number).SingleAsync());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task A_reissued_link_is_derived_so_a_reminder_can_carry_it(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.InviteAsync("A01", "テスト協会");
        var keys = (LinkKeys)app.Services.GetService(typeof(LinkKeys))!;
        await using var db = app.Db();
        var id = await db.Invitations.Select(i => i.Id).SingleAsync();
        var token = await LinkReissue.ReissueAsync(db, id, DateTime.UtcNow, keys: keys);
        var link = await db.AccessLinks.AsNoTracking().SingleAsync(l => l.RevokedAt == null);
        Assert.NotNull(link.Stamp);
        Assert.Equal(token, keys.Recover(link.Id, link.Stamp, link.TokenHash));
        Assert.Equal(HttpStatusCode.OK, (await app.Client().GetAsync("/a/" + token)).StatusCode);
    }
}

using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Shirabe.Fieldwork.Mail;
using Shirabe.Tests.Mail;

namespace Shirabe.Tests;

/// <summary>
/// `invite create` under the link rule every path shares (docs/decisions/065): with a link key its links are the ones
/// Shirabe's mails carry; without one they are random, shown once, and it says so. As a separate process (the key is
/// read from the environment), against a real SMTP server process, on SQLite and PostgreSQL.
/// </summary>
public sealed partial class InviteLinksTests
{
    [GeneratedRegex(@"https://survey\.example\.jp/a/[A-Za-z0-9_-]{24}")]
    private static partial Regex LinkPattern();

    /// <summary>The written list as e-mail → link (every row's fields quoted, no comma inside the sample's values).</summary>
    private static Dictionary<string, string> ReadLinks(string text)
    {
        var rows = text.TrimStart('\uFEFF').Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("\"code\",\"name\",\"email\",\"link\"", rows[0]);
        return rows.Skip(1).Select(r => r.Trim('"').Split("\",\"")).ToDictionary(f => f[2], f => f[3]);
    }

    private static async Task<List<(int Id, string Hash, string? Stamp)>> LinksAsync(TestApp app)
    {
        await using var db = app.Db();
        return (await db.AccessLinks.OrderBy(l => l.Id).Select(l => new { l.Id, l.TokenHash, l.Stamp }).ToListAsync())
            .Select(l => (l.Id, Convert.ToHexString(l.TokenHash), l.Stamp)).ToList();
    }

    private static async Task AllOpenTheQuestionnaireAsync(TestApp app, IEnumerable<string> links)
    {
        var client = app.Client();
        foreach (var link in links)
        {
            var page = await client.GetAsync(new Uri(link).PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains(app.Survey.Title, await page.Content.ReadAsStringAsync());
        }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task WithTheLinkKey_TheLinksOpenTheQuestionnaire_AndAReminderMailCarriesTheSameLink(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        // The test's own server sends nothing (no background sender): only the commands do.
        await using var app = await TestApp.StartAsync(provider, services: s => s.AddSingleton(MailCampaignTests.Smtp(server)));
        await MailCampaignTests.SeedRosterAsync(app);
        var env = MailCommandTests.Environment(app, server);
        var db = app.Database.ConnectionString;
        var dir = Directory.CreateTempSubdirectory("shirabe-links-").FullName;
        try
        {
            // No --base-url: the links use Shirabe:PublicUrl, the address the mails use.
            var file = Path.Combine(dir, "links.csv");
            var created = await CliTests.RunProcessAsync(env, "invite", "create", "--survey", app.Survey.Id, "--out", file, "--db", db);
            Assert.True(created.Code == 0, created.Out + created.Err);
            Assert.Contains("個人リンクの鍵（Shirabe:LinkKey）からリンクを作ります。Shirabe の依頼・督促メール（mail invite、mail remind）も同じリンクを載せます。", created.Err);
            Assert.Contains("作成中: 57 件", created.Err);
            Assert.Contains("57 件の回答用リンクを作成し", created.Out);
            Assert.Contains("このファイルをなくしても、Shirabe の依頼メール", created.Out);
            var links = ReadLinks(await File.ReadAllTextAsync(file));
            Assert.Equal(57, links.Count);
            Assert.All(links.Values, l => Assert.Matches(LinkPattern(), l));
            await AllOpenTheQuestionnaireAsync(app, links.Values);
            var stored = await LinksAsync(app);
            Assert.All(stored, l => Assert.NotNull(l.Stamp)); // derived: a reminder can make them again

            // A second run makes none and changes none.
            var again = await CliTests.RunProcessAsync(env, "invite", "create", "--survey", app.Survey.Id, "--out", Path.Combine(dir, "again.csv"), "--db", db);
            Assert.True(again.Code == 0, again.Out + again.Err);
            Assert.Contains("リンクのない招待はありません", again.Out);
            Assert.Equal(stored, await LinksAsync(app));

            // A reminder, queued and sent by the commands through the real SMTP server, carries each invitee's same link.
            var remind = await CliTests.RunProcessAsync(env, "mail", "remind", "--survey", app.Survey.Id, "--status", "unopened", "--db", db);
            Assert.True(remind.Code == 0, remind.Out + remind.Err);
            Assert.Contains("督促メールを 57 通作成し", remind.Out);
            Assert.DoesNotContain("リンクを再現できない", remind.Out);
            var send = await CliTests.RunProcessAsync(env, "mail", "send", "--db", db);
            Assert.True(send.Code == 0, send.Out + send.Err);
            var mails = server.Messages();
            Assert.Equal(57, mails.Count);
            foreach (var mail in mails)
            {
                var to = mail.To.Mailboxes.Single().Address;
                Assert.Equal(links[to], LinkPattern().Match(mail.TextBody!).Value);
                Assert.Contains(links[to], mail.HtmlBody);
            }
            Assert.Equal(stored, await LinksAsync(app)); // mailing made no new link
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task WithoutAKey_TheRandomLinksOpenTheQuestionnaire_AndTheCommandSaysRemindersCannotCarryThem(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await MailCampaignTests.SeedRosterAsync(app);
        var env = new Dictionary<string, string?> { ["Shirabe__PublicUrl"] = "https://survey.example.jp/" }; // no Shirabe__LinkKey

        var created = await CliTests.RunProcessAsync(env, "invite", "create", "--survey", app.Survey.Id, "--db", app.Database.ConnectionString);

        Assert.True(created.Code == 0, created.Out + created.Err);
        Assert.Contains("個人リンクの鍵（Shirabe:LinkKey または Shirabe:LinkKeyFile）がないため、新しい回答用リンクはランダムに作ります。", created.Err);
        Assert.Contains("作ったときにしか表示できず（データベースにはハッシュだけを保存します）、Shirabe から送る督促メールには載せられません", created.Err);
        Assert.Contains("57 件の回答用リンクを作成しました。リンクはこの出力にしか残りません", created.Err);
        var links = ReadLinks(created.Out); // without --out: the list on standard output, the messages on standard error
        Assert.Equal(57, links.Count);
        await AllOpenTheQuestionnaireAsync(app, links.Values);
        Assert.All(await LinksAsync(app), l => Assert.Null(l.Stamp));

        // Shirabe's reminders (the server has a key) cannot make these links again: they get the no-link sentence.
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<MailCampaigns>()
            .QueueRemindersAsync(app.Survey.Id, [ReminderTarget.Unopened]);
        Assert.Equal((57, 57), (result.Queued, result.WithoutLink));
        await using var db = app.Db();
        var reminders = await db.OutboxMails.AsNoTracking().ToListAsync();
        var runs = await OutboxContent.RunsAsync(db, reminders, default);
        Assert.All(reminders, m =>
        {
            var body = OutboxContent.Body(m, runs).Text;
            Assert.Contains(MailTemplates.NoLinkText, body);
            Assert.DoesNotMatch(LinkPattern(), body);
        });
    }
}

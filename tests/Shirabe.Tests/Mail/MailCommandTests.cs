using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests.Mail;

/// <summary>
/// `shirabe mail invite | remind | send` as a separate process (its settings from the environment, as an operator sets
/// them), against a real SMTP server process, on SQLite and PostgreSQL.
/// </summary>
public sealed class MailCommandTests
{
    internal static Dictionary<string, string?> Environment(TestApp app, SmtpTestServer server) => new()
    {
        ["Shirabe__LinkKey"] = TestApp.LinkKey,
        ["Shirabe__PublicUrl"] = "https://survey.example.jp/",
        ["Shirabe__Now"] = app.Clock.GetUtcNow().ToString("O"),
        ["Shirabe__Smtp__Host"] = "127.0.0.1",
        ["Shirabe__Smtp__Port"] = server.Port.ToString(),
        ["Shirabe__Smtp__Security"] = "none",
        ["Shirabe__Smtp__PerMinute"] = "1000",
        ["Shirabe__Smtp__From"] = "SC3 調査事務局 <secretariat@example.jp>",
    };

    private static async Task<(int Code, string Out, string Err)> ShirabeAsync(TestApp app, SmtpTestServer server, params string[] args)
    {
        var r = await CliTests.RunProcessAsync(Environment(app, server), [.. args, "--db", app.Database.ConnectionString]);
        return (r.Code, r.Out, r.Err);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Invite_remind_and_send_from_the_command_line(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        // The test's own server sends nothing (no background sender): only the commands do.
        await using var app = await TestApp.StartAsync(provider, services: s => s.AddSingleton(MailCampaignTests.Smtp(server)));
        await MailCampaignTests.SeedRosterAsync(app);

        var invite = await ShirabeAsync(app, server, "mail", "invite", "--survey", app.Survey.Id);
        Assert.True(invite.Code == 0, invite.Out + invite.Err);
        Assert.Contains("依頼メールを 57 通作成し、送信待ちにしました。", invite.Out);
        Assert.Empty(server.Messages()); // queued, not sent

        var again = await ShirabeAsync(app, server, "mail", "invite", "--survey", app.Survey.Id);
        Assert.Contains("依頼メールを 0 通作成し", again.Out); // only the uninvited

        var send = await ShirabeAsync(app, server, "mail", "send");
        Assert.True(send.Code == 0, send.Out + send.Err);
        Assert.Contains("送信 57 通", send.Out);
        Assert.Equal(57, server.Messages().Count);

        var at = app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).AddMinutes(-1);
        var past = await ShirabeAsync(app, server, "mail", "remind", "--survey", app.Survey.Id, "--status", "unopened", "--at", at.ToString("yyyy-MM-dd HH:mm"));
        Assert.Equal(2, past.Code);
        Assert.Contains("過去の時刻です", past.Err);
        var bad = await ShirabeAsync(app, server, "mail", "remind", "--survey", app.Survey.Id, "--status", "opened");
        Assert.Equal(2, bad.Code);
        Assert.Contains("督促の対象「opened」は unopened（未開封）か draft", bad.Err);

        var remind = await ShirabeAsync(app, server, "mail", "remind", "--survey", app.Survey.Id, "--status", "unopened,draft");
        Assert.True(remind.Code == 0, remind.Out + remind.Err);
        Assert.Contains("督促メールを 57 通作成し", remind.Out);
        await using (var db = app.Db())
        {
            Assert.Equal(57, await db.OutboxMails.CountAsync(m => m.Kind == MailKind.Reminder && m.ReminderId != null));
            // two invitation runs, the reminder and its queuing: by the command line (no user)
            Assert.Equal(4, await db.AuditEntries.CountAsync(e => e.Action.StartsWith("mail.") && e.UserId == null));
        }
    }

    [Fact]
    public async Task Help_is_japanese()
    {
        var help = await CliTests.Run("mail", "remind", "--help");
        Assert.Contains("督促メールを作成して送信待ちにします", help.Out);
        Assert.Contains("--at", help.Out);
    }
}

using System.Diagnostics;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests.Mail;

/// <summary>
/// The outbox and its senders through a real SMTP server process (smtp_server.py), on SQLite and PostgreSQL. Time moves
/// only by the test's clock: back-off, leases and caps never depend on sleeping.
/// </summary>
public sealed class OutboxTests
{
    private const string Subject = "【調査のお願い】令和5年度 SC3 業界団体アンケート（一般社団法人テスト工業会 御中）";
    private const string Text = "一般社団法人テスト工業会\n山田 太郎 様\n\n下記のリンクからご回答ください。\nhttps://example.jp/a/abc\n\n―― 調査事務局";
    private const string Html = "<p>一般社団法人テスト工業会<br>山田 太郎 様</p><p><a href=\"https://example.jp/a/abc\">回答する</a></p>";

    private static MailSettings Smtp(SmtpTestServer server, int perMinute = 10_000, int perDay = 100_000, TimeSpan? poll = null) => new()
    {
        Host = "127.0.0.1",
        Port = server.Port,
        Security = SecureSocketOptions.None,
        From = new MailboxAddress("SC3 調査事務局", "secretariat@example.jp"),
        PerMinute = perMinute,
        PerDay = perDay,
        Poll = poll ?? TimeSpan.Zero,
        Timeout = TimeSpan.FromSeconds(20),
        PickupDir = Path.Combine(Path.GetTempPath(), "unused"),
    };

    private static Task<TestApp> StartAsync(string provider, MailSettings settings) =>
        TestApp.StartAsync(provider, services: s => s.AddSingleton(settings));

    /// <summary>Invites <paramref name="code"/> and returns the invitation id.</summary>
    private static async Task<int> InvitationAsync(TestApp app, string code)
    {
        await app.InviteAsync(code, $"テスト工業会 {code}");
        await using var db = app.Db();
        return await db.Invitations.Where(i => i.Organisation.Code == code).Select(i => i.Id).SingleAsync();
    }

    private static async Task<OutboxMail> EnqueueAsync(TestApp app, int invitationId, string to, string? cc = null)
    {
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<Outbox>()
            .EnqueueAsync(invitationId, MailKind.Invitation, new MailContent(to, Subject, Text, Html, cc));
    }

    private static async Task<OutboxMail> MailAsync(TestApp app, long id)
    {
        await using var db = app.Db();
        return await db.OutboxMails.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    private static MailDrain Drain(TestApp app, MailSettings settings, Func<MailSettings, IMailTransport>? transport = null) =>
        new(app.Database, settings, app.Clock, transport);

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Mails_are_delivered_with_japanese_intact_and_their_message_id(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server);
        await using var app = await StartAsync(provider, settings);
        var inv = await InvitationAsync(app, "T01");
        var mail = await EnqueueAsync(app, inv, "\"山田, 太郎\" <yamada@example.jp>", cc: "佐藤 花子 <sato@example.jp>; suzuki@example.jp");

        var result = await Drain(app, settings).RunAsync();

        Assert.Equal((1, 0, 0), (result.Sent, result.Retrying, result.GivenUp));
        var m = Assert.Single(server.Messages());
        Assert.Equal(Subject, m.Subject);
        Assert.Equal(Text, m.TextBody!.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Contains("山田 太郎 様", m.HtmlBody);
        Assert.Equal(mail.MessageId, m.MessageId);
        Assert.Equal("secretariat@example.jp", m.From.Mailboxes.Single().Address);
        Assert.Equal("SC3 調査事務局", m.From.Mailboxes.Single().Name);
        Assert.Equal(("山田, 太郎", "yamada@example.jp"), (m.To.Mailboxes.Single().Name, m.To.Mailboxes.Single().Address));
        Assert.Equal([("佐藤 花子", "sato@example.jp"), ("", "suzuki@example.jp")], m.Cc.Mailboxes.Select(x => (x.Name ?? "", x.Address)));
        var row = await MailAsync(app, mail.Id);
        Assert.Equal((MailStatus.Sent, 1, null), (row.Status, row.Attempts, row.LeaseOwner));
        Assert.NotNull(row.SentAt);
        using var scope = app.Services.CreateScope();
        var history = Assert.Single(await scope.ServiceProvider.GetRequiredService<Outbox>().HistoryAsync(inv));
        var attempt = Assert.Single(history.Attempts);
        Assert.Equal((MailStatus.Sent, 250), (attempt.Result, attempt.SmtpStatus));
        Assert.Contains("queued as", attempt.Response);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task A_451_is_retried_after_the_back_off_and_then_delivered(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server);
        await using var app = await StartAsync(provider, settings);
        var inv = await InvitationAsync(app, "T01");
        var mail = await EnqueueAsync(app, inv, "busy@example.jp");
        var drain = Drain(app, settings);

        var first = await drain.RunAsync();
        Assert.Equal((0, 1, 0), (first.Sent, first.Retrying, first.GivenUp));
        var row = await MailAsync(app, mail.Id);
        Assert.Equal((MailStatus.Failed, 1), (row.Status, row.Attempts));
        Assert.Contains("451", row.LastError);
        var expected = app.Clock.GetUtcNow().AddMinutes(1).ToUnixTimeMilliseconds();
        Assert.InRange(row.NextAttemptAt, expected - 5_000, expected); // one minute after the attempt

        // Not due yet: nothing is tried.
        Assert.Equal(0, (await drain.RunAsync()).Retrying);
        Assert.Empty(server.Messages());

        app.Clock.Set(app.Clock.GetUtcNow().AddSeconds(61));
        var second = await drain.RunAsync();
        Assert.Equal(1, second.Sent);
        Assert.Equal(mail.MessageId, Assert.Single(server.Messages()).MessageId);
        await using var db = app.Db();
        var attempts = await db.MailAttempts.Where(a => a.MailId == mail.Id).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([(MailStatus.Failed, 451), (MailStatus.Sent, 250)], attempts.Select(a => (a.Result, a.SmtpStatus ?? 0)));
        Assert.Contains("Greylisted", attempts[0].Response);
        Assert.Null((await db.Invitations.SingleAsync(i => i.Id == inv)).AddressFailedAt);
    }

    [Fact]
    public void The_back_off_doubles_up_to_its_maximum()
    {
        var drain = new MailDrain(null!, new MailSettings
        {
            From = new MailboxAddress("", "a@example.jp"), PickupDir = "x",
            RetryDelay = TimeSpan.FromMinutes(1), MaxRetryDelay = TimeSpan.FromHours(4),
        }, TimeProvider.System);
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 240, 240], Enumerable.Range(1, 10).Select(n => drain.RetryDelay(n).TotalMinutes));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task A_550_is_given_up_and_marks_the_address_failed_with_the_servers_text(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server);
        await using var app = await StartAsync(provider, settings);
        var inv = await InvitationAsync(app, "T01");
        var ok = await InvitationAsync(app, "T02");
        var mail = await EnqueueAsync(app, inv, "reject-me@example.jp");
        await EnqueueAsync(app, ok, "fine@example.jp");

        var result = await Drain(app, settings).RunAsync();

        Assert.Equal((1, 0, 1), (result.Sent, result.Retrying, result.GivenUp));
        Assert.Equal("fine@example.jp", Assert.Single(server.Messages()).To.Mailboxes.Single().Address);
        var row = await MailAsync(app, mail.Id);
        Assert.Equal(MailStatus.GivenUp, row.Status);
        await using (var db = app.Db())
        {
            var invitation = await db.Invitations.SingleAsync(i => i.Id == inv);
            Assert.NotNull(invitation.AddressFailedAt);
            Assert.Contains("550", invitation.AddressFailure);
            Assert.Contains("reject-me@example.jp", invitation.AddressFailure);
            Assert.Null((await db.Invitations.SingleAsync(i => i.Id == ok)).AddressFailedAt);
        }
        using var scope = app.Services.CreateScope();
        var attempt = Assert.Single(Assert.Single(await scope.ServiceProvider.GetRequiredService<Outbox>().HistoryAsync(inv)).Attempts);
        Assert.Equal((MailStatus.GivenUp, 550), (attempt.Result, attempt.SmtpStatus));
        Assert.Contains("User unknown", attempt.Response);
        Assert.Equal(new Dictionary<string, int> { [MailStatus.Sent] = 1, [MailStatus.GivenUp] = 1 },
            await scope.ServiceProvider.GetRequiredService<Outbox>().CountsAsync());

        // Given up is final: a later drain, even much later, does not try again.
        app.Clock.Set(app.Clock.GetUtcNow().AddDays(2));
        Assert.Equal(0, (await Drain(app, settings).RunAsync()).GivenUp);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Two_senders_draining_at_once_send_each_mail_exactly_once(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server);
        await using var app = await StartAsync(provider, settings);
        // Which sender claims first is up to the scheduler: rounds until both took part in one (almost always the first),
        // and every round must deliver each mail exactly once.
        var bothTookPart = false;
        for (var round = 1; round <= 5 && !bothTookPart; round++)
        {
            var ids = new List<long>();
            for (var n = 1; n <= 57; n++)
            {
                var inv = await InvitationAsync(app, $"R{round}-{n:00}");
                ids.Add((await EnqueueAsync(app, inv, $"r{round}-{n:00}@example.jp")).Id);
            }

            // Each send takes a moment, as over a real network: the other sender claims while this one delivers.
            var a = Drain(app, settings, s => new Slow(MailTransports.Create(s)));
            var b = Drain(app, settings, s => new Slow(MailTransports.Create(s)));
            var results = await Task.WhenAll(Task.Run(() => a.RunAsync()), Task.Run(() => b.RunAsync()));

            Assert.Equal(57, results.Sum(r => r.Sent));
            var messages = server.Messages().Where(m => m.To.Mailboxes.Single().Address.StartsWith($"r{round}-", StringComparison.Ordinal)).ToList();
            Assert.Equal(57, messages.Count);
            Assert.Equal(57, messages.Select(m => m.MessageId).Distinct().Count());
            Assert.Equal(Enumerable.Range(1, 57).Select(n => $"r{round}-{n:00}@example.jp").Order(),
                messages.Select(m => m.To.Mailboxes.Single().Address).Order());
            await using var db = app.Db();
            Assert.Equal(57, await db.OutboxMails.CountAsync(m => ids.Contains(m.Id) && m.Status == MailStatus.Sent && m.Attempts == 1));
            Assert.Equal(57, await db.MailAttempts.CountAsync(x => ids.Contains(x.MailId)));
            // Each claims a batch of 20 at most before sending it, so both usually take part.
            bothTookPart = await db.MailAttempts.Where(x => ids.Contains(x.MailId)).Select(x => x.Sender).Distinct().CountAsync() == 2;
        }
        Assert.True(bothTookPart, "in five rounds the two senders never drained at the same time");
    }

    private sealed class Slow(IMailTransport inner) : IMailTransport
    {
        public async Task<SendReply> SendAsync(MimeMessage message, CancellationToken cancel)
        {
            await Task.Delay(15, cancel);
            return await inner.SendAsync(message, cancel);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Delivers, then dies before the outcome is committed: the process crashing between 250 and the commit.</summary>
    private sealed class CrashAfterDelivery(IMailTransport inner) : IMailTransport
    {
        public async Task<SendReply> SendAsync(MimeMessage message, CancellationToken cancel)
        {
            await inner.SendAsync(message, cancel);
            throw new InvalidOperationException("crash after the server's 250");
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Moves the clock on by <paramref name="step"/> with every mail, and lets <paramref name="during"/> run once mid-batch.</summary>
    private sealed class Ageing(IMailTransport inner, TestApp app, TimeSpan step, Func<Task> during) : IMailTransport
    {
        private int _sent;

        public async Task<SendReply> SendAsync(MimeMessage message, CancellationToken cancel)
        {
            app.Clock.Set(app.Clock.GetUtcNow().Add(step));
            if (++_sent == 3) await during();
            return await inner.SendAsync(message, cancel);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task A_slow_batch_keeps_its_lease_so_no_other_sender_sends_its_mails_again(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server);
        await using var app = await StartAsync(provider, settings);
        for (var n = 1; n <= 4; n++) await EnqueueAsync(app, await InvitationAsync(app, $"L{n}"), $"l{n}@example.jp");

        // Each send takes 0.6 of the lease: without renewal the batch's lease (its recorded-at-the-end mails too) would
        // run out before the third send, and the other sender would claim and send them again.
        var other = Drain(app, settings);
        var otherSent = -1;
        var slow = Drain(app, settings, s => new Ageing(MailTransports.Create(s), app, settings.Lease * 0.6,
            async () => otherSent = (await other.RunAsync()).Sent));

        Assert.Equal(4, (await slow.RunAsync()).Sent);
        Assert.Equal(0, otherSent);
        Assert.Equal(4, server.Messages().Count);
        await using var db = app.Db();
        Assert.Equal(4, await db.OutboxMails.CountAsync(m => m.Status == MailStatus.Sent && m.Attempts == 1 && m.LeaseOwner == null));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task A_crash_after_delivery_leaves_a_lease_that_expires_and_the_mail_is_sent_again_with_the_same_message_id(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server);
        await using var app = await StartAsync(provider, settings);
        var inv = await InvitationAsync(app, "T01");
        var mail = await EnqueueAsync(app, inv, "yamada@example.jp");

        var crashed = Drain(app, settings, s => new CrashAfterDelivery(MailTransports.Create(s)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => crashed.RunAsync());
        var row = await MailAsync(app, mail.Id);
        Assert.Equal((MailStatus.Sending, crashed.Owner), (row.Status, row.LeaseOwner));

        // While the lease runs, nobody else takes the mail.
        var other = Drain(app, settings);
        Assert.Equal(0, (await other.RunAsync()).Sent);
        app.Clock.Set(app.Clock.GetUtcNow().Add(settings.Lease).AddSeconds(1));
        Assert.Equal(1, (await other.RunAsync()).Sent);

        var messages = server.Messages();
        Assert.Equal(2, messages.Count); // at least once: the duplicate carries the same Message-ID
        Assert.All(messages, m => Assert.Equal(mail.MessageId, m.MessageId));
        row = await MailAsync(app, mail.Id);
        Assert.Equal((MailStatus.Sent, null), (row.Status, row.LeaseOwner));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task The_caps_hold_back_mails_beyond_the_minute_and_the_day(string provider)
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server, perMinute: 3, perDay: 5);
        await using var app = await StartAsync(provider, settings);
        for (var n = 1; n <= 7; n++) await EnqueueAsync(app, await InvitationAsync(app, $"R{n:00}"), $"r{n:00}@example.jp");
        var drain = Drain(app, settings);

        var first = await drain.RunAsync();
        Assert.Equal((3, 4), (first.Sent, first.HeldBack));
        Assert.Equal(0, (await drain.RunAsync()).Sent); // the same minute: nothing more
        app.Clock.Set(app.Clock.GetUtcNow().AddSeconds(61));
        var second = await drain.RunAsync();
        Assert.Equal((2, 2), (second.Sent, second.HeldBack)); // the day's 5 reached
        app.Clock.Set(app.Clock.GetUtcNow().AddMinutes(10));
        Assert.Equal(0, (await drain.RunAsync()).Sent);
        app.Clock.Set(app.Clock.GetUtcNow().AddDays(1));
        Assert.Equal(2, (await drain.RunAsync()).Sent);
        Assert.Equal(7, server.Messages().Count);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Without_smtp_the_pickup_folder_gets_readable_eml_files_named_by_message_id(string provider)
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-pickup-").FullName;
        try
        {
            var settings = new MailSettings { From = new MailboxAddress("SC3 調査事務局", "secretariat@example.jp"), Poll = TimeSpan.Zero, PickupDir = Path.Combine(dir, "mail") };
            await using var app = await StartAsync(provider, settings);
            var mails = new List<OutboxMail>();
            for (var n = 1; n <= 3; n++) mails.Add(await EnqueueAsync(app, await InvitationAsync(app, $"R{n:00}"), $"r{n:00}@example.jp"));

            var result = await Drain(app, settings).RunAsync();

            Assert.Equal(3, result.Sent);
            var files = Directory.GetFiles(settings.PickupDir).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(mails.Select(m => PickupFolder.FileName(m.MessageId)).Order(), files);
            foreach (var mail in mails)
            {
                var path = Path.Combine(settings.PickupDir, PickupFolder.FileName(mail.MessageId));
                var m = await MimeMessage.LoadAsync(path);
                Assert.Equal((Subject, mail.MessageId), (m.Subject, m.MessageId));
                Assert.Contains("山田 太郎 様", m.TextBody);
                if (!OperatingSystem.IsWindows())
                    Assert.Equal(Shirabe.Data.DataFiles.PrivateFile, File.GetUnixFileMode(path));
                var text = await File.ReadAllTextAsync(path);
                Assert.All(text, c => Assert.True(c < 128, "7-bit file")); // any mail program opens it
            }
            await using var db = app.Db();
            Assert.All(await db.MailAttempts.ToListAsync(), a => Assert.Null(a.SmtpStatus));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("件名\r\nBcc: attacker@example.com", "yamada@example.jp", null)]
    [InlineData("件名\nX-Injected: 1", "yamada@example.jp", null)]
    [InlineData("件名", "yamada@example.jp\r\nBcc: attacker@example.com", null)]
    [InlineData("件名", "\"山田\r\nBcc: a@example.com\" <yamada@example.jp>", null)]
    [InlineData("件名", "yamada@example.jp", "sato@example.jp\nBcc: attacker@example.com")]
    [InlineData("件名", "not an address", null)]
    [InlineData("件名", "yamada@", null)]
    [InlineData("件名", "", null)]
    public async Task A_line_break_in_a_header_value_or_a_bad_address_is_refused_and_nothing_is_queued(string subject, string to, string? cc)
    {
        var settings = new MailSettings { From = new MailboxAddress("", "secretariat@example.jp"), Poll = TimeSpan.Zero, PickupDir = "unused" };
        await using var app = await StartAsync(TestApp.Sqlite, settings);
        var inv = await InvitationAsync(app, "T01");
        using var scope = app.Services.CreateScope();
        var outbox = scope.ServiceProvider.GetRequiredService<Outbox>();
        await Assert.ThrowsAsync<MailHeaderError>(() => outbox.EnqueueAsync(inv, MailKind.Invitation, new MailContent(to, subject, Text, null, cc)));
        await using (var db = app.Db())
            Assert.Equal(0, await db.OutboxMails.CountAsync());
        if (!subject.Contains('\n')) return;
        // A MimeMessage built by a caller: MimeKit already unfolds the line break into the subject's text, so the
        // queued and the sent mail hold no header of the attacker's.
        var message = new MimeMessage { Subject = subject };
        message.To.Add(new MailboxAddress("山田", "yamada@example.jp"));
        var queued = await outbox.EnqueueAsync(inv, MailKind.Reminder, message);
        Assert.DoesNotContain('\n', queued.Subject);
        var built = MailMessages.Build(queued, (queued.TextBody!, queued.HtmlBody), settings);
        Assert.Null(built.Headers["X-Injected"]);
        Assert.Empty(built.Bcc);
    }

    [Fact]
    public void A_built_message_does_not_hold_on_to_the_settings_sender()
    {
        // An address list subscribes to its addresses' Changed events: a message holding the settings' one sender
        // instance would be kept alive by it, and a long drain (or the server) would keep every mail it ever sent.
        var settings = new MailSettings { From = new MailboxAddress("調査事務局", "secretariat@example.jp"), PickupDir = "unused" };
        var mail = new OutboxMail
        {
            Kind = MailKind.Invitation, To = "yamada@example.jp", Subject = "件名", MessageId = "<m1@example.jp>", Status = MailStatus.Queued,
        };
        var built = MailMessages.Build(mail, ("本文", null), settings);
        var from = Assert.IsType<MailboxAddress>(Assert.Single(built.From));
        Assert.NotSame(settings.From, from);
        Assert.Equal(("調査事務局", "secretariat@example.jp"), (from.Name, from.Address));
    }

    [Fact]
    public async Task The_server_runs_the_background_sender()
    {
        await using var server = await SmtpTestServer.StartAsync();
        var settings = Smtp(server, poll: TimeSpan.FromMilliseconds(200));
        await using var app = await StartAsync(TestApp.Sqlite, settings);
        var mail = await EnqueueAsync(app, await InvitationAsync(app, "T01"), "yamada@example.jp");
        var watch = Stopwatch.StartNew();
        while ((await MailAsync(app, mail.Id)).Status != MailStatus.Sent && watch.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(100);
        Assert.Equal(mail.MessageId, Assert.Single(server.Messages()).MessageId);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task An_unreachable_server_is_a_temporary_failure_and_the_rest_of_the_batch_waits_untried(string provider)
    {
        int port;
        await using (var gone = await SmtpTestServer.StartAsync()) port = gone.Port; // a loopback port nobody serves now
        var settings = new MailSettings
        {
            Host = "127.0.0.1", Port = port, Security = SecureSocketOptions.None,
            From = new MailboxAddress("", "secretariat@example.jp"), Poll = TimeSpan.Zero, PickupDir = "unused",
        };
        await using var app = await StartAsync(provider, settings);
        for (var n = 1; n <= 3; n++) await EnqueueAsync(app, await InvitationAsync(app, $"R{n:00}"), $"r{n:00}@example.jp");

        var result = await Drain(app, settings).RunAsync();

        Assert.Equal((0, 1, 0), (result.Sent, result.Retrying, result.GivenUp));
        await using var db = app.Db();
        var rows = await db.OutboxMails.OrderBy(m => m.Id).ToListAsync();
        Assert.Equal([(MailStatus.Failed, 1), (MailStatus.Queued, 0), (MailStatus.Queued, 0)], rows.Select(m => (m.Status, m.Attempts)));
        Assert.All(rows, m => Assert.Null(m.LeaseOwner));
        var attempt = Assert.Single(await db.MailAttempts.ToListAsync());
        Assert.Null(attempt.SmtpStatus);
        Assert.Contains("Exception", attempt.Response); // the connection error's text
    }

    [Fact]
    public async Task The_start_up_log_says_that_mail_goes_to_the_pickup_folder()
    {
        var logs = new CapturingLogs();
        var settings = new MailSettings { From = new MailboxAddress("", "shirabe@localhost"), Poll = TimeSpan.Zero, PickupDir = "/tmp/x/mail" };
        await using var app = await TestApp.StartAsync(TestApp.Sqlite, services: s =>
        {
            s.AddSingleton(settings);
            s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
        });
        Assert.Contains(logs.Lines, l => l.Contains("no SMTP server configured") && l.Contains("/tmp/x/mail (the pickup folder)"));
    }

    private sealed class CapturingLogs : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter) => Lines.Enqueue(formatter(state, exception));
        public void Dispose() { }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Mail_send_drains_once_with_a_line_per_mail_and_says_when_it_writes_to_the_pickup_folder(string provider)
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-mail-").FullName;
        try
        {
            var settings = new MailSettings { From = new MailboxAddress("", "secretariat@example.jp"), Poll = TimeSpan.Zero, PickupDir = Path.Combine(dir, "mail") };
            await using var app = await StartAsync(provider, settings);
            for (var n = 1; n <= 2; n++) await EnqueueAsync(app, await InvitationAsync(app, $"R{n:00}"), $"r{n:00}@example.jp");

            var (code, output) = await RunCliAsync(app.Database.ConnectionString, dir, []);
            Assert.Equal(0, code);
            Assert.Contains("SMTP が設定されていないため", output);
            Assert.Contains(Path.Combine(dir, "mail"), output);
            Assert.Contains("[1/2] 送信: r01@example.jp", output);
            Assert.Contains("[2/2] 送信: r02@example.jp", output);
            Assert.Contains("送信 2 通、一時的な失敗 0 通、送信不能 0 通。", output);
            Assert.DoesNotContain("\r", output); // redirected: plain lines, no progress bar
            Assert.Equal(2, Directory.GetFiles(Path.Combine(dir, "mail"), "*.eml").Length);

            // Through SMTP (configured by environment, as for the server) a refusal is shown with the server's text.
            await using var server = await SmtpTestServer.StartAsync();
            await EnqueueAsync(app, await InvitationAsync(app, "R03"), "reject@example.jp");
            (code, output) = await RunCliAsync(app.Database.ConnectionString, dir,
                [("Shirabe__Smtp__Host", "127.0.0.1"), ("Shirabe__Smtp__Port", server.Port.ToString()),
                 ("Shirabe__Smtp__Security", "none"), ("Shirabe__Smtp__From", "secretariat@example.jp")]);
            Assert.Equal(0, code);
            Assert.Contains("SMTP 127.0.0.1:" + server.Port, output);
            Assert.Contains("[1/1] 送信不能: reject@example.jp", output);
            Assert.Contains("User unknown", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(int, string)> RunCliAsync(string db, string dataDir, (string, string)[] env)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "shirabe.dll"), "mail", "send" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Shirabe__Db"] = db;
        start.Environment["Shirabe__DataDir"] = dataDir;
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (p.ExitCode, await stdout + await stderr);
    }
}

using System.Diagnostics;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using MimeKit.Utils;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests.Mail;

/// <summary>
/// A folder of its own, owned by one test, on the real IMAP server of scripts/dovecot.sh (Debian's dovecot-imapd):
/// SHIRABE_TEST_IMAP when scripts/test.sh started it, else the script is run here (it is per checkout and idempotent).
/// Messages are put in with IMAP APPEND, as a mail server delivering them would; the folder is deleted afterwards.
/// </summary>
public sealed class ImapTestMailbox : IAsyncDisposable
{
    private static readonly SemaphoreSlim Starting = new(1, 1);
    private static Dictionary<string, string>? _server;

    public string Host => _server!["Host"];
    public int Port => int.Parse(_server!["Port"]);
    public string User => _server!["User"];
    public string Password => _server!["Password"];
    public string Folder { get; } = "t" + Guid.NewGuid().ToString("N")[..16];

    public static async Task<ImapTestMailbox> CreateAsync()
    {
        await StartServerAsync();
        var mailbox = new ImapTestMailbox();
        using var client = await mailbox.ConnectAsync();
        await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync(mailbox.Folder, true);
        await client.DisconnectAsync(true);
        return mailbox;
    }

    /// <summary>The app's settings for this folder (no polling unless asked).</summary>
    public BounceSettings Settings(TimeSpan? poll = null) => new()
    {
        Host = Host, Port = Port, User = User, Password = Password, Security = SecureSocketOptions.None, Folder = Folder,
        Poll = poll ?? TimeSpan.Zero, Timeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>The environment of a `shirabe` process reading this folder.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["Shirabe__Bounces__Host"] = Host, ["Shirabe__Bounces__Port"] = Port.ToString(), ["Shirabe__Bounces__User"] = User,
        ["Shirabe__Bounces__Password"] = Password, ["Shirabe__Bounces__Security"] = "none", ["Shirabe__Bounces__Folder"] = Folder,
    };

    public async Task AppendAsync(params MimeMessage[] messages)
    {
        using var client = await ConnectAsync();
        var folder = await client.GetFolderAsync(Folder);
        foreach (var m in messages) await folder.AppendAsync(m, MessageFlags.None);
        await client.DisconnectAsync(true);
    }

    /// <summary>Subject and \Seen of every message in the folder, in order.</summary>
    public async Task<List<(string Subject, bool Seen)>> ListAsync()
    {
        using var client = await ConnectAsync();
        var folder = await client.GetFolderAsync(Folder);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var all = folder.Count == 0 ? []
            : await folder.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
        await client.DisconnectAsync(true);
        return all.Select(s => (s.Envelope?.Subject ?? "", s.Flags!.Value.HasFlag(MessageFlags.Seen))).ToList();
    }

    /// <summary>Clears \Seen on every message: as if a run had crashed after recording and before flagging.</summary>
    public async Task MarkAllUnseenAsync()
    {
        using var client = await ConnectAsync();
        var folder = await client.GetFolderAsync(Folder);
        await folder.OpenAsync(FolderAccess.ReadWrite);
        await folder.RemoveFlagsAsync(await folder.SearchAsync(SearchQuery.All), MessageFlags.Seen, silent: true);
        await client.DisconnectAsync(true);
    }

    private async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient { Timeout = 20_000 };
        await client.ConnectAsync(Host, Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(User, Password);
        return client;
    }

    private static async Task StartServerAsync()
    {
        await Starting.WaitAsync();
        try
        {
            if (_server is not null) return;
            var text = System.Environment.GetEnvironmentVariable("SHIRABE_TEST_IMAP");
            if (string.IsNullOrEmpty(text))
            {
                var start = new ProcessStartInfo(Path.Combine(ShirabePaths.Root, "scripts", "dovecot.sh"))
                {
                    ArgumentList = { "start" }, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                };
                using var process = Process.Start(start)!;
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (process.ExitCode != 0)
                    throw new InvalidOperationException($"scripts/dovecot.sh start failed (is dovecot-imapd installed? run scripts/install.sh): {await error}");
                text = (await output).Trim();
            }
            _server = text.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        }
        finally
        {
            Starting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var client = await ConnectAsync();
            await (await client.GetFolderAsync(Folder)).DeleteAsync();
            await client.DisconnectAsync(true);
        }
        catch (Exception e) when (e is IOException or ImapCommandException or FolderNotFoundException) { }
    }

    /// <summary>
    /// A delivery-status notification (RFC 3464) as a receiving server sends it back: a human part, the status fields
    /// for <paramref name="recipient"/> and, when given, the original message (message/rfc822) or only its headers
    /// (text/rfc822-headers).
    /// </summary>
    public static MimeMessage Dsn(string recipient, string action, string status, string diagnostic, MimeMessage? original = null,
        bool headersOnly = false)
    {
        var report = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = $"This is the mail system at host mx.example.net.\n\nYour message could not be delivered to {recipient}.\n" },
        };
        var fields = new MessageDeliveryStatus();
        var perMessage = new HeaderList();
        perMessage.Add("Reporting-MTA", "dns; mx.example.net");
        perMessage.Add("Arrival-Date", DateUtils.FormatDate(DateTimeOffset.UtcNow));
        var perRecipient = new HeaderList();
        perRecipient.Add("Final-Recipient", "rfc822; " + recipient);
        perRecipient.Add("Original-Recipient", "rfc822;" + recipient);
        perRecipient.Add("Action", action);
        perRecipient.Add("Status", status);
        perRecipient.Add("Remote-MTA", "dns; mail.example.net");
        perRecipient.Add("Diagnostic-Code", diagnostic);
        fields.StatusGroups.Add(perMessage);
        fields.StatusGroups.Add(perRecipient);
        report.Add(fields);
        if (original is not null)
        {
            if (headersOnly)
            {
                var headers = new MemoryStream();
                original.Headers.WriteTo(headers);
                headers.Position = 0;
                report.Add(new MimePart("text", "rfc822-headers") { Content = new MimeContent(headers) });
            }
            else report.Add(new MessagePart { Message = original });
        }
        var dsn = new MimeMessage
        {
            Subject = action == "delayed" ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender",
            MessageId = MimeUtils.GenerateMessageId("mx.example.net"),
            Date = DateTimeOffset.UtcNow,
            Body = report,
        };
        dsn.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@mx.example.net"));
        dsn.To.Add(new MailboxAddress("", "secretariat@example.jp"));
        return dsn;
    }
}

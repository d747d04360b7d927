using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>The server's reply to a delivered mail: SMTP code (null for the pickup folder) and text.</summary>
public sealed record SendReply(int? Status, string Text);

/// <summary>Where the drain hands mails: an SMTP server or the pickup folder. Throws on failure (classified by <see cref="MailFailure"/>).</summary>
public interface IMailTransport : IAsyncDisposable
{
    Task<SendReply> SendAsync(MimeMessage message, CancellationToken cancel);
}

public static class MailTransports
{
    public static IMailTransport Create(MailSettings settings) =>
        settings.UsesSmtp ? new SmtpTransport(settings) : new PickupFolder(settings.PickupDir);
}

/// <summary>Builds the MimeMessage of an outbox row: the same headers and body on every attempt.</summary>
public static class MailMessages
{
    /// <summary>The message of <paramref name="mail"/> with its bodies (<see cref="OutboxContent.Body"/>).</summary>
    public static MimeMessage Build(OutboxMail mail, (string Text, string? Html) body, MailSettings settings)
    {
        var message = new MimeMessage { Subject = mail.Subject, MessageId = mail.MessageId, Date = new DateTimeOffset(mail.CreatedAt) };
        // A copy: an address list subscribes to its addresses' Changed events, so adding the settings' one instance
        // would keep every message ever built alive (≈ 14 KB a mail: 1.7 GB for a drain of 100,000).
        message.From.Add((MailboxAddress)settings.From.Clone());
        message.To.AddRange(MailHeaders.Addresses("To", mail.To));
        message.Cc.AddRange(MailHeaders.Addresses("Cc", mail.Cc));
        MailHeaders.Check(message);
        message.Body = new BodyBuilder { TextBody = body.Text, HtmlBody = body.Html }.ToMessageBody();
        // 7-bit (base64 / quoted-printable) for any relay, and identical bytes on every attempt.
        message.Prepare(EncodingConstraint.SevenBit);
        return message;
    }
}

/// <summary>How a failed attempt counts: temporary (4xx, connection, timeout: retried) or permanent (5xx: given up).</summary>
public sealed record MailFailure(bool Permanent, int? Status, string Text, string? Address)
{
    /// <summary>The failure for a delivery error, or null for anything else (a bug, which propagates).</summary>
    public static MailFailure? Classify(Exception e) => e switch
    {
        SmtpCommandException c => new((int)c.StatusCode >= 500, (int)c.StatusCode,
            $"{(int)c.StatusCode} {c.Message}".Trim(), c.Mailbox?.Address),
        SmtpProtocolException or ServiceNotConnectedException or AuthenticationException or SslHandshakeException
            or SocketException or IOException or TimeoutException => new(false, null, $"{e.GetType().Name}: {e.Message}", null),
        _ => null,
    };
}

/// <summary>MailKit's SMTP client, connected on first use and again after a broken connection.</summary>
internal sealed class SmtpTransport(MailSettings settings) : IMailTransport
{
    private SmtpClient? _client;

    public async Task<SendReply> SendAsync(MimeMessage message, CancellationToken cancel)
    {
        try
        {
            if (_client is not { IsConnected: true })
            {
                _client?.Dispose();
                _client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
                await _client.ConnectAsync(settings.Host!, settings.Port, settings.Security, cancel);
                if (!string.IsNullOrEmpty(settings.User))
                    await _client.AuthenticateAsync(settings.User, settings.Password ?? "", cancel);
            }
            var reply = await _client.SendAsync(message, cancel);
            return new SendReply(250, "250 " + reply);
        }
        catch (Exception e) when (e is not SmtpCommandException)
        {
            // A broken connection is not reused; a refused command leaves it usable (MailKit resets the transaction).
            _client?.Dispose();
            _client = null;
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is null) return;
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(true);
        }
        catch (Exception e) when (MailFailure.Classify(e) is not null) { }
        _client.Dispose();
    }
}

/// <summary>
/// The embedded default: each mail as an .eml file named after its Message-ID, written to a hidden temporary file and
/// renamed (a reader never sees half a mail; a duplicate replaces the same file). Private like the rest of data/.
/// </summary>
public sealed class PickupFolder(string dir) : IMailTransport
{
    public async Task<SendReply> SendAsync(MimeMessage message, CancellationToken cancel)
    {
        DataFiles.SecureFolder(dir);
        var name = FileName(message.MessageId ?? throw new ArgumentException("a mail without a Message-ID"));
        var path = Path.Combine(dir, name);
        var temp = Path.Combine(dir, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = DataFiles.PrivateFile;
            await using (var file = new FileStream(temp, options))
            {
                await message.WriteToAsync(file, cancel);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return new SendReply(null, name);
    }

    /// <summary>The Message-ID with anything but letters, digits and <c>. _ - @</c> replaced: safe on every file system.</summary>
    public static string FileName(string messageId)
    {
        var s = new StringBuilder();
        foreach (var c in messageId.Trim('<', '>'))
            s.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' ? c : '_');
        if (s.Length > 200) s.Length = 200;
        return s + ".eml";
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

using MailKit.Security;

namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// The mailbox where delivery-status notifications arrive (docs/web.md, keys under <c>Shirabe:Bounces:</c>;
/// docs/decisions/063). Without a host nothing is read and nothing polls.
/// </summary>
public sealed class BounceSettings
{
    public string? Host { get; init; }
    public int Port { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }
    public SecureSocketOptions Security { get; init; } = SecureSocketOptions.SslOnConnect;
    public string Folder { get; init; } = "INBOX";
    /// <summary>How often the server reads the mailbox; <see cref="TimeSpan.Zero"/>: only by hand (console, `mail bounces`).</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    public bool Configured => !string.IsNullOrWhiteSpace(Host);

    /// <summary>Where the mailbox is, for the console and the CLI (never the password).</summary>
    public string Describe() => Configured
        ? $"IMAP {Host}:{Port}（{MailSettings.SecurityName(Security)}{(string.IsNullOrEmpty(User) ? "" : "、ユーザー " + User)}）のフォルダ「{Folder}」"
        : "不達通知（バウンス）を読むメールボックスは設定されていません（Shirabe:Bounces:Host）。";

    public static BounceSettings Load(IConfiguration config)
    {
        var s = config.GetSection("Shirabe:Bounces");
        var security = MailSettings.ParseSecurity(s, "tls");
        var host = s["Host"] is { Length: > 0 } h ? h.Trim() : null;
        var user = s["User"] is { Length: > 0 } u ? u : null;
        if (host is not null && user is null)
            throw new Core.UserError("Shirabe:Bounces:User（不達通知を読むメールボックスのユーザー名）を設定してください。");
        var folder = s["Folder"] is { Length: > 0 } f ? f.Trim() : "INBOX";
        return new BounceSettings
        {
            Host = host,
            Port = MailSettings.Int(s, "Port", security == SecureSocketOptions.SslOnConnect ? 993 : 143),
            User = user,
            Password = s["Password"],
            Security = security,
            Folder = folder,
            Poll = TimeSpan.FromSeconds(MailSettings.Int(s, "PollSeconds", 300, allowZero: true)),
        };
    }
}

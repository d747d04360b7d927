using MailKit.Security;
using MimeKit;

namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// How mail leaves Shirabe (docs/web.md, keys under <c>Shirabe:Smtp:</c>). Without a host the pickup folder
/// (<c>data/mail/</c>) receives every mail as an .eml file. Caps are those a relay imposes (Exchange Online: 30
/// messages a minute, 10,000 recipients a day) and hold only for SMTP.
/// </summary>
public sealed class MailSettings
{
    public string? Host { get; init; }
    public int Port { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }
    public required MailboxAddress From { get; init; }
    public SecureSocketOptions Security { get; init; } = SecureSocketOptions.StartTls;
    public int PerMinute { get; init; } = 30;
    public int PerDay { get; init; } = 10_000;
    /// <summary>Attempts before a mail that keeps failing temporarily is given up.</summary>
    public int MaxAttempts { get; init; } = 10;
    /// <summary>The wait after the first temporary failure; doubled after each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(4);
    /// <summary>How long a claim lasts (renewed before each mail; must outlast <see cref="Timeout"/>): a sender that died is replaced after this.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How often the server's background sender looks at the outbox; <see cref="TimeSpan.Zero"/>: no background sender.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    public required string PickupDir { get; init; }

    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Host);

    /// <summary>One line for the start-up log and `mail send` (never the password).</summary>
    public string Describe() => UsesSmtp
        ? $"SMTP {Host}:{Port}（{SecurityName(Security)}{(string.IsNullOrEmpty(User) ? "" : "、ユーザー " + User)}）、差出人 {From.Address}、上限 {PerMinute} 通/分・{PerDay} 通/日"
        : $"SMTP が設定されていないため、メールは送信せず {PickupDir} に .eml ファイルとして書き出します（ピックアップフォルダ）。";

    public static MailSettings Load(IConfiguration config, string dataDir)
    {
        var s = config.GetSection("Shirabe:Smtp");
        var security = ParseSecurity(s, "starttls");
        var host = s["Host"] is { Length: > 0 } h ? h.Trim() : null;
        var fromText = s["From"];
        if (host is not null && string.IsNullOrWhiteSpace(fromText))
            throw new Core.UserError("Shirabe:Smtp:From（差出人のアドレス）を設定してください。");
        return new MailSettings
        {
            Host = host,
            Port = Int(s, "Port", security switch { SecureSocketOptions.SslOnConnect => 465, SecureSocketOptions.None => 25, _ => 587 }),
            User = s["User"] is { Length: > 0 } u ? u : null,
            Password = s["Password"],
            From = string.IsNullOrWhiteSpace(fromText) ? new MailboxAddress("Shirabe", "shirabe@localhost") : ParseFrom(fromText),
            Security = security,
            PerMinute = Int(s, "PerMinute", 30),
            PerDay = Int(s, "PerDay", 10_000),
            MaxAttempts = Int(s, "MaxAttempts", 10),
            Poll = TimeSpan.FromSeconds(Int(s, "PollSeconds", 10, allowZero: true)),
            PickupDir = Path.GetFullPath(s["PickupDir"] ?? Path.Combine(dataDir, "mail")),
        };
    }

    private static MailboxAddress ParseFrom(string text)
    {
        MailHeaders.RefuseLineBreaks("Shirabe:Smtp:From", text);
        return MailboxAddress.TryParse(MailHeaders.Strict, text, out var a) && a.Address.Contains('@')
            ? a : throw new Core.UserError($"Shirabe:Smtp:From の「{text}」はメールアドレスではありません。");
    }

    /// <summary><c>Security</c> of a mail server's section (SMTP, the bounce mailbox): none, starttls or tls.</summary>
    internal static SecureSocketOptions ParseSecurity(IConfigurationSection s, string fallback) =>
        (s["Security"] ?? fallback).Trim().ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "tls" or "ssl" => SecureSocketOptions.SslOnConnect,
            var other => throw new Core.UserError($"{s.Path}:Security の「{other}」は none、starttls、tls のどれかにしてください。"),
        };

    /// <summary>A positive integer of a section (zero too when <paramref name="allowZero"/>), else a message naming the key.</summary>
    internal static int Int(IConfigurationSection s, string key, int fallback, bool allowZero = false)
    {
        if (s[key] is not { Length: > 0 } text) return fallback;
        return int.TryParse(text, out var n) && (n > 0 || allowZero && n == 0)
            ? n : throw new Core.UserError($"{s.Path}:{key} の「{text}」は正の整数にしてください。");
    }

    internal static string SecurityName(SecureSocketOptions o) => o switch
    {
        SecureSocketOptions.None => "暗号化なし",
        SecureSocketOptions.SslOnConnect => "TLS",
        _ => "STARTTLS",
    };
}

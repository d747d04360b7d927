using Shirabe.Fieldwork.Mail;

namespace Shirabe.Admin;

/// <summary>The outbox's stored words (docs/decisions/033) as the console shows them.</summary>
public static class MailLabels
{
    public static string Kind(string kind) => kind switch
    {
        MailKind.Invitation => "依頼",
        MailKind.Reminder => "督促",
        MailKind.Receipt => "受付の通知",
        _ => kind,
    };

    public static string Status(string status) => status switch
    {
        MailStatus.Queued => "送信待ち",
        MailStatus.Sending => "送信中",
        MailStatus.Sent => "送信済",
        MailStatus.Failed => "一時的な失敗（再送します）",
        MailStatus.GivenUp => "送信できず（中止）",
        _ => status,
    };

    /// <summary>A bounce in the mail history: what kind of report, the status code and the reporting server's words.</summary>
    public static string Bounce(MailBounce b) =>
        (b.Result == BounceResult.Delayed ? "遅延の通知" : "不達通知") + (b.Status is { } s ? $" {s}" : "") + $" {b.Recipient}" +
        (b.Diagnostic is { } d ? $": {d}" : "");
}

using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>What a mail is for (stored as these words).</summary>
public static class MailKind
{
    public const string Invitation = "invitation";
    public const string Reminder = "reminder";
    public const string Receipt = "receipt";

    public static readonly IReadOnlyList<string> All = [Invitation, Reminder, Receipt];
}

/// <summary>
/// Where a mail is: <see cref="Queued"/> → <see cref="Sending"/> (claimed under a lease) → <see cref="Sent"/>; a temporary
/// failure makes it <see cref="Failed"/> until its next attempt; a permanent one (or too many tries) <see cref="GivenUp"/>.
/// </summary>
public static class MailStatus
{
    public const string Queued = "queued";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string GivenUp = "given-up";
}

/// <summary>
/// One mail of the outbox (docs/decisions/033-mail-outbox.md). Its content is either stored rendered
/// (<see cref="TextBody"/>, <see cref="HtmlBody"/>: receipts, single mails, rows queued before decision 077) or, for the
/// mails of a queuing run, as its run's <see cref="MailSnapshot"/> and this mail's own <see cref="Values"/>, rendered
/// when it is sent or shown (<see cref="OutboxContent"/>), the same bytes every time. Either way a retry or a duplicate
/// after a crash is the same mail with the same <see cref="MessageId"/>. Times compared in the conditional claim are
/// Unix milliseconds, so the comparison is numeric on both providers.
/// </summary>
public sealed class OutboxMail
{
    public long Id { get; set; }
    public int InvitationId { get; set; }
    /// <summary>The reminder round that queued this mail (null for invitations and receipts): who got which round when.</summary>
    public int? ReminderId { get; set; }
    /// <summary><see cref="MailKind"/>.</summary>
    public required string Kind { get; set; }
    /// <summary>RFC 5322 address lists (MimeKit's formatting), never with CR or LF.</summary>
    public required string To { get; set; }
    public string? Cc { get; set; }
    /// <summary>Always stored rendered (short, checked for header injection when queued, shown in the history).</summary>
    public required string Subject { get; set; }
    /// <summary>The rendered text body; null when the mail is rendered from <see cref="SnapshotId"/> and <see cref="Values"/>.</summary>
    public string? TextBody { get; set; }
    public string? HtmlBody { get; set; }
    /// <summary>The template of the run that queued this mail (decision 077); null: the body is stored rendered.</summary>
    public long? SnapshotId { get; set; }
    /// <summary>With <see cref="SnapshotId"/>: this mail's own placeholder values (a JSON object: 団体名, 担当者名, 回答URL).</summary>
    public string? Values { get; set; }
    /// <summary>Without angle brackets; unique; assigned at enqueue and sent with every attempt.</summary>
    public required string MessageId { get; set; }
    /// <summary><see cref="MailStatus"/>.</summary>
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public long NextAttemptAt { get; set; }
    public string? LeaseOwner { get; set; }
    public long LeaseExpiresAt { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
}

/// <summary>
/// The template of one queuing run (an invitation run, a reminder round, one invitee's mail; docs/decisions/077), stored
/// once and never changed: the subject and body as they were when the run queued its mails, and the placeholder values
/// every mail of the run shares (回答期限, 事務局連絡先, 調査名, 個人情報の取扱い). A template edited later changes no queued mail.
/// </summary>
public sealed class MailSnapshot
{
    /// <summary>The renderer a snapshot was written for (<see cref="MailTemplates.Fill"/>); a renderer that changes its output must add a format.</summary>
    public const int CurrentFormat = 1;

    public long Id { get; set; }
    public int Format { get; set; }
    /// <summary><see cref="MailKind"/>.</summary>
    public required string Kind { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    /// <summary>The run's shared placeholder values, a JSON object.</summary>
    public required string Values { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One delivery attempt of a mail: its outcome and the server's reply, shown per invitee.</summary>
public sealed class MailAttempt
{
    public long Id { get; set; }
    public long MailId { get; set; }
    /// <summary>Denormalised so the history of one invitee is one indexed query.</summary>
    public int InvitationId { get; set; }
    public DateTime At { get; set; }
    /// <summary>Unix milliseconds of <see cref="At"/>: what the sending caps count.</summary>
    public long AtMs { get; set; }
    /// <summary><see cref="MailStatus.Sent"/>, <see cref="MailStatus.Failed"/> (retried) or <see cref="MailStatus.GivenUp"/>.</summary>
    public required string Result { get; set; }
    /// <summary>The SMTP reply code (250, 451, 550 …); null for a connection error or the pickup folder.</summary>
    public int? SmtpStatus { get; set; }
    /// <summary>The server's reply text or the error; the .eml file name for the pickup folder.</summary>
    public string? Response { get; set; }
    public string? Sender { get; set; }
}

/// <summary>
/// One reminder round (docs/decisions/052): to the invitees of a survey in the chosen statuses, due at
/// <see cref="ScheduledAt"/> (UTC). Its mails are queued when it is due (at once for "now"), choosing the recipients
/// then; each mail carries its <see cref="OutboxMail.ReminderId"/>.
/// </summary>
public sealed class Reminder
{
    public int Id { get; set; }
    public required string SurveyId { get; set; }
    /// <summary>The statuses aimed at, comma-separated (<see cref="ReminderTarget"/>: unopened, draft).</summary>
    public required string Statuses { get; set; }
    public DateTime ScheduledAt { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The staff user who made it (null: the command line).</summary>
    public int? CreatedByUserId { get; set; }
    /// <summary>When its mails were queued (null: still waiting).</summary>
    public DateTime? QueuedAt { get; set; }
    /// <summary>How many mails were queued.</summary>
    public int? Count { get; set; }
    public DateTime? CancelledAt { get; set; }
}

/// <summary>
/// One recipient of a delivery-status notification read from the bounce mailbox (docs/decisions/063): what the report
/// said, which mail and invitation it was matched to (null: none), and whether it marked the address failed. A report is
/// recorded once: (<see cref="ReportId"/>, <see cref="Recipient"/>) is unique.
/// </summary>
public sealed class MailBounce
{
    public long Id { get; set; }
    /// <summary>The report's own Message-ID, or <c>sha256:</c> and the hash of its bytes when it has none.</summary>
    public required string ReportId { get; set; }
    /// <summary>The address the report is about (its Original-Recipient, else its Final-Recipient).</summary>
    public required string Recipient { get; set; }
    public int? InvitationId { get; set; }
    public long? MailId { get; set; }
    /// <summary><see cref="BounceResult.Failed"/> (permanent: Action failed, Status 5.x.x) or <see cref="BounceResult.Delayed"/>.</summary>
    public required string Result { get; set; }
    /// <summary>The enhanced status code (5.1.1, 4.4.7 …).</summary>
    public string? Status { get; set; }
    /// <summary>The reporting server's Diagnostic-Code (smtp; 550 …).</summary>
    public string? Diagnostic { get; set; }
    /// <summary>When Shirabe read the report.</summary>
    public DateTime At { get; set; }
    /// <summary>True when this report marked the invitation's address failed.</summary>
    public bool MarkedFailed { get; set; }
}

/// <summary>What a bounce said (stored as these words).</summary>
public static class BounceResult
{
    public const string Failed = "failed";
    public const string Delayed = "delayed";
}

/// <summary>The outbox's part of <see cref="ShirabeDb"/>'s model.</summary>
internal static class OutboxModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<OutboxMail>(e =>
        {
            e.ToTable("OutboxMails");
            e.HasIndex(m => m.MessageId).IsUnique();
            e.HasIndex(m => new { m.Status, m.NextAttemptAt });
            e.HasIndex(m => m.InvitationId);
            e.Property(m => m.Kind).HasMaxLength(20);
            e.Property(m => m.Status).HasMaxLength(20);
            e.Property(m => m.To).HasMaxLength(1000);
            e.Property(m => m.Cc).HasMaxLength(1000);
            e.Property(m => m.Subject).HasMaxLength(500);
            e.Property(m => m.MessageId).HasMaxLength(200);
            e.Property(m => m.LeaseOwner).HasMaxLength(100);
            e.Property(m => m.LastError).HasMaxLength(2000);
            e.HasOne<Invitation>().WithMany().HasForeignKey(m => m.InvitationId);
            e.HasOne<Reminder>().WithMany().HasForeignKey(m => m.ReminderId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(m => m.ReminderId);
            e.HasOne<MailSnapshot>().WithMany().HasForeignKey(m => m.SnapshotId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<MailSnapshot>(e =>
        {
            e.ToTable("MailSnapshots");
            e.Property(s => s.Kind).HasMaxLength(20);
        });
        b.Entity<Reminder>(e =>
        {
            e.ToTable("Reminders");
            e.Property(r => r.SurveyId).HasMaxLength(40);
            e.Property(r => r.Statuses).HasMaxLength(40);
            e.HasIndex(r => new { r.SurveyId, r.ScheduledAt });
            e.HasOne<SurveyRecord>().WithMany().HasForeignKey(r => r.SurveyId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<AdminUser>().WithMany().HasForeignKey(r => r.CreatedByUserId).OnDelete(DeleteBehavior.SetNull);
        });
        b.Entity<MailAttempt>(e =>
        {
            e.ToTable("MailAttempts");
            e.HasIndex(a => new { a.InvitationId, a.Id });
            e.HasIndex(a => a.AtMs);
            e.Property(a => a.Result).HasMaxLength(20);
            e.Property(a => a.Response).HasMaxLength(2000);
            e.Property(a => a.Sender).HasMaxLength(100);
            e.HasOne<OutboxMail>().WithMany().HasForeignKey(a => a.MailId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<MailBounce>(e =>
        {
            e.ToTable("MailBounces");
            e.HasIndex(x => new { x.ReportId, x.Recipient }).IsUnique();
            e.HasIndex(x => new { x.InvitationId, x.Id });
            e.Property(x => x.ReportId).HasMaxLength(200);
            e.Property(x => x.Recipient).HasMaxLength(320);
            e.Property(x => x.Result).HasMaxLength(20);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Diagnostic).HasMaxLength(1000);
            e.HasOne<Invitation>().WithMany().HasForeignKey(x => x.InvitationId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<OutboxMail>().WithMany().HasForeignKey(x => x.MailId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<Invitation>().Property(i => i.AddressFailure).HasMaxLength(2000);
    }
}

using Microsoft.EntityFrameworkCore;
using MimeKit;
using MimeKit.Utils;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// A mail to queue: addresses as typed in the roster (commas or semicolons between several), the subject, and either the
/// rendered plain text and optional HTML, or (<paramref name="Run"/>, decision 077) its run's snapshot and its own values.
/// </summary>
public sealed record MailContent(string To, string Subject, string? Text, string? Html = null, string? Cc = null, MailValues? Run = null);

/// <summary>
/// The outbox (docs/decisions/033-mail-outbox.md): templates, reminders and the console put mails here; the background
/// sender or `shirabe mail send` delivers them. <see cref="Add(int, string, MailContent)"/> only adds to the context, so a
/// caller can queue mails in the same transaction as what caused them; <see cref="EnqueueAsync(int, string, MailContent, CancellationToken)"/> also saves.
/// </summary>
public sealed class Outbox(ShirabeDb db, MailSettings settings, TimeProvider clock)
{
    /// <summary>Checks and adds one mail (status queued, due now) with its Message-ID. Throws <see cref="MailHeaderError"/>.</summary>
    public OutboxMail Add(int invitationId, string kind, MailContent content)
    {
        var mail = Make(invitationId, kind, content);
        db.OutboxMails.Add(mail);
        return mail;
    }

    /// <summary>
    /// One checked mail (status queued, due now) with its Message-ID, not added to the context: the bulk paths write
    /// many with <see cref="OutboxRows"/>. Throws <see cref="MailHeaderError"/>.
    /// </summary>
    public OutboxMail Make(int invitationId, string kind, MailContent content)
    {
        if (!MailKind.All.Contains(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown mail kind");
        if ((content.Text is null) == (content.Run is null)) throw new ArgumentException("A mail has either its text or its run's values.", nameof(content));
        MailHeaders.RefuseLineBreaks("Subject", content.Subject);
        var to = MailHeaders.Addresses("To", content.To);
        if (to.Count == 0) throw new MailHeaderError("宛先のメールアドレスがありません。メールは作成していません。");
        var cc = MailHeaders.Addresses("Cc", content.Cc);
        if (content.Subject.Length > 500 || to.ToString().Length > 1000 || cc.ToString().Length > 1000)
            throw new MailHeaderError("件名（500 文字まで）か宛先（1000 文字まで）が長すぎます。メールは作成していません。");
        var now = clock.GetUtcNow();
        return new OutboxMail
        {
            InvitationId = invitationId,
            Kind = kind,
            To = to.ToString(),
            Cc = cc.Count == 0 ? null : cc.ToString(),
            Subject = content.Subject,
            TextBody = content.Text,
            HtmlBody = content.Html,
            SnapshotId = content.Run?.SnapshotId,
            Values = content.Run?.Values,
            MessageId = MimeUtils.GenerateMessageId(settings.From.Domain is { Length: > 0 } d ? d : "shirabe.local"),
            Status = MailStatus.Queued,
            NextAttemptAt = now.ToUnixTimeMilliseconds(),
            CreatedAt = now.UtcDateTime,
        };
    }

    /// <summary>As <see cref="Add(int, string, MailContent)"/> from a MimeMessage (its To, Cc, Subject, text and HTML bodies).</summary>
    public OutboxMail Add(int invitationId, string kind, MimeMessage message)
    {
        MailHeaders.Check(message);
        return Add(invitationId, kind, new MailContent(message.To.ToString(), message.Subject ?? "",
            message.TextBody ?? "", message.HtmlBody, message.Cc.Count == 0 ? null : message.Cc.ToString()));
    }

    public async Task<OutboxMail> EnqueueAsync(int invitationId, string kind, MailContent content, CancellationToken cancel = default)
    {
        var mail = Add(invitationId, kind, content);
        await db.SaveChangesAsync(cancel);
        return mail;
    }

    public async Task<OutboxMail> EnqueueAsync(int invitationId, string kind, MimeMessage message, CancellationToken cancel = default)
    {
        var mail = Add(invitationId, kind, message);
        await db.SaveChangesAsync(cancel);
        return mail;
    }

    /// <summary>One invitee's mails, newest first, each with its attempts and then its bounces (oldest first): the console's mail history.</summary>
    public async Task<List<MailHistory>> HistoryAsync(int invitationId, CancellationToken cancel = default)
    {
        var mails = await db.OutboxMails.AsNoTracking().Where(m => m.InvitationId == invitationId)
            .OrderByDescending(m => m.Id).ToListAsync(cancel);
        var attempts = await db.MailAttempts.AsNoTracking().Where(a => a.InvitationId == invitationId)
            .OrderBy(a => a.Id).ToListAsync(cancel);
        var bounces = await db.MailBounces.AsNoTracking().Where(b => b.InvitationId == invitationId)
            .OrderBy(b => b.Id).ToListAsync(cancel);
        var runs = await OutboxContent.RunsAsync(db, mails, cancel);
        return mails.Select(m => new MailHistory(m, Text(m, runs), attempts.Where(a => a.MailId == m.Id).ToList(),
            bounces.Where(b => b.MailId == m.Id).ToList())).ToList();
    }

    /// <summary>The text a history shows: the mail as it is sent (rendered from its run's snapshot, decision 077).</summary>
    private static string Text(OutboxMail mail, IReadOnlyDictionary<long, OutboxContent.Run> runs)
    {
        try
        {
            return OutboxContent.Body(mail, runs).Text;
        }
        catch (Core.UserError e) // a row edited by hand: the sender gives it up with the same message
        {
            return e.Message;
        }
    }

    /// <summary>Mails by status (the progress page's counts).</summary>
    public async Task<Dictionary<string, int>> CountsAsync(CancellationToken cancel = default) =>
        await db.OutboxMails.GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancel);
}

/// <summary>A mail, its plain text as sent, its delivery attempts and the delivery-status notifications that came back for it (063).</summary>
public sealed record MailHistory(OutboxMail Mail, string Text, IReadOnlyList<MailAttempt> Attempts, IReadOnlyList<MailBounce> Bounces);

using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>What one recipient of a report came to.</summary>
public enum BounceOutcome
{
    /// <summary>Permanent, matched: the invitation's address is now failed.</summary>
    Failed,
    /// <summary>Permanent, matched, but only recorded: the address was failed already, or the roster's address changed since.</summary>
    Recorded,
    /// <summary>Delayed or a 4.x.x status: recorded, the address stays usable.</summary>
    Delayed,
    /// <summary>No mail of ours and no invitation: recorded and logged.</summary>
    Unmatched,
}

/// <summary>One recipient handled, for a progress line: the report's number among the unseen reports.</summary>
public sealed record BounceProgress(int Done, int Total, string Recipient, string? Status, BounceOutcome Outcome, string? Organisation);

/// <summary>What a check did (counts of recipients, except <see cref="Reports"/>, <see cref="Left"/>, <see cref="Duplicates"/> and <see cref="Other"/>: messages).</summary>
public sealed record BounceSummary(int Reports, int Failed, int Recorded, int Delayed, int Unmatched, int Left, int Duplicates, int Other,
    IReadOnlyList<int> FailedInvitations)
{
    /// <summary>The result in one Japanese paragraph (console and CLI).</summary>
    public string Text()
    {
        var text = Reports == 0
            ? "新しい不達通知はありませんでした。"
            : $"不達通知を {Reports} 通読みました: 宛先エラーにした団体 {Failed}、一時的な遅延（宛先エラーにしない）{Delayed}、" +
              $"記録だけ（宛先エラー済み・宛先を変更済み）{Recorded}、該当する団体なし {Unmatched}。";
        if (Left > 0) text += $"他の調査の不達通知 {Left} 通は未読のまま残しました。";
        if (Duplicates > 0) text += $"処理済みの不達通知 {Duplicates} 通は既読にしました。";
        if (Other > 0) text += $"不達通知でない未読のメール {Other} 通には触れていません。";
        return text;
    }
}

/// <summary>The mailbox could not be read: a Japanese message saying what to check (no stack trace).</summary>
public sealed class BounceMailboxError(string message) : Core.UserError(message);

/// <summary>
/// Reads delivery-status notifications from the bounce mailbox over IMAP and marks the invitations whose mail bounced
/// for good (docs/decisions/063). Only unseen messages are looked at, and only those whose structure is a
/// delivery-status report are downloaded (without setting \Seen); each report is recorded once (unique per report and
/// recipient) and then flagged \Seen. Other mail is never touched. With <c>surveyId</c>, reports about another survey's
/// invitations stay unseen for a run that covers it.
/// </summary>
public sealed class BounceCheck(Database database, BounceSettings settings, TimeProvider clock, ILogger log)
{
    public async Task<BounceSummary> RunAsync(string? surveyId, int? userId, bool audit, IProgress<BounceProgress>? progress = null,
        CancellationToken cancel = default)
    {
        if (!settings.Configured)
            throw new BounceMailboxError("不達通知（バウンス）を読むメールボックスが設定されていません。Shirabe:Bounces:Host、User、Password を設定してください。");
        int reports = 0, failed = 0, recorded = 0, delayed = 0, unmatched = 0, left = 0, duplicates = 0, other = 0, done = 0;
        var total = 0;
        var failedInvitations = new List<int>();
        using var client = new ImapClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(settings.Host!, settings.Port, settings.Security, cancel);
            await client.AuthenticateAsync(settings.User!, settings.Password ?? "", cancel);
            var folder = await client.GetFolderAsync(settings.Folder, cancel);
            await folder.OpenAsync(FolderAccess.ReadWrite, cancel);
            var unseen = await folder.SearchAsync(SearchQuery.NotSeen, cancel);
            var candidates = unseen.Count == 0 ? []
                : (await folder.FetchAsync(unseen, MessageSummaryItems.UniqueId | MessageSummaryItems.BodyStructure, cancel))
                .Where(s => s.Body is BodyPartMultipart { ContentType: var type } && DeliveryReport.IsReport(type))
                .Select(s => s.UniqueId).ToList();
            other = unseen.Count - candidates.Count;
            total = candidates.Count;
            foreach (var uid in candidates)
            {
                done++;
                // BODY.PEEK[]: reading does not set \Seen; only a recorded report is flagged.
                var report = DeliveryReport.Read(await folder.GetMessageAsync(uid, cancel));
                if (report is null)
                {
                    other++;
                    continue;
                }
                var outcomes = await RecordAsync(report, surveyId, cancel);
                if (outcomes is null)
                {
                    left++;
                    continue;
                }
                if (outcomes.Count == 1 && outcomes[0] is null) duplicates++;
                else
                {
                    reports++;
                    foreach (var (recipient, outcome, invitation, organisation) in outcomes.OfType<Handled>())
                    {
                        switch (outcome)
                        {
                            case BounceOutcome.Failed: failed++; failedInvitations.Add(invitation!.Value); break;
                            case BounceOutcome.Recorded: recorded++; break;
                            case BounceOutcome.Delayed: delayed++; break;
                            default:
                                unmatched++;
                                log.LogWarning("Bounces: the report {ReportId} (status {Status}) matches no mail and no invitation; recorded, nothing marked",
                                    report.ReportId, recipient.Status);
                                break;
                        }
                        progress?.Report(new BounceProgress(done, total, recipient.Address, recipient.Status, outcome, organisation));
                    }
                }
                await folder.AddFlagsAsync(uid, MessageFlags.Seen, silent: true, cancel);
            }
            await client.DisconnectAsync(true, cancel);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested && Explain(e) is { } message)
        {
            throw new BounceMailboxError(message);
        }
        var summary = new BounceSummary(reports, failed, recorded, delayed, unmatched, left, duplicates, other, failedInvitations);
        if (audit || failed > 0)
        {
            await using var db = database.CreateContext();
            await new AuditLog(db, clock).WriteAsync(userId, AuditAction.MailBouncesRead, surveyId is null ? "surveys:all" : "survey:" + surveyId,
                new { reports, failed, recorded, delayed, unmatched, left, invitations = failedInvitations }, cancel);
        }
        return summary;
    }

    private sealed record Handled(DsnRecipient Recipient, BounceOutcome Outcome, int? Invitation, string? Organisation);

    /// <summary>
    /// Matches and records one report in one transaction. Null: it concerns another survey's invitation (left unseen);
    /// a single null: recorded before (by an earlier run or another instance at the same moment).
    /// </summary>
    private async Task<List<Handled?>?> RecordAsync(DeliveryReport report, string? surveyId, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        if (await db.MailBounces.AnyAsync(b => b.ReportId == report.ReportId, cancel)) return [null];
        var ids = report.MessageIds;
        var byId = ids.Count == 0 ? null : await db.OutboxMails.AsNoTracking().Where(m => ids.Contains(m.MessageId))
            .OrderByDescending(m => m.Id).FirstOrDefaultAsync(cancel);
        var plans = new List<(DsnRecipient Recipient, OutboxMail? Mail, Invitation? Invitation)>();
        foreach (var recipient in report.Recipients)
        {
            var mail = byId ?? await ByAddressAsync(db, recipient.Address, cancel);
            var invitation = mail is null ? null
                : await db.Invitations.AsNoTracking().Include(i => i.Organisation).FirstAsync(i => i.Id == mail.InvitationId, cancel);
            if (surveyId is not null && invitation is not null && invitation.SurveyId != surveyId) return null;
            plans.Add((recipient, mail, invitation));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var handled = new List<Handled?>();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancel);
            foreach (var (recipient, mail, invitation) in plans)
            {
                var outcome = invitation is null ? BounceOutcome.Unmatched
                    : !recipient.Permanent ? BounceOutcome.Delayed
                    : !StillCurrent(recipient.Address, mail!, invitation) ? BounceOutcome.Recorded
                    : await MarkFailedAsync(db, invitation.Id, recipient, now, cancel) ? BounceOutcome.Failed
                    : BounceOutcome.Recorded;
                db.MailBounces.Add(new MailBounce
                {
                    ReportId = report.ReportId, Recipient = recipient.Address, InvitationId = invitation?.Id, MailId = mail?.Id,
                    Result = recipient.Permanent ? BounceResult.Failed : BounceResult.Delayed, Status = recipient.Status,
                    Diagnostic = recipient.Diagnostic, At = now, MarkedFailed = outcome == BounceOutcome.Failed,
                });
                handled.Add(new Handled(recipient, outcome, invitation?.Id,
                    invitation is null ? null : $"{invitation.Organisation.Code} {invitation.Organisation.Name}"));
            }
            await db.SaveChangesAsync(cancel);
            await tx.CommitAsync(cancel);
        }
        catch (DbUpdateException)
        {
            // The unique index: another run recorded the same report at the same moment.
            if (await RecordedAsync(report.ReportId, cancel)) return [null];
            throw;
        }
        return handled;
    }

    private async Task<bool> RecordedAsync(string reportId, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        return await db.MailBounces.AnyAsync(b => b.ReportId == reportId, cancel);
    }

    /// <summary>Without a Message-ID of ours: the newest sent mail to this address (To or Cc).</summary>
    private static async Task<OutboxMail?> ByAddressAsync(ShirabeDb db, string address, CancellationToken cancel)
    {
        var candidates = await db.OutboxMails.AsNoTracking()
            .Where(m => m.Status == MailStatus.Sent && (m.To.ToLower().Contains(address) || m.Cc != null && m.Cc.ToLower().Contains(address)))
            .OrderByDescending(m => m.Id).Take(50).ToListAsync(cancel);
        return candidates.FirstOrDefault(m => Addresses(m.To, m.Cc).Contains(address));
    }

    /// <summary>
    /// Whether the bounced address is still the invitation's: the recipient, or — when a forwarding server reported an
    /// address the mail was not sent to — the mail's own addresses, among the roster's current address and CC.
    /// A late bounce of an address corrected since never fails the new one.
    /// </summary>
    private static bool StillCurrent(string recipient, OutboxMail mail, Invitation invitation)
    {
        var sentTo = Addresses(mail.To, mail.Cc);
        var current = Addresses(invitation.ContactEmail, invitation.Cc);
        return sentTo.Contains(recipient) ? current.Contains(recipient) : sentTo.Overlaps(current);
    }

    private static HashSet<string> Addresses(params string?[] lists)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in lists)
            if (!string.IsNullOrWhiteSpace(text) && InternetAddressList.TryParse(text.Replace(';', ','), out var list))
                foreach (var m in list.Mailboxes) set.Add(m.Address.ToLowerInvariant());
        return set;
    }

    private static async Task<bool> MarkFailedAsync(ShirabeDb db, int invitationId, DsnRecipient r, DateTime now, CancellationToken cancel)
    {
        var text = $"不達通知（{r.Status ?? "状態コードなし"}）{r.Address}" + (r.Diagnostic is { } d ? ": " + d : "");
        if (text.Length > 2000) text = text[..2000];
        return await db.Invitations.Where(i => i.Id == invitationId && i.AddressFailedAt == null).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.AddressFailedAt, now)
            .SetProperty(i => i.AddressFailure, text), cancel) == 1;
    }

    /// <summary>A Japanese message for what went wrong with the mailbox; null for anything else (a bug, which propagates).</summary>
    private string? Explain(Exception e)
    {
        var where = $"不達通知のメールボックス（{settings.Host}:{settings.Port}）";
        return e switch
        {
            AuthenticationException => $"{where}にログインできませんでした。Shirabe:Bounces:User と Password を確かめてください。",
            SslHandshakeException => $"{where}と TLS で接続できませんでした（{e.Message.Split('\n')[0].Trim()}）。Shirabe:Bounces:Security と Port を確かめてください。",
            FolderNotFoundException => $"{where}にフォルダ「{settings.Folder}」がありません。Shirabe:Bounces:Folder を確かめてください。",
            ImapCommandException or ImapProtocolException =>
                $"{where}がエラーを返しました（{e.Message.Split('\n')[0].Trim()}）。設定とサーバーの状態を確かめてください。",
            SocketException or IOException or TimeoutException or ServiceNotConnectedException or OperationCanceledException =>
                $"{where}に接続できませんでした（{e.Message.Split('\n')[0].Trim()}）。Shirabe:Bounces:Host、Port、Security を確かめてください。",
            _ => null,
        };
    }
}

using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>One step of a drain, for a progress bar or a log line.</summary>
public sealed record MailProgress(int Done, int Total, string To, string Subject, string Result, string Reply);

/// <summary>What one drain did, and what it left.</summary>
public sealed record DrainResult(int Sent, int Retrying, int GivenUp, int HeldBack, int Waiting, DateTimeOffset? NextAttemptAt);

/// <summary>
/// Delivers the outbox's due mails (docs/decisions/033-mail-outbox.md). Mails are claimed a batch at a time by a
/// conditional UPDATE (due and not leased, or its lease expired) that only one sender can win, on SQLite and PostgreSQL
/// alike, read in one query, sent one by one, and their outcomes committed together by the lease's owner (one commit per
/// batch, not per mail: docs/decisions/065). A crash after the server accepted a mail and before that commit leaves the
/// lease to expire, and the batch's mails are sent again with the same Message-IDs: at least once, never lost.
/// </summary>
public sealed class MailDrain(Database database, MailSettings settings, TimeProvider clock,
    Func<MailSettings, IMailTransport>? transport = null)
{
    private const int Batch = 20;
    /// <summary>The pickup folder has no caps: larger batches, fewer commits.</summary>
    private const int PickupBatch = 200;

    /// <summary>Who holds a claim: this process and this drain.</summary>
    public string Owner { get; } = $"{Truncate(Environment.MachineName, 40)}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>Sends every due mail the caps allow, then returns. Bugs propagate; delivery failures are recorded.</summary>
    public async Task<DrainResult> RunAsync(IProgress<MailProgress>? progress = null, CancellationToken cancel = default)
    {
        int sent = 0, retrying = 0, givenUp = 0, heldBack = 0, done = 0;
        var total = await CountAsync(Due(Now()), cancel);
        await using var channel = (transport ?? MailTransports.Create)(settings);
        while (true)
        {
            var now = Now();
            var budget = settings.UsesSmtp ? await BudgetAsync(now, cancel) : int.MaxValue;
            if (budget <= 0)
            {
                heldBack = await CountAsync(Due(now), cancel);
                break;
            }
            var claimed = await ClaimAsync(Math.Min(budget, settings.UsesSmtp ? Batch : PickupBatch), now, cancel);
            if (claimed.Count == 0) break;
            var unreachable = false;
            var outcomes = new List<Outcome>(claimed.Count);
            await using (var ctx = database.CreateContext())
            {
                var mails = await ctx.OutboxMails.AsNoTracking().Where(m => claimed.Contains(m.Id))
                    .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).ToListAsync(cancel);
                var runs = await OutboxContent.RunsAsync(ctx, mails, cancel);
                var leaseFrom = clock.GetUtcNow();
                for (var i = 0; i < mails.Count && !unreachable; i++)
                {
                    // The batch's lease (its unrecorded mails too) is renewed only when half of it has gone (a slow server).
                    if (clock.GetUtcNow() - leaseFrom > settings.Lease / 2)
                    {
                        leaseFrom = clock.GetUtcNow();
                        var held = await RenewAsync(ctx, claimed, leaseFrom, cancel);
                        if (!held.Contains(mails[i].Id)) continue; // lost meanwhile: the new owner sends it
                    }
                    var (outcome, connection) = await SendOneAsync(channel, mails[i], runs, cancel);
                    outcomes.Add(outcome);
                    // The server cannot be reached: the rest of the batch waits for the next drain, untried.
                    if (connection && settings.UsesSmtp)
                    {
                        unreachable = true;
                        await ReleaseAsync(mails.Skip(i + 1).Select(m => m.Id).ToList(), cancel);
                    }
                }
                await RecordAsync(ctx, outcomes, cancel);
            }
            foreach (var outcome in outcomes)
            {
                switch (outcome.Status)
                {
                    case MailStatus.Sent: sent++; break;
                    case MailStatus.Failed: retrying++; break;
                    default: givenUp++; break;
                }
                done++;
                progress?.Report(outcome.Progress with { Done = done, Total = Math.Max(total, done) });
            }
            if (unreachable) break;
        }
        await using var db = database.CreateContext();
        var waiting = db.OutboxMails.Where(m => m.Status == MailStatus.Queued || m.Status == MailStatus.Failed);
        var waitingCount = await waiting.CountAsync(cancel);
        var next = waitingCount == 0 ? (long?)null : await waiting.MinAsync(m => m.NextAttemptAt, cancel);
        return new DrainResult(sent, retrying, givenUp, heldBack, waitingCount,
            next is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Due: waiting and its time has come, or claimed by a sender whose lease has run out.</summary>
    private static Expression<Func<OutboxMail, bool>> Due(long now) => m =>
        (m.Status == MailStatus.Queued || m.Status == MailStatus.Failed) && m.NextAttemptAt <= now
        || m.Status == MailStatus.Sending && m.LeaseExpiresAt <= now;

    private async Task<int> CountAsync(Expression<Func<OutboxMail, bool>> where, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        return await db.OutboxMails.CountAsync(where, cancel);
    }

    /// <summary>
    /// How many more mails the caps allow now: attempts the server answered in the last minute and day (every sender's,
    /// from the shared log) plus mails other senders hold right now.
    /// </summary>
    private async Task<int> BudgetAsync(long now, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        var answered = db.MailAttempts.Where(a => a.SmtpStatus != null);
        var minute = await answered.CountAsync(a => a.AtMs > now - 60_000, cancel);
        var day = await answered.CountAsync(a => a.AtMs > now - 86_400_000, cancel);
        var inFlight = await db.OutboxMails.CountAsync(m => m.Status == MailStatus.Sending && m.LeaseExpiresAt > now, cancel);
        return Math.Min(settings.PerMinute - minute, settings.PerDay - day) - inFlight;
    }

    /// <summary>
    /// Claims up to <paramref name="count"/> due mails with one conditional UPDATE (a row already claimed by another
    /// sender is no longer due, so only one sender wins each), then reads back which rows this claim took: this sender's
    /// earlier claims are all settled (sent, failed or given back) before it claims again.
    /// </summary>
    private async Task<List<long>> ClaimAsync(int count, long now, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        var until = now + (long)settings.Lease.TotalMilliseconds;
        // Another sender may win every row of a claim: try the next due ones, a few times, before saying none is left.
        for (var round = 0; round < 4; round++)
        {
            var candidates = await db.OutboxMails.Where(Due(now)).OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)
                .Select(m => m.Id).Take(count).ToListAsync(cancel);
            if (candidates.Count == 0) return [];
            await db.OutboxMails.Where(m => candidates.Contains(m.Id)).Where(Due(now)).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, MailStatus.Sending)
                .SetProperty(m => m.LeaseOwner, Owner)
                .SetProperty(m => m.LeaseExpiresAt, until), cancel);
            var won = await db.OutboxMails.Where(m => candidates.Contains(m.Id) && m.LeaseOwner == Owner && m.Status == MailStatus.Sending)
                .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Select(m => m.Id).ToListAsync(cancel);
            if (won.Count > 0) return won;
        }
        return [];
    }

    /// <summary>Gives claimed mails back untried (as they were: queued, or failed and due).</summary>
    private async Task ReleaseAsync(List<long> ids, CancellationToken cancel)
    {
        if (ids.Count == 0) return;
        await using var db = database.CreateContext();
        await db.OutboxMails.Where(m => ids.Contains(m.Id) && m.LeaseOwner == Owner && m.Status == MailStatus.Sending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, m => m.Attempts == 0 ? MailStatus.Queued : MailStatus.Failed)
                .SetProperty(m => m.LeaseOwner, (string?)null)
                .SetProperty(m => m.LeaseExpiresAt, 0L), cancel);
    }

    /// <summary>What one send did, recorded with its batch.</summary>
    private sealed record Outcome(OutboxMail Mail, DateTimeOffset Started, string Status, DateTimeOffset Next, SendReply? Reply,
        MailFailure? Failure, MailProgress Progress);

    /// <summary>Renews the lease on the claimed mails this sender still holds, and returns those.</summary>
    private async Task<HashSet<long>> RenewAsync(ShirabeDb db, List<long> claimed, DateTimeOffset now, CancellationToken cancel)
    {
        var mine = db.OutboxMails.Where(m => claimed.Contains(m.Id) && m.LeaseOwner == Owner && m.Status == MailStatus.Sending);
        await mine.ExecuteUpdateAsync(s => s.SetProperty(m => m.LeaseExpiresAt, (now + settings.Lease).ToUnixTimeMilliseconds()), cancel);
        return (await mine.Select(m => m.Id).ToListAsync(cancel)).ToHashSet();
    }

    /// <summary>
    /// Sends one claimed mail (not yet recorded); <c>Connection</c> when the failure was not the server's answer
    /// (connection, TLS, timeout).
    /// </summary>
    private async Task<(Outcome, bool Connection)> SendOneAsync(IMailTransport channel, OutboxMail mail,
        IReadOnlyDictionary<long, OutboxContent.Run> runs, CancellationToken cancel)
    {
        var started = clock.GetUtcNow();
        SendReply? reply = null;
        MailFailure? failure = null;
        try
        {
            reply = await channel.SendAsync(MailMessages.Build(mail, OutboxContent.Body(mail, runs), settings), cancel);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested && MailFailure.Classify(e) is { } f)
        {
            failure = f;
        }
        catch (Core.UserError e) // MailHeaderError, MailTemplateError
        {
            // A row that could not have been queued (edited by hand): never sendable.
            failure = new MailFailure(true, null, e.Message, null);
        }
        var attempts = mail.Attempts + 1;
        var now = clock.GetUtcNow();
        var status = failure is null ? MailStatus.Sent
            : failure.Permanent || attempts >= settings.MaxAttempts ? MailStatus.GivenUp : MailStatus.Failed;
        var next = status == MailStatus.Failed ? now + RetryDelay(attempts) : now;
        var progress = new MailProgress(0, 0, mail.To, mail.Subject, status, (failure is null ? null : Truncate(failure.Text, 2000)) ?? reply?.Text ?? "");
        return (new Outcome(mail, started, status, next, reply, failure, progress), failure is { Status: null, Permanent: false });
    }

    /// <summary>
    /// Commits a batch's outcomes in one transaction: each mail's status (only where this sender still holds its lease; a
    /// sender that lost it leaves the mail to the new owner), every attempt, and a refused address on its invitation.
    /// </summary>
    private async Task RecordAsync(ShirabeDb db, List<Outcome> outcomes, CancellationToken cancel)
    {
        if (outcomes.Count == 0) return;
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        foreach (var (mail, started, status, next, reply, failure, _) in outcomes)
        {
            var error = failure is null ? null : Truncate(failure.Text, 2000);
            var mine = await db.OutboxMails.Where(m => m.Id == mail.Id && m.LeaseOwner == Owner && m.Status == MailStatus.Sending)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.Status, status)
                    .SetProperty(m => m.Attempts, mail.Attempts + 1)
                    .SetProperty(m => m.NextAttemptAt, next.ToUnixTimeMilliseconds())
                    .SetProperty(m => m.LeaseOwner, (string?)null)
                    .SetProperty(m => m.LeaseExpiresAt, 0L)
                    .SetProperty(m => m.LastError, error)
                    .SetProperty(m => m.SentAt, failure is null ? next.UtcDateTime : (DateTime?)null), cancel);
            db.MailAttempts.Add(new MailAttempt
            {
                MailId = mail.Id,
                InvitationId = mail.InvitationId,
                At = started.UtcDateTime,
                AtMs = started.ToUnixTimeMilliseconds(),
                Result = status,
                SmtpStatus = failure?.Status ?? reply?.Status,
                Response = Truncate(failure?.Text ?? reply?.Text ?? "", 2000),
                Sender = Owner,
            });
            if (mine == 1 && failure is { Permanent: true })
                await db.Invitations.Where(i => i.Id == mail.InvitationId).ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.AddressFailedAt, next.UtcDateTime)
                    .SetProperty(i => i.AddressFailure,
                        Truncate(failure.Address is { } a && !failure.Text.Contains(a) ? $"{a}: {failure.Text}" : failure.Text, 2000)), cancel);
        }
        await db.SaveChangesAsync(cancel);
        await tx.CommitAsync(cancel);
        db.ChangeTracker.Clear();
    }

    /// <summary>Exponential back-off: the first delay, doubled after each further failure, up to the maximum.</summary>
    public TimeSpan RetryDelay(int attempts)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        var delay = settings.RetryDelay * factor;
        return delay < settings.MaxRetryDelay ? delay : settings.MaxRetryDelay;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}

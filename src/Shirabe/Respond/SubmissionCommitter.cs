using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Respond;

/// <summary>
/// What a respondent's submission writes, worked out and checked by its request: the answers canonicalised once, the
/// submission row as the request read it (null: the first submission), the receipt mail's factory.
/// </summary>
public sealed record SubmissionWrite(int InvitationId, Submission? Current, string Answers, int DraftVersion, DateTime Now,
    int? SurveyVersionId, string Channel, Func<OutboxMail>? Receipt);

public enum SubmitOutcome
{
    /// <summary>On disk: the request may acknowledge it (the redirect to the receipt).</summary>
    Committed,
    /// <summary>The database refused it (the row changed since the request read it, e.g. a double click or another
    /// server): nothing of it was written; the request reads the row again (decision 008).</summary>
    Refused,
}

/// <summary>
/// Group commit of respondents' submissions (docs/decisions/069-group-committed-submissions.md). Requests queue their
/// checked writes; one writer per process takes what is queued (up to <see cref="MaxBatch"/>), writes it in one
/// transaction and commits once — one WAL flush for the whole batch — and only then completes each request. When the
/// batch fails (a refused row, a failed commit) it is rolled back and every submission of it is committed alone, so one
/// respondent's failure fails only its own request; a submission that is not committed is never acknowledged.
/// Two submissions of one invitation never share a batch: the later waits for the next.
/// </summary>
public sealed class SubmissionCommitter(Database database, ILogger<SubmissionCommitter> log) : BackgroundService
{
    public const int MaxBatch = 256;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private long _batches, _committed;
    private int _largest, _writing;

    /// <summary>Completes when the submission is committed (or refused); throws when it could not be written.</summary>
    public Task<SubmitOutcome> SubmitAsync(SubmissionWrite write)
    {
        var pending = new Pending(write);
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("The server is stopping: the submission was not written.");
        return pending.Done.Task;
    }

    /// <summary>Submissions queued, being written or held for the next batch: not yet answered.</summary>
    public int Waiting => _queue.Reader.Count + Volatile.Read(ref _writing);

    /// <summary>Batches committed, submissions committed in them, the largest batch.</summary>
    public (long Batches, long Committed, int Largest) Stats => (Interlocked.Read(ref _batches), Interlocked.Read(ref _committed), _largest);

    public override async Task StopAsync(CancellationToken cancel)
    {
        // What is queued is still committed (its requests are waiting); nothing new is taken.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancel);
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var batch = new List<Pending>();
        var later = new List<Pending>();
        var invitations = new HashSet<int>();
        while (later.Count > 0 || await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            invitations.Clear();
            var carried = later.ToArray();
            later.Clear();
            foreach (var p in carried) (invitations.Add(p.Write.InvitationId) ? batch : later).Add(p);
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p)) (invitations.Add(p.Write.InvitationId) ? batch : later).Add(p);
            Volatile.Write(ref _writing, batch.Count + later.Count);
            await CommitAsync(batch);
            Volatile.Write(ref _writing, 0);
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            await WriteAsync(batch);
            Done(batch);
            return;
        }
        catch (Exception e) when (batch.Count > 1)
        {
            log.LogInformation("A batch of {Count} submissions was not committed ({Error}); committing each alone", batch.Count, e.Message);
        }
        catch (Exception e)
        {
            Fail(batch[0], e);
            return;
        }
        foreach (var p in batch)
            try
            {
                await WriteAsync([p]);
                Done([p]);
            }
            catch (Exception e)
            {
                Fail(p, e);
            }
    }

    private void Done(List<Pending> committed)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _committed, committed.Count);
        if (committed.Count > _largest) _largest = committed.Count;
        foreach (var p in committed) p.Done.TrySetResult(SubmitOutcome.Committed);
    }

    private void Fail(Pending p, Exception e)
    {
        if (e is DbUpdateException) p.Done.TrySetResult(SubmitOutcome.Refused);
        else
        {
            log.LogError(e, "Submission of invitation {Id} not committed", p.Write.InvitationId);
            p.Done.TrySetException(e);
        }
    }

    /// <summary>One transaction, one SaveChanges, one commit. Throws when any row is refused or the commit fails.</summary>
    private async Task WriteAsync(List<Pending> items)
    {
        await using var db = database.CreateContext();
        // A failure rolls the whole batch back (and it is retried item by item): no savepoint per statement.
        db.Database.AutoSavepointsEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync();
        foreach (var p in items) Stage(db, p.Write);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
    }

    private static readonly string[] Submitted =
    [
        nameof(Submission.Answers), nameof(Submission.Version), nameof(Submission.DraftVersion), nameof(Submission.SubmittedAt),
        nameof(Submission.SurveyVersionId), nameof(Submission.Channel),
    ];

    /// <summary>New entities on every call: a retry after a failed batch starts from what the request read.</summary>
    private static void Stage(ShirabeDb db, SubmissionWrite w)
    {
        Submission s;
        if (w.Current is { } read)
        {
            // The row as the request read it; its Version is the concurrency token, so a row changed since (a double
            // click, another device, another server) refuses the update instead of being overwritten.
            s = new Submission { Id = read.Id, InvitationId = read.InvitationId, Version = read.Version, FirstSubmittedAt = read.FirstSubmittedAt };
            db.Submissions.Attach(s);
        }
        else s = db.Submissions.Add(new Submission { InvitationId = w.InvitationId }).Entity;
        db.AnswerHistory.Add(s.Record(w.Answers, w.DraftVersion, w.Now, w.SurveyVersionId));
        s.Channel = w.Channel;
        if (w.Current is not null)
        {
            var entry = db.Entry(s);
            foreach (var column in Submitted) entry.Property(column).IsModified = true;
        }
        if (w.Receipt is { } receipt) db.OutboxMails.Add(receipt());
    }

    private sealed class Pending(SubmissionWrite write)
    {
        public SubmissionWrite Write => write;
        public TaskCompletionSource<SubmitOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

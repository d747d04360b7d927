using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Surveys;

namespace Shirabe.Fieldwork.Mail;

/// <summary>Who a reminder is for: invitees who have not started (未開封) and those with a draft (回答中（下書き）).</summary>
public enum ReminderTarget { Unopened, Draft }

public static class ReminderTargets
{
    public static string Label(ReminderTarget t) => t == ReminderTarget.Unopened ? "未開封" : "回答中（下書き）";

    public static string Store(IEnumerable<ReminderTarget> targets) =>
        string.Join(",", targets.Distinct().Order().Select(t => t.ToString().ToLowerInvariant()));

    public static List<ReminderTarget> Parse(string stored) =>
        stored.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => Enum.Parse<ReminderTarget>(s, ignoreCase: true)).ToList();

    /// <summary>"unopened,draft" as typed on the command line. Throws <see cref="UserError"/> naming the bad word.</summary>
    public static List<ReminderTarget> FromText(string? text)
    {
        var words = (text ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) throw new UserError("督促の対象（unopened, draft のどちらか、または両方）を指定してください。");
        return words.Select(w => w.ToLowerInvariant() switch
        {
            "unopened" or "未開封" => ReminderTarget.Unopened,
            "draft" or "下書き" => ReminderTarget.Draft,
            _ => throw new UserError($"督促の対象「{w}」は unopened（未開封）か draft（回答中（下書き））にしてください。"),
        }).Distinct().ToList();
    }

    /// <summary>A time typed as "2023-12-01 09:00" (or the form's "2023-12-01T09:00") in the survey's time zone, as UTC.</summary>
    public static DateTime ParseLocal(string text, TimeZoneInfo zone)
    {
        if (!DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd H:mm", "yyyy/MM/dd HH:mm"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            throw new UserError($"送信日時「{text}」は「2023-12-01 09:00」の形（調査のタイムゾーンの日時）で指定してください。");
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).UtcDateTime;
    }
}

/// <summary>What a queuing run did: mails queued, invitees passed over and why, one line per invitee that failed.</summary>
public sealed record CampaignResult(int Queued, int WithoutLink, IReadOnlyList<string> Problems, Reminder? Reminder = null)
{
    public bool Scheduled => Reminder is { QueuedAt: null };
}

/// <summary>Progress of a queuing run: invitees handled so far of all chosen.</summary>
public readonly record struct CampaignProgress(int Done, int Total);

/// <summary>
/// Invitation, reminder and receipt mails for a survey's invitees (docs/decisions/052): chooses the recipients, makes or
/// recovers their links (042), renders the survey's own templates and queues the mails in the outbox in batches. Never
/// to an invitation that has a submission, whose address was refused, or that has no address. Every run writes an
/// audit entry (counts and ids).
/// </summary>
public sealed class MailCampaigns(ShirabeDb db, Outbox outbox, SurveyCatalog catalog, LinkKeys keys, PublicSite site,
    TimeProvider clock, ILogger<MailCampaigns> log)
{
    public const int BatchSize = 1000;

    private sealed record Candidate(int Id, string Code, string Name, string? Contact, string? Email, string? Cc,
        bool Started, bool Invited, AccessLink? Link);

    /// <summary>The survey's served version. Throws <see cref="UserError"/> when there is none.</summary>
    public async Task<StoredSurvey> SurveyAsync(string surveyId, CancellationToken cancel) =>
        await catalog.GetAsync(db, surveyId, cancel) ?? throw new UserError($"調査「{surveyId}」はデータベースにありません（shirabe survey list で確認してください）。");

    /// <summary>Invitations that may be mailed at all: this survey, not submitted, address not refused, an address, not expired.</summary>
    private IQueryable<Invitation> Mailable(string surveyId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Invitations.Where(i => i.SurveyId == surveyId && i.AddressFailedAt == null
                                         && i.ContactEmail != null && i.ContactEmail != ""
                                         && (i.ExpiresAt == null || i.ExpiresAt > now)
                                         && !db.Submissions.Any(s => s.InvitationId == i.Id));
    }

    private IQueryable<Invitation> Uninvited(string surveyId) =>
        Mailable(surveyId).Where(i => !db.OutboxMails.Any(m => m.InvitationId == i.Id && m.Kind == MailKind.Invitation));

    private IQueryable<Invitation> InStatus(string surveyId, IReadOnlyCollection<ReminderTarget> targets)
    {
        var unopened = targets.Contains(ReminderTarget.Unopened);
        var draft = targets.Contains(ReminderTarget.Draft);
        return Mailable(surveyId).Where(i => db.Drafts.Any(d => d.InvitationId == i.Id) ? draft : unopened);
    }

    /// <summary>How many invitees an invitation run would mail now (the console's confirmation).</summary>
    public Task<int> CountInvitationsAsync(string surveyId, bool onlyUninvited, CancellationToken cancel) =>
        (onlyUninvited ? Uninvited(surveyId) : Mailable(surveyId)).CountAsync(cancel);

    /// <summary>How many invitees a reminder to <paramref name="targets"/> would mail now.</summary>
    public Task<int> CountRemindersAsync(string surveyId, IReadOnlyCollection<ReminderTarget> targets, CancellationToken cancel) =>
        InStatus(surveyId, targets).CountAsync(cancel);

    /// <summary>
    /// Queues the invitation mail for every mailable invitee (<paramref name="onlyUninvited"/>: only those never sent
    /// one). An invitee without a live link gets one (derived from the link key when there is one); a live link that
    /// cannot be recovered is replaced only if it was never mailed and nobody has answered on it, else the invitee is
    /// listed as a problem (reissue it by hand). One transaction for the whole run, written batch by batch.
    /// </summary>
    public async Task<CampaignResult> QueueInvitationsAsync(string surveyId, bool onlyUninvited, int? userId = null,
        IProgress<CampaignProgress>? progress = null, CancellationToken cancel = default)
    {
        var stored = await SurveyAsync(surveyId, cancel);
        RefuseWhenClosed(stored.Survey);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        await InviteLinks.LockAsync(db, surveyId, cancel);
        var ids = await (onlyUninvited ? Uninvited(surveyId) : Mailable(surveyId)).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(cancel);
        var run = await RunAsync(stored.Survey, MailKind.Invitation, ids.Count, now, cancel);
        await using var links = PersonalLinks.For(db, keys, now);
        await using var rows = OutboxRows.For(db);
        var problems = new List<string>();
        var queued = 0;
        var newLinks = 0;
        var done = 0;
        foreach (var batch in ids.Chunk(BatchSize))
        {
            var (q, n) = await QueueInvitationBatchAsync(run, batch, links, rows, problems, now, cancel);
            queued += q;
            newLinks += n;
            done += batch.Length;
            progress?.Report(new CampaignProgress(done, ids.Count));
        }
        await Audit(userId, AuditAction.MailInvitationsQueued, surveyId,
            new { queued, newLinks, failed = problems.Count, onlyUninvited }, cancel);
        await tx.CommitAsync(cancel);
        return new CampaignResult(queued, 0, problems);
    }

    /// <summary>One batch of invitation mails in the caller's transaction: links made or recovered, the mails written.</summary>
    private async Task<(int Queued, int NewLinks)> QueueInvitationBatchAsync(MailRun run, int[] batch, PersonalLinks links,
        OutboxRows rows, List<string> problems, DateTime now, CancellationToken cancel)
    {
        var mails = new List<OutboxMail>(batch.Length);
        var candidates = await CandidatesAsync(batch, cancel);
        var unlinked = new List<Candidate>();
        var ready = new List<(Candidate Who, string Token)>();
        foreach (var c in candidates)
        {
            var token = c.Link is { } l ? keys.Recover(l.Id, l.Stamp, l.TokenHash) : null;
            if (token is not null) { ready.Add((c, token)); continue; }
            if (c.Link is not null && (c.Started || c.Invited))
            {
                problems.Add($"{c.Code} {c.Name}: 現在のリンクはメールに載せられません（鍵がないときに作られたリンク）。回答用リンクを再発行してから送ってください。");
                continue;
            }
            unlinked.Add(c);
        }
        var replaced = unlinked.Where(c => c.Link is not null).Select(c => c.Id).ToList();
        if (replaced.Count > 0)
            await db.AccessLinks.Where(x => replaced.Contains(x.InvitationId) && x.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancel);
        var made = await links.AddAsync(unlinked.Select(c => c.Id).ToList(), cancel);
        ready.AddRange(unlinked.Select((c, n) => (c, made[n].Token)));
        foreach (var (who, token) in ready.OrderBy(r => r.Who.Id))
            TryAdd(run, who, MailKind.Invitation, Url(token), null, mails, problems);
        await rows.WriteAsync(mails, cancel);
        return (mails.Count, made.Length);
    }

    /// <summary>
    /// What one invitee's 「依頼メールを送る」 would send: the invitation when none was ever queued for it, else a reminder;
    /// or, in Japanese, why nothing may be sent (the campaigns' rules: not after a submission, to a refused address,
    /// without an address, on an expired invitation, after the close).
    /// </summary>
    public async Task<(string? Kind, string? Refusal)> PlanOneAsync(int invitationId, CancellationToken cancel)
    {
        var i = await db.Invitations.AsNoTracking().Where(x => x.Id == invitationId)
            .Select(x => new
            {
                x.SurveyId, x.ContactEmail, x.AddressFailedAt, x.ExpiresAt,
                Submitted = db.Submissions.Any(s => s.InvitationId == x.Id),
                Invited = db.OutboxMails.Any(m => m.InvitationId == x.Id && m.Kind == MailKind.Invitation),
            }).SingleAsync(cancel);
        var stored = await SurveyAsync(i.SurveyId, cancel);
        if (stored.Survey.Period.PhaseAt(clock.GetUtcNow()) == SurveyPhase.Closed)
            return (null, "回答期間が終了しているため送れません。");
        if (i.Submitted) return (null, "回答を提出済みのため送りません（提出後に依頼・督促メールは送りません）。");
        if (i.AddressFailedAt is not null) return (null, "宛先エラーになっているため送れません。連絡先を直し、宛先エラーを解除してから送ってください。");
        if (string.IsNullOrWhiteSpace(i.ContactEmail)) return (null, "メールアドレスがないため送れません。連絡先を直してから送ってください。");
        if (i.ExpiresAt is { } exp && exp <= clock.GetUtcNow().UtcDateTime) return (null, "この団体の回答の有効期限が切れているため送れません。");
        return (i.Invited ? MailKind.Reminder : MailKind.Invitation, null);
    }

    /// <summary>
    /// Queues the mail <see cref="PlanOneAsync"/> chose for one invitee, refused (a <see cref="UserError"/> saying why) when
    /// it may not be sent or the choice is no longer <paramref name="expectedKind"/> (the page confirmed another one).
    /// Writes an audit entry.
    /// </summary>
    public async Task<CampaignResult> QueueOneAsync(int invitationId, string expectedKind, int? userId, CancellationToken cancel)
    {
        var (kind, refusal) = await PlanOneAsync(invitationId, cancel);
        if (refusal is not null) throw new UserError(refusal);
        if (kind != expectedKind)
            throw new UserError("確認した後に状況が変わりました（別の操作でメールが作られた可能性があります）。もう一度確認してから送ってください。");
        var surveyId = await db.Invitations.Where(x => x.Id == invitationId).Select(x => x.SurveyId).SingleAsync(cancel);
        var stored = await SurveyAsync(surveyId, cancel);
        var problems = new List<string>();
        int queued = 0, withoutLink = 0, newLinks = 0;
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var tx = await db.Database.BeginTransactionAsync(cancel))
        {
            await using var rows = OutboxRows.For(db);
            if (kind == MailKind.Invitation)
            {
                await InviteLinks.LockAsync(db, surveyId, cancel);
                await using var links = PersonalLinks.For(db, keys, now);
                var run = await RunAsync(stored.Survey, MailKind.Invitation, 1, now, cancel);
                (queued, newLinks) = await QueueInvitationBatchAsync(run, [invitationId], links, rows, problems, now, cancel);
            }
            else
            {
                var c = (await CandidatesAsync([invitationId], cancel)).Single();
                var token = c.Link is { } l ? keys.Recover(l.Id, l.Stamp, l.TokenHash) : null;
                var mails = new List<OutboxMail>(1);
                var run = await RunAsync(stored.Survey, MailKind.Reminder, 1, now, cancel);
                if (TryAdd(run, c, MailKind.Reminder, token is null ? null : Url(token), null, mails, problems))
                {
                    queued = 1;
                    if (token is null) withoutLink = 1;
                }
                await rows.WriteAsync(mails, cancel);
            }
            await tx.CommitAsync(cancel);
        }
        await Audit(userId, AuditAction.MailToInvitee, "invitation:" + invitationId,
            new { survey = surveyId, kind, queued, newLinks, withoutLink, failed = problems.Count }, cancel);
        return new CampaignResult(queued, withoutLink, problems);
    }

    /// <summary>
    /// A reminder round to the invitees in <paramref name="targets"/>: queued now (<paramref name="scheduledAt"/> null or
    /// not in the future), or stored and queued by the sender when due. Recipients are chosen when it is queued.
    /// </summary>
    public async Task<CampaignResult> QueueRemindersAsync(string surveyId, IReadOnlyCollection<ReminderTarget> targets,
        DateTime? scheduledAt = null, int? userId = null, IProgress<CampaignProgress>? progress = null, CancellationToken cancel = default)
    {
        if (targets.Count == 0) throw new UserError("督促の対象（未開封・回答中（下書き））を 1 つ以上選んでください。");
        var stored = await SurveyAsync(surveyId, cancel);
        var survey = stored.Survey;
        var now = clock.GetUtcNow().UtcDateTime;
        RefuseWhenClosed(survey);
        if (scheduledAt is { } at && at >= survey.Period.ClosesAt.UtcDateTime)
            throw new UserError($"送信日時 {survey.Period.ToLocal(at):yyyy-MM-dd HH:mm} は回答期間の終了（{survey.Period.ToLocal(survey.Period.ClosesAt.UtcDateTime):yyyy-MM-dd HH:mm}）より後です。");
        var reminder = new Reminder
        {
            SurveyId = surveyId, Statuses = ReminderTargets.Store(targets), ScheduledAt = scheduledAt is { } s && s > now ? s : now,
            CreatedAt = now, CreatedByUserId = userId,
        };
        db.Reminders.Add(reminder);
        await db.SaveChangesAsync(cancel);
        var later = reminder.ScheduledAt > now;
        await Audit(userId, later ? AuditAction.MailReminderScheduled : AuditAction.MailReminderQueued, "reminder:" + reminder.Id,
            new { survey = surveyId, statuses = reminder.Statuses, scheduledAt = reminder.ScheduledAt }, cancel);
        if (later) return new CampaignResult(0, 0, [], reminder);
        return await QueueReminderAsync(reminder.Id, stored, userId, progress, cancel) ?? new CampaignResult(0, 0, [], reminder);
    }

    /// <summary>
    /// Queues one due reminder round, claimed first (QueuedAt set where still null), so two senders never queue it twice;
    /// the claim and its mails are one transaction. Null when another sender took it or it was cancelled.
    /// </summary>
    private async Task<CampaignResult?> QueueReminderAsync(int reminderId, StoredSurvey stored, int? userId,
        IProgress<CampaignProgress>? progress, CancellationToken cancel)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        var claimed = await db.Reminders.Where(r => r.Id == reminderId && r.QueuedAt == null && r.CancelledAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.QueuedAt, now), cancel);
        if (claimed == 0) return null;
        var reminder = await db.Reminders.AsNoTracking().SingleAsync(r => r.Id == reminderId, cancel);
        var ids = await InStatus(stored.Record.Id, ReminderTargets.Parse(reminder.Statuses)).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(cancel);
        var problems = new List<string>();
        int queued = 0, withoutLink = 0, done = 0;
        var run = await RunAsync(stored.Survey, MailKind.Reminder, ids.Count, now, cancel);
        await using var rows = OutboxRows.For(db);
        var mails = new List<OutboxMail>(BatchSize);
        foreach (var batch in ids.Chunk(BatchSize))
        {
            mails.Clear();
            foreach (var c in await CandidatesAsync(batch, cancel))
            {
                var token = c.Link is { } l ? keys.Recover(l.Id, l.Stamp, l.TokenHash) : null;
                if (TryAdd(run, c, MailKind.Reminder, token is null ? null : Url(token), reminderId, mails, problems))
                {
                    queued++;
                    if (token is null) withoutLink++;
                }
            }
            await rows.WriteAsync(mails, cancel);
            done += batch.Length;
            progress?.Report(new CampaignProgress(done, ids.Count));
        }
        await db.Reminders.Where(r => r.Id == reminderId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Count, queued), cancel);
        await Audit(userId, AuditAction.MailReminderSent, "reminder:" + reminderId,
            new { survey = stored.Record.Id, queued, withoutLink, failed = problems.Count }, cancel);
        await tx.CommitAsync(cancel);
        reminder.Count = queued;
        return new CampaignResult(queued, withoutLink, problems, reminder);
    }

    /// <summary>Queues every reminder whose time has come (the background sender and `mail send` call this before draining).</summary>
    public async Task<int> QueueDueRemindersAsync(CancellationToken cancel = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.Reminders.AsNoTracking().Where(r => r.QueuedAt == null && r.CancelledAt == null && r.ScheduledAt <= now)
            .OrderBy(r => r.ScheduledAt).Select(r => new { r.Id, r.SurveyId }).ToListAsync(cancel);
        var queued = 0;
        foreach (var r in due)
        {
            var stored = await SurveyAsync(r.SurveyId, cancel);
            if (stored.Survey.Period.PhaseAt(clock.GetUtcNow()) == SurveyPhase.Closed)
            {
                // Too late to remind anyone: recorded as cancelled rather than sent after the close.
                await db.Reminders.Where(x => x.Id == r.Id && x.QueuedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.CancelledAt, now), cancel);
                continue;
            }
            var result = await QueueReminderAsync(r.Id, stored, null, null, cancel); // by the sender: no user
            if (result is null) continue;
            queued += result.Queued;
            if (result.Problems.Count > 0)
                log.LogWarning("Reminder {Id}: {Count} invitees not mailed: {Problems}", r.Id, result.Problems.Count, string.Join(" / ", result.Problems));
        }
        return queued;
    }

    /// <summary>Cancels a reminder that has not been queued yet; false when it was already queued or cancelled.</summary>
    public async Task<bool> CancelAsync(string surveyId, int reminderId, int? userId, CancellationToken cancel)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var n = await db.Reminders.Where(r => r.Id == reminderId && r.SurveyId == surveyId && r.QueuedAt == null && r.CancelledAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CancelledAt, now), cancel);
        if (n > 0) await Audit(userId, AuditAction.MailReminderCancelled, "reminder:" + reminderId, new { survey = surveyId }, cancel);
        return n > 0;
    }

    /// <summary>The survey's reminder rounds, newest first.</summary>
    public Task<List<Reminder>> RemindersAsync(string surveyId, CancellationToken cancel) =>
        db.Reminders.AsNoTracking().Where(r => r.SurveyId == surveyId).OrderByDescending(r => r.ScheduledAt).ThenByDescending(r => r.Id)
            .ToListAsync(cancel);

    /// <summary>
    /// The receipt for a submission, made but not added to a context: only when the invitation has an address that was
    /// not refused. The committer (Respond.SubmissionCommitter) makes the row with the submission's own transaction
    /// by calling the returned function, as often as it retries. <paramref name="stored"/> is the request's stored
    /// survey (its mail wording, decision 052), read again only when it is another survey. A template or address
    /// problem is logged and never blocks the submission.
    /// </summary>
    public async Task<Func<OutboxMail>?> ReceiptAsync(Invitation invitation, string organisation, StoredSurvey? stored,
        CancellationToken cancel)
    {
        if (string.IsNullOrWhiteSpace(invitation.ContactEmail) || invitation.AddressFailedAt is not null) return null;
        if (stored?.Record.Id != invitation.SurveyId) stored = await catalog.GetAsync(db, invitation.SurveyId, cancel);
        if (stored is null) return null;
        try
        {
            var content = MailTemplates.Content(stored.Survey, MailKind.Receipt,
                new MailRecipient(organisation, invitation.ContactName, invitation.ContactEmail, invitation.Cc), null, site.Url);
            outbox.Make(invitation.Id, MailKind.Receipt, content); // checked here: the committer's calls cannot fail
            return () => outbox.Make(invitation.Id, MailKind.Receipt, content);
        }
        catch (UserError e)
        {
            log.LogWarning("Receipt for invitation {Id} not queued: {Message}", invitation.Id, e.Message);
            return null;
        }
    }

    private async Task<List<Candidate>> CandidatesAsync(int[] ids, CancellationToken cancel)
    {
        var rows = await db.Invitations.AsNoTracking().Where(i => ids.Contains(i.Id))
            .Select(i => new
            {
                i.Id, i.Organisation.Code, i.Organisation.Name, i.ContactName, i.ContactEmail, i.Cc,
                Started = db.Drafts.Any(d => d.InvitationId == i.Id),
                Invited = db.OutboxMails.Any(m => m.InvitationId == i.Id && m.Kind == MailKind.Invitation),
            }).ToListAsync(cancel);
        var links = (await db.AccessLinks.AsNoTracking().Where(l => ids.Contains(l.InvitationId) && l.RevokedAt == null).ToListAsync(cancel))
            .GroupBy(l => l.InvitationId).ToDictionary(g => g.Key, g => g.OrderByDescending(l => l.Id).First());
        return rows.OrderBy(r => r.Id).Select(r => new Candidate(r.Id, r.Code, r.Name, r.ContactName, r.ContactEmail, r.Cc,
            r.Started, r.Invited, links.GetValueOrDefault(r.Id))).ToList();
    }

    /// <summary>
    /// The survey's template of <paramref name="kind"/> for one queuing run, its snapshot stored in the caller's transaction
    /// when the run has <paramref name="recipients"/> (decision 077).
    /// </summary>
    private async Task<MailRun> RunAsync(Survey survey, string kind, int recipients, DateTime now, CancellationToken cancel)
    {
        var run = MailRun.For(survey, kind, site.Url);
        if (recipients > 0) await run.SaveAsync(db, now, cancel);
        return run;
    }

    /// <summary>Checks one mail of <paramref name="run"/> into <paramref name="mails"/>, or lists the invitee's problem and returns false.</summary>
    private bool TryAdd(MailRun run, Candidate c, string kind, string? url, int? reminderId, List<OutboxMail> mails, List<string> problems)
    {
        try
        {
            var content = run.Content(new MailRecipient(c.Name, c.Contact, c.Email!, c.Cc), url);
            var mail = outbox.Make(c.Id, kind, content);
            mail.ReminderId = reminderId;
            mails.Add(mail);
            return true;
        }
        catch (UserError e)
        {
            problems.Add($"{c.Code} {c.Name}: {e.Message}");
            return false;
        }
    }

    private string Url(string token) => InvitationTokens.Url(site.Url, token);

    private void RefuseWhenClosed(Survey survey)
    {
        if (survey.Period.PhaseAt(clock.GetUtcNow()) == SurveyPhase.Closed)
            throw new UserError($"調査「{survey.Id}」の回答期間は終了しています。メールは作成していません。");
    }

    private Task Audit(int? userId, string action, string target, object detail, CancellationToken cancel) =>
        new AuditLog(db, clock).WriteAsync(userId, action, target, detail, cancel);
}

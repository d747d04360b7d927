using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin;

/// <summary>
/// Every submission of one survey (valid or not) as read from the database, with how far the answer history and the
/// validity changes had got, so that the next data version reads only the submissions that changed since
/// (docs/decisions/075). Immutable: an update makes a new one, sharing the unchanged responses.
/// </summary>
internal sealed class SubmissionsRead
{
    /// <summary>Rows of one kind counted in one statement (one snapshot) with the greatest id among them.</summary>
    private readonly record struct Rows(int Count, long Last);

    /// <param name="Versioned">History rows of the survey's definition versions.</param>
    /// <param name="Unversioned">History rows without a version (rows older than versions, of any survey).</param>
    /// <param name="Validity">Validity changes: their audit entries, each committed with its change.</param>
    private readonly record struct Mark(Rows Versioned, Rows Unversioned, Rows Validity);

    /// <summary>A change touching more submissions than this share of them is read whole (as cheap, and simpler).</summary>
    private const int WholeReadShare = 4;

    /// <summary>Attempts at a complete change before reading everything (a submission committed while it was read).</summary>
    private const int Attempts = 3;

    private readonly Mark _mark;
    private readonly Dictionary<int, SubmittedResponses.Stored> _rows;

    private SubmissionsRead(Survey survey, Mark mark, Dictionary<int, SubmittedResponses.Stored> rows, List<Response> valid)
    {
        Survey = survey;
        _mark = mark;
        _rows = rows;
        Valid = valid;
    }

    /// <summary>The survey (definition) the answers were read with.</summary>
    public Survey Survey { get; }

    /// <summary>The valid submissions in the order of <see cref="SubmittedResponses.LoadAsync"/>.</summary>
    public List<Response> Valid { get; }

    /// <summary>Every submission, after the history and the validity changes were counted (so nothing counted is missing).</summary>
    public static async Task<SubmissionsRead> ReadAllAsync(ShirabeDb db, Survey survey, CancellationToken cancel)
    {
        var mark = await MarkAsync(db, survey.Id, cancel);
        var rows = (await SubmittedResponses.ReadAsync(db, survey, null, cancel)).ToDictionary(r => r.InvitationId);
        return new SubmissionsRead(survey, mark, rows, SubmittedResponses.InOrder(rows.Values.Where(r => r.Valid).Select(r => r.Response)));
    }

    /// <summary>
    /// This read brought up to what the database holds now by reading again only the submissions with a history row
    /// added since (a submission, resubmission, paper entry or imported row) or a validity change logged since (its
    /// audit entry names the invitation; an entry that does not makes every submission's flag be read). Null when the
    /// change cannot be proved complete, so the caller reads everything: the rows found after the last id counted must
    /// account for every row the counts gained. A row missing from them — an id committed after a greater one (ids are
    /// handed out at insert, not at commit), a row given a version by an upgrade, any row removed — makes the counts
    /// disagree. The rows are read before they are counted and never deleted, so equal counts prove that the rows
    /// found are all the rows added.
    /// </summary>
    public async Task<SubmissionsRead?> UpdateAsync(ShirabeDb db, CancellationToken cancel)
    {
        var versions = Versions(db, Survey.Id);
        var (versioned, unversioned, validity) = (_mark.Versioned.Last, _mark.Unversioned.Last, _mark.Validity.Last);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var added = await db.AnswerHistory
                .Where(h => (h.SurveyVersionId == null && h.Id > unversioned) || (versions.Contains(h.SurveyVersionId) && h.Id > versioned))
                .Select(h => new { h.InvitationId, Versioned = h.SurveyVersionId != null })
                .ToListAsync(cancel);
            var marked = await db.AuditEntries.Where(a => a.Action == AuditAction.ValidityChanged && a.Id > validity)
                .Select(a => a.Detail).ToListAsync(cancel);
            var mark = await MarkAsync(db, Survey.Id, cancel);
            if (mark.Versioned.Count != _mark.Versioned.Count + added.Count(a => a.Versioned)
                || mark.Unversioned.Count != _mark.Unversioned.Count + added.Count(a => !a.Versioned)
                || mark.Validity.Count != _mark.Validity.Count + marked.Count)
                continue; // committed meanwhile, or out of order: look again, then read everything
            var named = marked.Select(InvitationOf).ToList();
            var touched = added.Select(a => a.InvitationId).Concat(named.OfType<int>()).ToHashSet();
            if (touched.Count > _rows.Count / WholeReadShare + 100) return null;
            var rows = new Dictionary<int, SubmittedResponses.Stored>(_rows);
            if (touched.Count > 0)
            {
                // Unversioned rows may be another survey's: those invitations have no submission here.
                foreach (var id in touched) rows.Remove(id);
                foreach (var r in await SubmittedResponses.ReadAsync(db, Survey, touched.ToArray(), cancel)) rows[r.InvitationId] = r;
            }
            if (named.Contains(null))
            {
                var flags = await db.Submissions.Where(s => s.Invitation.SurveyId == Survey.Id)
                    .Select(s => new { s.InvitationId, s.Valid }).ToListAsync(cancel);
                foreach (var f in flags)
                    if (rows.TryGetValue(f.InvitationId, out var r) && r.Valid != f.Valid)
                    {
                        rows[f.InvitationId] = r with { Valid = f.Valid };
                        touched.Add(f.InvitationId);
                    }
            }
            return new SubmissionsRead(Survey, mark, rows, Merge(touched, rows));
        }
        return null;
    }

    /// <summary>
    /// The valid responses in order after the submissions of <paramref name="touched"/> changed: this read's list without
    /// their old responses, merged with their new ones (no sort of the whole list).
    /// </summary>
    private List<Response> Merge(HashSet<int> touched, Dictionary<int, SubmittedResponses.Stored> rows)
    {
        if (touched.Count == 0) return Valid;
        var gone = new HashSet<Response>(ReferenceEqualityComparer.Instance);
        var come = new List<Response>();
        foreach (var id in touched)
        {
            if (_rows.TryGetValue(id, out var old) && old.Valid) gone.Add(old.Response);
            if (rows.TryGetValue(id, out var now) && now.Valid) come.Add(now.Response);
        }
        come.Sort(SubmittedResponses.Order);
        var merged = new List<Response>(Valid.Count - gone.Count + come.Count);
        var next = 0;
        foreach (var r in Valid)
        {
            if (gone.Contains(r)) continue;
            while (next < come.Count && SubmittedResponses.Order.Compare(come[next], r) < 0) merged.Add(come[next++]);
            merged.Add(r);
        }
        while (next < come.Count) merged.Add(come[next++]);
        return merged;
    }

    /// <summary>The invitation a validity change's audit entry names (its detail's <c>invitation</c>); null: none.</summary>
    private static int? InvitationOf(string? detail)
    {
        if (detail is null) return null;
        try
        {
            using var json = JsonDocument.Parse(detail);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("invitation", out var id)
                   && id.TryGetInt32(out var n) ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A value that changes whenever the survey's tabulated data may have: the history rows of its versions (every
    /// submission, resubmission, paper entry and imported row adds one with its definition version; history rows are
    /// never deleted), the history rows without a version (rows older than versions, of any survey) and the number of
    /// validity changes (each committed with its audit entry, which is never deleted). Each is an index range count,
    /// read after the change it counts is committed, so a reader that takes the version before the data can at worst
    /// keep newer data under an older version (read again on the next view), never older data under a newer one.
    /// </summary>
    public static async Task<string> DataVersionAsync(ShirabeDb db, string surveyId, CancellationToken cancel)
    {
        var submitted = await db.AnswerHistory.CountAsync(h => Versions(db, surveyId).Contains(h.SurveyVersionId), cancel);
        var unversioned = await db.AnswerHistory.CountAsync(h => h.SurveyVersionId == null, cancel);
        var validity = await ValidityChangesAsync(db, cancel);
        return $"{submitted}.{unversioned}.{validity}";
    }

    /// <summary>The counts of <see cref="DataVersionAsync"/>, each kind of history row with its greatest id (one statement each).</summary>
    private static async Task<Mark> MarkAsync(ShirabeDb db, string surveyId, CancellationToken cancel)
    {
        var versions = Versions(db, surveyId);
        var versioned = await CountAsync(db.AnswerHistory.Where(h => versions.Contains(h.SurveyVersionId)), cancel);
        var unversioned = await CountAsync(db.AnswerHistory.Where(h => h.SurveyVersionId == null), cancel);
        var validity = await db.AuditEntries.Where(a => a.Action == AuditAction.ValidityChanged).GroupBy(a => 1)
            .Select(g => new Rows(g.Count(), g.Max(a => a.Id))).FirstOrDefaultAsync(cancel);
        return new Mark(versioned, unversioned, validity);
    }

    private static async Task<Rows> CountAsync(IQueryable<AnswerHistory> rows, CancellationToken cancel) =>
        await rows.GroupBy(h => 1).Select(g => new Rows(g.Count(), g.Max(h => h.Id))).FirstOrDefaultAsync(cancel);

    private static Task<int> ValidityChangesAsync(ShirabeDb db, CancellationToken cancel) =>
        db.AuditEntries.CountAsync(a => a.Action == AuditAction.ValidityChanged, cancel);

    private static IQueryable<int?> Versions(ShirabeDb db, string surveyId) =>
        db.SurveyVersions.Where(v => v.SurveyId == surveyId).Select(v => (int?)v.Id);
}

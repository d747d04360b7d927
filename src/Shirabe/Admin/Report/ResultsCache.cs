using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin;

/// <summary>
/// The console's tabulations, made once per data version and kept (docs/decisions/071): a survey version's valid
/// submissions read and tabulated once, and each segment of them tabulated once from those, until the data changes.
/// The data version is read from the database on every request (<see cref="DataVersionAsync"/>), so several server
/// instances, the command line and the import never leave a stale result behind. Charts drawn from a tabulation are
/// kept with it.
/// </summary>
public sealed class ResultsCache(Database database)
{
    /// <summary>Scopes (survey version × segment) kept; the least recently used goes first.</summary>
    public const int Capacity = 12;

    /// <summary>One survey version's responses (or a segment of them) tabulated, and the charts drawn from it.</summary>
    public sealed class Tabulated(List<Response> responses, SurveyTabulation tabulation)
    {
        public List<Response> Responses { get; } = responses;
        public SurveyTabulation Tabulation { get; } = tabulation;
        /// <summary>SVG by chart content and id prefix (<see cref="Reports.Charts.Svg(Reports.Chart, string, ConcurrentDictionary{string, string}?)"/>).</summary>
        public ConcurrentDictionary<string, string> Charts { get; } = new(StringComparer.Ordinal);
        /// <summary>The report built from this tabulation with the edits last asked for (their JSON), reused while they stay.</summary>
        public KeptReport? Report { get; set; }
    }

    /// <summary>A report document and the edits (JSON) it was built with; replaced whole, so readers never see half of one.</summary>
    public sealed record KeptReport(string Edits, Reports.ReportDocument Document);

    private sealed record Entry(string Data, Task<Tabulated> Task)
    {
        public long Used;
    }

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _clock;
    private int _made;

    /// <summary>Tabulations made since start (tests: a second view of unchanged data makes none).</summary>
    public int Made => Volatile.Read(ref _made);

    /// <summary>
    /// A value that changes whenever the survey's tabulated data may have: the history rows of its versions (every
    /// submission, resubmission, paper entry and imported row adds one with its definition version; history rows are
    /// never deleted), the history rows without a version (rows older than versions, of any survey) and the number of
    /// validity changes (each committed with its audit entry, which is never deleted). Each is an index range count,
    /// read after the change it counts is committed, so a reader that takes the version before the data can at worst
    /// keep newer data under an older version (tabulated again on the next view), never older data under a newer one.
    /// </summary>
    public static async Task<string> DataVersionAsync(ShirabeDb db, string surveyId, CancellationToken cancel)
    {
        var versions = db.SurveyVersions.Where(v => v.SurveyId == surveyId).Select(v => (int?)v.Id);
        var submitted = await db.AnswerHistory.CountAsync(h => versions.Contains(h.SurveyVersionId), cancel);
        var unversioned = await db.AnswerHistory.CountAsync(h => h.SurveyVersionId == null, cancel);
        var validity = await db.AuditEntries.CountAsync(a => a.Action == AuditAction.ValidityChanged, cancel);
        return $"{submitted}.{unversioned}.{validity}";
    }

    /// <summary>
    /// The valid submissions of <paramref name="survey"/> (stored version <paramref name="versionId"/>; null: the served
    /// folder's) tabulated, for <paramref name="segment"/> (null: everyone), at the database's current data version.
    /// </summary>
    public async Task<Tabulated> GetAsync(ShirabeDb db, Survey survey, int? versionId, Segment? segment, CancellationToken cancel)
    {
        var data = await DataVersionAsync(db, survey.Id, cancel);
        var all = $"{survey.Id}\n{versionId}";
        if (segment is null) return await GetAsync(all, data, () => LoadAsync(survey), cancel);
        return await GetAsync(all + "\n" + SegmentKey(segment), data, async () =>
        {
            var everyone = await GetAsync(all, data, () => LoadAsync(survey), CancellationToken.None);
            var responses = everyone.Responses.Where(segment.Matches).ToList();
            return new Tabulated(responses, Tabulate.Survey(survey, responses));
        }, cancel);
    }

    /// <summary>
    /// The entry of <paramref name="scope"/> at <paramref name="data"/>, made once (concurrent requests share it; a
    /// request that gives up does not stop it for the others). A newer data version replaces the scope's entry; a
    /// failed one is not kept.
    /// </summary>
    private Task<Tabulated> GetAsync(string scope, string data, Func<Task<Tabulated>> make, CancellationToken cancel)
    {
        Task<Tabulated> task;
        lock (_lock)
        {
            if (!_entries.TryGetValue(scope, out var entry) || entry.Data != data || entry.Task.IsFaulted || entry.Task.IsCanceled)
            {
                entry = new Entry(data, Task.Run(() =>
                {
                    Interlocked.Increment(ref _made);
                    return make();
                }));
                _entries[scope] = entry;
                while (_entries.Count > Capacity)
                    _entries.Remove(_entries.MinBy(e => e.Value.Used).Key);
            }
            entry.Used = ++_clock;
            task = entry.Task;
        }
        return task.WaitAsync(cancel);
    }

    /// <summary>Read with a context of its own: the entry outlives the request that started it.</summary>
    private async Task<Tabulated> LoadAsync(Survey survey)
    {
        await using var db = database.CreateContext();
        var responses = await SubmittedResponses.LoadAsync(db, survey);
        return new Tabulated(responses, Tabulate.Survey(survey, responses));
    }

    private static string SegmentKey(Segment segment) => string.Join("&", segment.Filters.Select(f =>
        f.Item.Code + "=" + string.Join(",", f.Codes) + (f.NoAnswer ? "," + SegmentFilter.NoAnswerWord : "")));
}

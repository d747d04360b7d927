using System.Collections.Concurrent;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;
using Shirabe.Data;

namespace Shirabe.Admin;

/// <summary>
/// The console's tabulations, made once per data version and kept (docs/decisions/071): a survey version's valid
/// submissions tabulated once, and each segment of them tabulated once from those, until the data changes. The data
/// version is read from the database on every request (<see cref="SubmissionsRead.DataVersionAsync"/>), so several
/// server instances, the command line and the import never leave a stale result behind; after a change only the
/// submissions that changed are read again (docs/decisions/075). Charts drawn from a tabulation are kept with it.
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
        /// <summary>Every submission read for this tabulation and where the history stood (everyone's entry only): the next data version starts from it.</summary>
        internal SubmissionsRead? Read { get; init; }
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
    private int _made, _readWhole;

    /// <summary>Tabulations made since start (tests: a second view of unchanged data makes none).</summary>
    public int Made => Volatile.Read(ref _made);

    /// <summary>Times every submission was read (tests: a change that can be applied reads only what changed).</summary>
    public int ReadWhole => Volatile.Read(ref _readWhole);

    /// <summary>
    /// The valid submissions of <paramref name="survey"/> (stored version <paramref name="versionId"/>; null: the served
    /// folder's) tabulated, for <paramref name="segment"/> (null: everyone), at the database's current data version.
    /// </summary>
    public async Task<Tabulated> GetAsync(ShirabeDb db, Survey survey, int? versionId, Segment? segment, CancellationToken cancel)
    {
        var data = await SubmissionsRead.DataVersionAsync(db, survey.Id, cancel);
        var all = $"{survey.Id}\n{versionId}";
        if (segment is null) return await GetAsync(all, data, before => LoadAsync(survey, before), cancel);
        return await GetAsync(all + "\n" + SegmentKey(segment), data, async _ =>
        {
            var everyone = await GetAsync(all, data, before => LoadAsync(survey, before), CancellationToken.None);
            var responses = everyone.Responses.Where(segment.Matches).ToList();
            return new Tabulated(responses, TabulateInParts(survey, responses));
        }, cancel);
    }

    /// <summary>
    /// The entry of <paramref name="scope"/> at <paramref name="data"/>, made once (concurrent requests share it; a
    /// request that gives up does not stop it for the others) from the scope's entry before it, if any. A newer data
    /// version replaces the scope's entry; a failed one is not kept.
    /// </summary>
    private Task<Tabulated> GetAsync(string scope, string data, Func<Tabulated?, Task<Tabulated>> make, CancellationToken cancel)
    {
        Task<Tabulated> task;
        lock (_lock)
        {
            if (!_entries.TryGetValue(scope, out var entry) || entry.Data != data || entry.Task.IsFaulted || entry.Task.IsCanceled)
            {
                // The entry replaced is the starting point, once it is made (a view during an update does not read everything).
                var before = entry is { Task: { IsFaulted: false, IsCanceled: false } replaced } ? replaced : null;
                entry = new Entry(data, Task.Run(async () =>
                {
                    Interlocked.Increment(ref _made);
                    var start = before is null ? null : await before.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
                    return await make(start);
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

    /// <summary>
    /// Everyone's submissions brought up to date from <paramref name="before"/> (only what changed is read), or read
    /// whole when there is nothing to start from or the change cannot be proved complete; then tabulated. Read with a
    /// context of its own: the entry outlives the request that started it.
    /// </summary>
    private async Task<Tabulated> LoadAsync(Survey survey, Tabulated? before)
    {
        await using var db = database.CreateContext();
        var read = before?.Read is { } last && ReferenceEquals(last.Survey, survey) ? await last.UpdateAsync(db, CancellationToken.None) : null;
        if (read is null)
        {
            Interlocked.Increment(ref _readWhole);
            read = await SubmissionsRead.ReadAllAsync(db, survey, CancellationToken.None);
        }
        return new Tabulated(read.Valid, TabulateInParts(survey, read.Valid)) { Read = read };
    }

    /// <summary>Many responses are tabulated in one part per core (the result is the same as in one, by <see cref="Tabulate.SurveyInParts"/>).</summary>
    private static SurveyTabulation TabulateInParts(Survey survey, List<Response> responses)
    {
        var parts = Math.Min(Environment.ProcessorCount, responses.Count / 10_000);
        if (parts < 2) return Tabulate.Survey(survey, responses);
        var size = (responses.Count + parts - 1) / parts;
        return Tabulate.SurveyInParts(survey, Enumerable.Range(0, parts).Select(i => responses.Skip(i * size).Take(size)).ToList());
    }

    private static string SegmentKey(Segment segment) => string.Join("&", segment.Filters.Select(f =>
        f.Item.Code + "=" + string.Join(",", f.Codes) + (f.NoAnswer ? "," + SegmentFilter.NoAnswerWord : "")));
}

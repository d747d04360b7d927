using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Reports;
using Shirabe.Surveys;

namespace Shirabe.Admin;

/// <summary>Builds the report (or the live tables) from the database: submitted responses, the layout and the edits.</summary>
public sealed class ConsoleReport(ShirabeDb db, ConsoleSurvey console, ReportEditsStore store, CurrentSurvey current, SurveyCatalog catalog,
    ResultsCache cache)
{
    /// <param name="Charts">The charts drawn from this tabulation, kept with it (<see cref="ResultsCache"/>).</param>
    public sealed record Built(ReportDocument Document, SurveyTabulation Tabulation, List<Response> Responses, ReportEdits Edits,
        System.Collections.Concurrent.ConcurrentDictionary<string, string> Charts)
    {
        /// <summary>A figure's SVG with ids prefixed by <paramref name="prefix"/>, drawn once per data version.</summary>
        public string Svg(FigureBlock figure, string prefix) => Reports.Charts.Svg(figure.Chart, prefix, Charts);
    }

    /// <summary>The wave before the console's survey (its PreviousSurveyId), read from the database; null: none.</summary>
    public sealed record PreviousWave(StoredSurvey Stored, WaveComparison Comparison);

    /// <param name="withPrevious">
    /// The report as downloaded: with its wave comparison when the console's survey has a previous wave in the database
    /// and its layout asks for one (a report.yaml `comparison:` part; the default report always does, docs/decisions/056).
    /// </param>
    public async Task<Built> BuildAsync(Segment? segment, CancellationToken cancel, bool withPrevious = false)
    {
        var tabulated = await TabulatedAsync(segment, cancel);
        var responses = tabulated.Responses;
        var edits = await store.LoadAsync(cancel);
        var tab = tabulated.Tabulation;
        var definition = console.Definition;
        if (withPrevious && segment is null && await PreviousAsync(cancel) is { } previous)
        {
            if (current.Stored?.Version.ReportYaml is null) definition = DefaultReport.For(console.Survey, comparison: true);
            tab = tab with { Previous = previous.Comparison };
        }
        // The document of the live pages (no comparison) is kept with its tabulation while the edits stay the same:
        // building it lists every respondent, which costs as much as a page at 100,000 responses.
        var editsJson = tab.Previous is null ? edits.ToJson() : null;
        ReportDocument doc;
        if (editsJson is not null && tabulated.Report is { } kept && kept.Edits == editsJson) doc = kept.Document;
        else
        {
            doc = ReportBuilder.Build(new ReportInput(definition, tab, () => responses, edits)) with { Charts = tabulated.Charts };
            if (editsJson is not null) tabulated.Report = new ResultsCache.KeptReport(editsJson, doc);
        }
        return new Built(doc, tab, responses, edits, tabulated.Charts);
    }

    /// <summary>The console's survey's valid submissions (of <paramref name="segment"/>) tabulated, once per data version.</summary>
    public Task<ResultsCache.Tabulated> TabulatedAsync(Segment? segment, CancellationToken cancel) =>
        cache.GetAsync(db, console.Survey, current.Stored?.Version.Id, segment, cancel);

    /// <summary>The previous wave's id when the downloaded report carries the comparison (its layout asks for one); else null.</summary>
    public string? ComparesWith => current.Stored is { Record.PreviousSurveyId: { } id } stored
                                   && (stored.Version.ReportYaml is null || console.Definition.Parts.Any(p => p.Comparison is not null))
        ? id : null;

    /// <summary>
    /// The previous wave: its stored survey, its valid submissions tabulated on their own (its own definition; no row of
    /// one wave counts in the other) and the diff that matches its items with this wave's.
    /// </summary>
    public async Task<PreviousWave?> PreviousAsync(CancellationToken cancel)
    {
        if (current.Stored?.Record.PreviousSurveyId is not { } id || await catalog.GetAsync(db, id, cancel) is not { } stored) return null;
        var tabulated = await cache.GetAsync(db, stored.Survey, stored.Version.Id, null, cancel);
        return new PreviousWave(stored, new WaveComparison(SurveyDiff.Compare(stored.Survey, console.Survey), tabulated.Tabulation));
    }
}

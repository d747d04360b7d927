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
public sealed class ConsoleReport(ShirabeDb db, ConsoleSurvey console, ReportEditsStore store, CurrentSurvey current, SurveyCatalog catalog)
{
    public sealed record Built(ReportDocument Document, SurveyTabulation Tabulation, List<Response> Responses, ReportEdits Edits);

    /// <summary>The wave before the console's survey (its PreviousSurveyId), read from the database; null: none.</summary>
    public sealed record PreviousWave(StoredSurvey Stored, WaveComparison Comparison);

    /// <param name="withPrevious">
    /// The report as downloaded: with its wave comparison when the console's survey has a previous wave in the database
    /// and its layout asks for one (a report.yaml `comparison:` part; the default report always does, docs/decisions/056).
    /// </param>
    public async Task<Built> BuildAsync(Segment? segment, CancellationToken cancel, bool withPrevious = false)
    {
        var all = await SubmittedResponses.LoadAsync(db, console.Survey, cancel);
        var responses = segment is null ? all : all.Where(segment.Matches).ToList();
        var edits = await store.LoadAsync(cancel);
        var tab = Core.Tabulation.Tabulate.Survey(console.Survey, responses);
        var definition = console.Definition;
        if (withPrevious && segment is null && await PreviousAsync(cancel) is { } previous)
        {
            if (current.Stored?.Version.ReportYaml is null) definition = DefaultReport.For(console.Survey, comparison: true);
            tab = tab with { Previous = previous.Comparison };
        }
        var doc = ReportBuilder.Build(new ReportInput(definition, tab, () => responses, edits));
        return new Built(doc, tab, responses, edits);
    }

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
        var responses = await SubmittedResponses.LoadAsync(db, stored.Survey, cancel);
        var tab = Core.Tabulation.Tabulate.Survey(stored.Survey, responses);
        return new PreviousWave(stored, new WaveComparison(SurveyDiff.Compare(stored.Survey, console.Survey), tab));
    }
}

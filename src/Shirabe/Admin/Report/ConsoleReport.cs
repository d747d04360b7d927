using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Reports;

namespace Shirabe.Admin;

/// <summary>Builds the report (or the live tables) from the database: submitted responses, the layout and the edits.</summary>
public sealed class ConsoleReport(ShirabeDb db, ConsoleSurvey console, ReportEditsStore store)
{
    public sealed record Built(ReportDocument Document, SurveyTabulation Tabulation, List<Response> Responses, ReportEdits Edits);

    public async Task<Built> BuildAsync(Segment? segment, CancellationToken cancel)
    {
        var all = await SubmittedResponses.LoadAsync(db, console.Survey, cancel);
        var responses = segment is null ? all : all.Where(segment.Matches).ToList();
        var edits = await store.LoadAsync(cancel);
        var tab = Core.Tabulation.Tabulate.Survey(console.Survey, responses);
        var doc = ReportBuilder.Build(new ReportInput(console.Definition, tab, () => responses, edits));
        return new Built(doc, tab, responses, edits);
    }
}

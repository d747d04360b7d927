using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Reports;

namespace Shirabe.Admin;

/// <summary>
/// The console's survey (the one chosen, <see cref="Surveys.CurrentSurvey"/>) with its report layout: the stored
/// version's report.yaml; <see cref="Folder"/> is the served folder when it is that folder's survey (its
/// report-edits.json is the edits' starting point), else null.
/// </summary>
public sealed record ConsoleSurvey(Survey Survey, ReportDefinition Definition, string? Folder)
{
    public static ConsoleSurvey For(Surveys.CurrentSurvey current, Surveys.SurveyCatalog catalog, ShirabeSettings settings,
        Surveys.ServedSurvey served)
    {
        var folder = Directory.Exists(settings.SurveyPath) ? settings.SurveyPath : Path.GetDirectoryName(settings.SurveyPath)!;
        var own = current.Survey.Id == served.Survey.Id ? folder : null;
        return current.Stored is { } stored
            ? new ConsoleSurvey(stored.Survey, catalog.Report(stored), own)
            : new ConsoleSurvey(current.Survey, ReportDefinitionLoader.LoadFile(folder, current.Survey), folder);
    }

    /// <summary>
    /// The heading of the invitees' category column: the survey's (<see cref="Fieldwork.RosterFile.CategoryHeading"/>,
    /// 業種 in SC3); null when the survey has no category item, and then the console shows no category at all.
    /// </summary>
    public string? CategoryLabel => Fieldwork.RosterFile.CategoryHeading(Survey);

    /// <summary>Whether the survey has a category item (and its roster a category column).</summary>
    public bool HasCategory => CategoryLabel is not null;

    /// <summary>report-edits.json of the CLI: the starting point when the database has no edits yet (null: none).</summary>
    public string? EditsFile => Folder is null ? null : Path.Combine(Folder, ReportRun.EditsFileName);

    /// <summary>A time stored in UTC, as shown in the console (the survey's time zone, Asia/Tokyo).</summary>
    public string Local(DateTime utc) => Survey.Period.ToLocal(utc).ToString("yyyy-MM-dd HH:mm");

    public string Local(DateTimeOffset t) => Local(t.UtcDateTime);
}

using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Reports;

namespace Shirabe.Admin;

/// <summary>The report layout of the survey being served (report.yaml beside survey.yaml).</summary>
public sealed record ConsoleSurvey(Survey Survey, ReportDefinition Definition, string Folder)
{
    public static ConsoleSurvey Load(ShirabeSettings settings, Survey survey)
    {
        var folder = Directory.Exists(settings.SurveyPath) ? settings.SurveyPath : Path.GetDirectoryName(settings.SurveyPath)!;
        return new ConsoleSurvey(survey, ReportDefinitionLoader.LoadFile(folder, survey), folder);
    }

    /// <summary>
    /// The heading of the invitees' category column: the short wording of the survey's `role: category` item (業種 in
    /// SC3), else its title; 区分 when the survey has none.
    /// </summary>
    public string CategoryLabel => Survey.ItemWith(ItemRole.Category) is { } item ? item.Short ?? ConsoleNames.Title(Survey, item) : "区分";

    /// <summary>report-edits.json of the CLI: the starting point when the database has no edits yet.</summary>
    public string EditsFile => Path.Combine(Folder, ReportRun.EditsFileName);

    /// <summary>A time stored in UTC, as shown in the console (the survey's time zone, Asia/Tokyo).</summary>
    public string Local(DateTime utc) => Survey.Period.ToLocal(utc).ToString("yyyy-MM-dd HH:mm");

    public string Local(DateTimeOffset t) => Local(t.UtcDateTime);
}

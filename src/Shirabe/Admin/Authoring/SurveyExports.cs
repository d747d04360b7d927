using Microsoft.AspNetCore.Http.HttpResults;
using Shirabe.Surveys;

namespace Shirabe.Admin.Authoring;

/// <summary>
/// Downloads of a stored version: survey.yaml and report.yaml as stored, or the survey as a workbook (decision 037),
/// which uploads back to the same definition.
/// </summary>
public static class SurveyExports
{
    public static void MapSurveyExports(this RouteGroupBuilder staff)
    {
        staff.MapGet("/surveys/{id}/versions/{versionId:int}/survey.{format:regex(^(yaml|xlsx)$)}", SurveyFile);
        staff.MapGet("/surveys/{id}/versions/{versionId:int}/report.yaml", ReportFile);
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> SurveyFile(string id, int versionId, string format,
        SurveyAuthoring authoring, HttpContext http)
    {
        if (await authoring.VersionAsync(id, versionId, http.RequestAborted) is not { } version) return TypedResults.NotFound();
        var name = $"{version.SurveyId}-v{version.Number}";
        if (format == "yaml")
            return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(version.SurveyYaml), "application/yaml; charset=utf-8", name + ".yaml");
        using var ms = new MemoryStream();
        SurveyWorkbook.Write(authoring.Parse(version), ms);
        return TypedResults.File(ms.ToArray(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name + ".xlsx");
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> ReportFile(string id, int versionId, SurveyAuthoring authoring, HttpContext http) =>
        await authoring.VersionAsync(id, versionId, http.RequestAborted) is { ReportYaml: { } report } version
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(report), "application/yaml; charset=utf-8", $"{version.SurveyId}-v{version.Number}-report.yaml")
            : TypedResults.NotFound();
}

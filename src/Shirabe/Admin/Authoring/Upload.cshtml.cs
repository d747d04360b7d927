using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Surveys;

namespace Shirabe.Admin.Authoring;

/// <summary>
/// Uploading a whole definition: survey.yaml or a workbook (.xlsx), optionally report.yaml (multipart; the body limit
/// is raised for this path only, after the 管理者 check: <see cref="SurveyUploadLimitsAttribute"/>). Every problem is listed with its line and column or its
/// cell, and nothing is stored; a valid one becomes a new survey (a draft) or a new version of a stored one.
/// </summary>
[SurveyUploadLimits]
public sealed class UploadModel(SurveyAuthoring authoring) : PageModel
{
    public const string Path = "/admin/surveys/upload";
    /// <summary>A workbook (5 MiB) and a report.yaml (4 MiB of UTF-8), with room for the form around them.</summary>
    public const long MaxBodyBytes = SurveyWorkbook.MaxFileBytes + SurveyAuthoring.MaxYamlBytes + (64 << 10);

    public IReadOnlyList<UploadProblem> Problems { get; private set; } = [];

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? note)
    {
        var cancel = HttpContext.RequestAborted;
        var file = Request.Form.Files.GetFile("survey");
        var report = Request.Form.Files.GetFile("report");
        if (file is null || file.Length == 0)
            return Fail([new("survey", "調査票のファイル（survey.yaml か .xlsx）を選んでください。")]);
        try
        {
            // One after the other: two open part streams over the one buffered body would interfere.
            await using var content = await CopyAsync(file, cancel);
            await using var reportContent = report is { Length: > 0 } ? await CopyAsync(report, cancel) : null;
            var (stored, change) = await authoring.UploadAsync(System.IO.Path.GetFileName(file.FileName), content,
                reportContent is null ? null : System.IO.Path.GetFileName(report!.FileName), reportContent, AdminAuth.UserId(User), note, cancel);
            if (change != CatalogChange.Unchanged)
                await HttpContext.AuditAsync(AuditAction.SurveyUploaded, $"survey:{stored.Record.Id}", new
                {
                    version = stored.Version.Number, versionId = stored.Version.Id, newSurvey = change == CatalogChange.NewSurvey,
                    workbook = file.FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase), report = reportContent is not null,
                });
            return Redirect($"/admin/surveys/{Uri.EscapeDataString(stored.Record.Id)}?done=" + (change == CatalogChange.Unchanged ? "unchanged" : "uploaded"));
        }
        catch (UploadException e)
        {
            return Fail(e.Problems);
        }
    }

    /// <summary>A part of the form in memory (the body, and so each part, is bounded by <see cref="MaxBodyBytes"/>).</summary>
    private static async Task<MemoryStream> CopyAsync(IFormFile file, CancellationToken cancel)
    {
        var ms = new MemoryStream();
        await file.CopyToAsync(ms, cancel);
        ms.Position = 0;
        return ms;
    }

    private PageResult Fail(IReadOnlyList<UploadProblem> problems)
    {
        Problems = problems;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}

/// <summary>
/// Reads the upload's multipart body (which <see cref="Respond.FormBodyGuard"/> leaves to this page) once the request
/// is authorized (管理者, by the page convention) and before the form token is checked: up to
/// <see cref="UploadModel.MaxBodyBytes"/>, a few fields. A broken or oversized body is a 4xx.
/// </summary>
public sealed class SurveyUploadLimitsAttribute : Attribute, IAsyncAuthorizationFilter, IOrderedFilter
{
    public int Order => 900;

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.HasFormContentType) return;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = UploadModel.MaxBodyBytes;
        try
        {
            await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = UploadModel.MaxBodyBytes, ValueCountLimit = 20, ValueLengthLimit = 4096 },
                http.RequestAborted);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException)
        {
            context.Result = new StatusCodeResult(e is BadHttpRequestException b ? b.StatusCode : StatusCodes.Status400BadRequest);
        }
    }
}

using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin.Invitees;

/// <summary>
/// The roster page (管理者 only, by the page convention): upload a roster file into the served survey (imported in the
/// background, <see cref="RosterImportJobs"/>; all or nothing), download the roster as CSV or XLSX, and find an invitee
/// to edit by code.
/// docs/decisions/048-roster-import.md.
/// </summary>
[RosterUploadLimits]
public sealed class ImportModel(ShirabeDb db, ConsoleSurvey console, RosterImportJobs jobs, IConfiguration config) : PageModel
{
    /// <summary>The only path whose multipart body <see cref="Respond.FormBodyGuard"/> leaves to the page (read after the role check).</summary>
    public const string Path = "/admin/roster";

    public int Invitees { get; private set; }
    public RosterReadOptions Limits { get; private set; } = new();
    public string? Error { get; private set; }
    public string? Code { get; private set; }

    /// <summary>The page; with ?code=, the edit page of that invitee (or a message that the code is not invited).</summary>
    public async Task<IActionResult> OnGetAsync(string? code)
    {
        if (!string.IsNullOrWhiteSpace(code))
        {
            Code = code.Trim();
            var id = await db.Invitations.Where(i => i.SurveyId == console.Survey.Id && i.Organisation.Code == Code)
                .Select(i => (int?)i.OrganisationId).FirstOrDefaultAsync(HttpContext.RequestAborted);
            if (id is not null) return Redirect($"/admin/invitees/{id}/edit");
            Error = $"コード「{RosterFile.Shorten(Code)}」の団体はこの調査の名簿にありません。";
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
        await LoadAsync();
        return Page();
    }

    /// <summary>Saves the upload and starts importing it in the background; the job's page shows the progress and outcome.</summary>
    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file, string? encoding)
    {
        var options = RosterReadOptions.From(config);
        if (encoding is "utf-8" or "cp932") options = options with { Encoding = Core.Responses.ResponsesReadOptions.ParseEncoding(encoding) };
        if (file is null || file.Length == 0)
        {
            Error = "名簿ファイル（CSV または XLSX）を選んでください。";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            await LoadAsync();
            return Page();
        }
        var job = await jobs.StartAsync(file, console.Survey.Id, options, AdminAuth.UserId(User), HttpContext.RequestAborted);
        return Redirect($"/admin/roster/imports/{job.Id}");
    }

    private async Task LoadAsync()
    {
        Limits = RosterReadOptions.From(config);
        Invitees = await db.Invitations.CountAsync(i => i.SurveyId == console.Survey.Id, HttpContext.RequestAborted);
    }

    /// <summary>The roster of the served survey as a roster file (a personal-data export: logged).</summary>
    public static async Task Download(string format, ShirabeDb db, ConsoleSurvey console, TimeProvider clock, HttpContext http)
    {
        // Written to a temporary file first: the writers are synchronous, and an XLSX needs a seekable stream.
        await using var temp = new FileStream(System.IO.Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite,
            FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        await RosterDownload.WriteAsync(db, console.Survey.Id, format, temp, clock, AdminAuth.UserId(http.User), http.RequestAborted);
        temp.Position = 0;
        http.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        http.Response.Headers.ContentDisposition = ConsoleFiles.Disposition(ConsoleFiles.Name(console.Survey, "名簿", clock.GetUtcNow(), format));
        http.Response.ContentLength = temp.Length;
        await temp.CopyToAsync(http.Response.Body, http.RequestAborted);
    }
}

/// <summary>
/// Reads the roster upload's form before the antiforgery check (order 1000) and after the role check (endpoint
/// authorization): the request body may then be as large as the roster file cap, instead of the server's 1 MB. A body
/// that is not a readable form ends as a 4xx, as <see cref="Respond.FormBodyGuard"/> does for every other form.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RosterUploadLimitsAttribute : Attribute, IAsyncAuthorizationFilter, IOrderedFilter
{
    public int Order => 900;

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.HasFormContentType) return;
        var max = RosterReadOptions.From(http.RequestServices.GetRequiredService<IConfiguration>()).MaxFileBytes + 64 * 1024;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = max;
        try
        {
            await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = max, ValueCountLimit = 20, ValueLengthLimit = 4096 }, http.RequestAborted);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException)
        {
            context.Result = new StatusCodeResult(e is BadHttpRequestException b ? b.StatusCode : StatusCodes.Status400BadRequest);
        }
    }
}

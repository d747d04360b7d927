using Microsoft.AspNetCore.Diagnostics;

namespace Shirabe.Respond;

/// <summary>
/// Reads every form post before any page sees it, so that a body the app will not take ends as a 4xx with the
/// Japanese error page instead of a 500 from model binding: too many fields or too long a value (400), too large (413),
/// a body that is not a form, or multipart on the questionnaire (415: its forms are URL-encoded, and a multipart
/// part's invalid UTF-8 would be stored as U+FFFD), and invalid UTF-8 in a URL-encoded body (400). The parsed form is cached for the page.
/// The roster upload alone is left to its page (a file larger than the server-wide body limit, read after the role check).
/// </summary>
public sealed class FormBodyGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method)
            || context.Features.Get<IStatusCodeReExecuteFeature>() is not null
            || context.Features.Get<IExceptionHandlerPathFeature>() is not null)
        {
            await next(context);
            return;
        }
        if (!request.HasFormContentType) // every POST of the app is a form; a page reading another body would throw
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        var questionnaire = request.Path.StartsWithSegments("/a") || IsStaffEntry(request.Path);
        if (questionnaire && request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        // The roster and survey uploads may be larger than the server's body limit: their pages read them, after the
        // 管理者 check (RosterUploadLimitsAttribute, SurveyUploadLimitsAttribute), so that no one else can make the server
        // take a large body.
        if ((request.Path.Equals(Admin.Invitees.ImportModel.Path, StringComparison.OrdinalIgnoreCase)
             || request.Path.Equals(Admin.Authoring.UploadModel.Path, StringComparison.OrdinalIgnoreCase))
            && request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        try
        {
            // A questionnaire page shows the answers back with its own message (Section); every other form is refused here.
            if (!IsSectionPage(request.Path) && !await FormAnswers.IsValidUtf8Async(request))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            await request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException) // IOException: a truncated multipart body
        {
            context.Response.StatusCode = e is BadHttpRequestException b ? b.StatusCode : StatusCodes.Status400BadRequest;
            return;
        }
        await next(context);
    }

    /// <summary>/a/{token}/s/{section}, or its staff entry /admin/invitees/{id}/paper/s/{section}.</summary>
    private static bool IsSectionPage(PathString path)
    {
        var parts = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 4 && parts[0] == "a" && parts[2] == "s"
               || parts.Length == 6 && IsStaffEntry(path) && parts[4] == "s";
    }

    /// <summary>/admin/invitees/{id}/paper/… (docs/decisions/050); this runs before routing, so by the path.</summary>
    private static bool IsStaffEntry(PathString path)
    {
        var parts = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 4 && parts[0] == "admin" && parts[1] == "invitees" && parts[2].All(char.IsAsciiDigit) && parts[3] == "paper";
    }
}

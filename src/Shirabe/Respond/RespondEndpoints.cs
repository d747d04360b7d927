using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Pdf;

namespace Shirabe.Respond;

/// <summary>
/// The PDFs: an association's own answers (for internal approval) and the blank questionnaire. Anyone can ask for
/// them, so they are bounded: a fixed number of pages render at once (then 503 with Retry-After), the blank
/// questionnaire is rendered once per version and kept, and answers.pdf is limited per link.
/// </summary>
public static class RespondEndpoints
{
    /// <summary>Seconds a client is told to wait after 503 (PDF renderer busy) or 429 (answers.pdf limit).</summary>
    public const int RetryAfterSeconds = 30;

    public static void MapRespondEndpoints(this IEndpointRouteBuilder app)
    {
        // The respondent's section page view (docs/decisions/073); its POST and staff entry stay on the Razor page
        // Section.cshtml, whose route this one shares (an endpoint with methods is preferred for GET and HEAD).
        app.MapMethods("/a/{token}/s/{section}/{part:int?}", [HttpMethods.Get, HttpMethods.Head], http =>
        {
            var values = http.Request.RouteValues;
            int? part = values["part"] is string p ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : null;
            return SectionView.ShowAsync(http, (string)values["token"]!, (string)values["section"]!, part);
        });
        app.MapGet("/a/{token}/answers.pdf", AnswersPdf);
        app.MapGet("/survey/blank.pdf", BlankPdf);
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult>> AnswersPdf(string token, bool? draft,
        HttpContext http, InvitationLookup lookup, ShirabeDb db, Survey survey, ChromiumPdf pdf, IWebHostEnvironment env,
        AnswersPdfLimiter perLink)
    {
        var (status, invitation) = await lookup.FindAsync(token, http);
        if (status == LookupStatus.RateLimited) return TypedResults.StatusCode(StatusCodes.Status429TooManyRequests);
        if (invitation is null) return TypedResults.StatusCode(StatusCodes.Status404NotFound);
        if (!perLink.TryAcquire(invitation.Id)) return Busy(http, StatusCodes.Status429TooManyRequests);
        var d = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(x => x.InvitationId == invitation.Id);
        var s = await db.Submissions.AsNoTracking().FirstOrDefaultAsync(x => x.InvitationId == invitation.Id);
        var doc = await PrintDocument.ForAsync(survey, invitation.Organisation, d, s, draft == true);
        try
        {
            var bytes = await pdf.RenderAsync(await doc.ToHtmlAsync(await Css(env)), ChromiumPdf.PageNumberFooter, http.RequestAborted,
                refuseWhenBusy: true);
            return TypedResults.File(bytes, "application/pdf", $"{survey.Id}-{invitation.Organisation.Code}.pdf");
        }
        catch (PdfBusyException)
        {
            return Busy(http, StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult>> BlankPdf(HttpContext http, Survey survey,
        BlankPdfCache cache, IWebHostEnvironment env)
    {
        try
        {
            var bytes = await cache.GetAsync(await (await PrintDocument.BlankAsync(survey)).ToHtmlAsync(await Css(env)), http.RequestAborted);
            return TypedResults.File(bytes, "application/pdf", $"{survey.Id}-questionnaire.pdf");
        }
        catch (PdfBusyException)
        {
            return Busy(http, StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>No body: the status code page gives the Japanese page; Retry-After says when to come back.</summary>
    private static StatusCodeHttpResult Busy(HttpContext http, int status)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.StatusCode(status);
    }

    private static async Task<string> Css(IWebHostEnvironment env)
    {
        var file = env.WebRootFileProvider.GetFileInfo("css/print.css");
        if (!file.Exists) return "";
        await using var stream = file.CreateReadStream();
        return await new StreamReader(stream).ReadToEndAsync();
    }
}

/// <summary>
/// The blank questionnaire's PDF, rendered once per version of its HTML (the survey definition and print.css) and then
/// served from memory; concurrent first requests share the one render. A failed render is not kept.
/// </summary>
public sealed class BlankPdfCache(ChromiumPdf pdf)
{
    private readonly Lock _lock = new();
    private (string Key, Task<byte[]> Pdf)? _current;

    public async Task<byte[]> GetAsync(string html, CancellationToken cancel)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(html)));
        Task<byte[]> task;
        lock (_lock)
        {
            if (_current is not { } c || c.Key != key || c.Pdf.IsFaulted || c.Pdf.IsCanceled)
                _current = (key, pdf.RenderAsync(html, ChromiumPdf.PageNumberFooter, CancellationToken.None, refuseWhenBusy: true));
            task = _current.Value.Pdf;
        }
        return await task.WaitAsync(cancel);
    }
}

/// <summary>answers.pdf downloads per link (invitation) per minute; the PDF is heavy and a link is shared by nobody.</summary>
public sealed class AnswersPdfLimiter(ShirabeSettings settings) : PerMinuteLimiter<int>(settings.AnswersPdfPerLinkPerMinute);

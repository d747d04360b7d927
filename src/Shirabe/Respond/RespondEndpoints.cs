using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Pdf;

namespace Shirabe.Respond;

/// <summary>The PDFs: an association's own answers (for internal approval) and the blank questionnaire.</summary>
public static class RespondEndpoints
{
    public static void MapRespondEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/a/{token}/answers.pdf", AnswersPdf);
        app.MapGet("/survey/blank.pdf", BlankPdf);
    }

    private static async Task<Results<FileContentHttpResult, StatusCodeHttpResult>> AnswersPdf(string token, bool? draft,
        HttpContext http, InvitationLookup lookup, ShirabeDb db, Survey survey, ChromiumPdf pdf, IWebHostEnvironment env)
    {
        var (status, invitation) = await lookup.FindAsync(token, http);
        if (status == LookupStatus.RateLimited) return TypedResults.StatusCode(StatusCodes.Status429TooManyRequests);
        if (invitation is null) return TypedResults.StatusCode(StatusCodes.Status404NotFound);
        var d = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(x => x.InvitationId == invitation.Id);
        var s = await db.Submissions.AsNoTracking().FirstOrDefaultAsync(x => x.InvitationId == invitation.Id);
        var doc = await PrintDocument.ForAsync(survey, invitation.Association, d, s, draft == true);
        var bytes = await pdf.RenderAsync(await doc.ToHtmlAsync(await Css(env)), ChromiumPdf.PageNumberFooter, http.RequestAborted);
        return TypedResults.File(bytes, "application/pdf", $"{survey.Id}-{invitation.Association.Code}.pdf");
    }

    private static async Task<FileContentHttpResult> BlankPdf(HttpContext http, Survey survey, ChromiumPdf pdf, IWebHostEnvironment env)
    {
        var bytes = await pdf.RenderAsync(await (await PrintDocument.BlankAsync(survey)).ToHtmlAsync(await Css(env)), ChromiumPdf.PageNumberFooter, http.RequestAborted);
        return TypedResults.File(bytes, "application/pdf", $"{survey.Id}-questionnaire.pdf");
    }

    private static async Task<string> Css(IWebHostEnvironment env)
    {
        var file = env.WebRootFileProvider.GetFileInfo("css/print.css");
        if (!file.Exists) return "";
        await using var stream = file.CreateReadStream();
        return await new StreamReader(stream).ReadToEndAsync();
    }
}

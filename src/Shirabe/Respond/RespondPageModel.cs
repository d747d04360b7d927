using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Respond;

/// <summary>
/// A page behind a personal link (/a/{token}/…): finds the invitation, the organisation's draft and submission, and
/// the survey's phase. A wrong, expired or rate-limited link ends in the Japanese error page.
/// </summary>
public abstract class RespondPageModel(InvitationLookup lookup, ShirabeDb db, Survey survey, TimeProvider clock) : PageModel
{
    public Survey Survey => survey;
    public ShirabeDb Db => db;
    public TimeProvider Clock => clock;
    public Invitation Invitation { get; private set; } = null!;
    public Organisation Organisation => Invitation.Organisation;
    public Draft? Draft { get; protected set; }
    public Submission? Submission { get; protected set; }
    public SurveyPhase Phase { get; private set; }
    public string Token => RouteData.Values["token"] as string ?? "";
    /// <summary>The definition version this request answers on: stamped on the draft and the submission.</summary>
    public int? SurveyVersionId => HttpContext.RequestServices.GetRequiredService<Surveys.CurrentSurvey>().VersionId;
    public string BasePath => InvitationTokens.Path(Token);

    /// <summary>The draft's cells (column → canonical cell); empty before the first save.</summary>
    public Dictionary<string, string> SavedCells { get; protected set; } = [];

    protected async Task<IActionResult?> LoadAsync()
    {
        var (status, invitation) = await lookup.FindAsync(Token, HttpContext);
        if (status == LookupStatus.RateLimited) return StatusCode(StatusCodes.Status429TooManyRequests);
        if (invitation is null) return NotFound();
        Invitation = invitation;
        Draft = await db.Drafts.FirstOrDefaultAsync(d => d.InvitationId == invitation.Id, HttpContext.RequestAborted);
        Submission = await db.Submissions.FirstOrDefaultAsync(s => s.InvitationId == invitation.Id, HttpContext.RequestAborted);
        SavedCells = Draft is null ? [] : StoredAnswers.Parse(Draft.Answers);
        Phase = survey.Period.PhaseAt(clock.GetUtcNow());
        return null;
    }

    /// <summary>Whether the draft holds changes not yet submitted.</summary>
    public bool HasUnsentChanges => Draft is not null && (Submission is null ? SavedCells.Count > 0 : Draft.Version != Submission.DraftVersion);

    public string LocalTime(DateTime utc) => LocalTime(survey, utc);

    /// <summary>A stored time as the respondent reads it (receipts, printouts): the survey's time zone.</summary>
    public static string LocalTime(Survey survey, DateTime utc) => survey.Period.ToLocal(utc).ToString("yyyy年M月d日 H:mm");

    public string ClosesText => $"{survey.Period.Closes:yyyy年M月d日}";
    public string OpensText => $"{survey.Period.Opens:yyyy年M月d日}";

    /// <summary>The receipt number of a submission: organisation code and version.</summary>
    public static string ReceiptNumber(Organisation a, Submission s) => $"{a.Code}-{s.Version}";

    /// <summary>A page that cannot be used in this phase: 403 with an explanation.</summary>
    protected IActionResult NotAccepting() => StatusCode(StatusCodes.Status403Forbidden);
}

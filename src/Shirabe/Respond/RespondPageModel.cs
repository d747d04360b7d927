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
/// The section and review pages are also served at /admin/invitees/{id}/paper/… for a 管理者 entering answers that
/// came on paper or by mail (<see cref="StaffEntry"/>, docs/decisions/050): same form, validation and skip rules, no link.
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
    /// <summary>The organisation id when a 管理者 enters answers on its behalf (null: the respondent, by its link).</summary>
    public int? StaffEntry => StaffEntryOf(HttpContext);
    /// <summary>The definition version this request answers on: stamped on the draft and the submission.</summary>
    public int? SurveyVersionId => HttpContext.RequestServices.GetRequiredService<Surveys.CurrentSurvey>().VersionId;
    public string BasePath => StaffEntry is { } id ? StaffEntryPath(id) : InvitationTokens.Path(Token);
    /// <summary>Where "back to the start" goes: the landing page, or in staff entry the invitee's console page.</summary>
    public string HomePath => StaffEntry is { } id ? $"/admin/invitees/{id}" : BasePath;
    /// <summary>Answers can be saved and submitted now: during the period, or any time in staff entry (paper arrives late).</summary>
    public bool Accepting => StaffEntry is not null || Phase == SurveyPhase.Open;

    public static string StaffEntryPath(int organisationId) =>
        "/admin/invitees/" + organisationId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/paper";

    /// <summary>The organisation id of a staff-entry request (/admin/invitees/{id}/paper/…), else null.</summary>
    public static int? StaffEntryOf(HttpContext http) =>
        http.GetRouteValue("token") is null && http.GetRouteValue("id") is string text
        && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
        && http.Request.Path.StartsWithSegments(StaffEntryPath(id)) ? id : null;

    /// <summary>The draft's cells (column → canonical cell); empty before the first save.</summary>
    public Dictionary<string, string> SavedCells { get; protected set; } = [];

    protected async Task<IActionResult?> LoadAsync()
    {
        Invitation? invitation;
        if (StaffEntry is { } organisationId)
        {
            // The route requires the 管理者 policy; checked here again so this page never serves staff entry without it.
            if (!User.IsInRole(Admin.StaffRoles.Admin)) return StatusCode(StatusCodes.Status403Forbidden);
            invitation = await db.Invitations.AsNoTracking().Include(i => i.Organisation)
                .FirstOrDefaultAsync(i => i.SurveyId == survey.Id && i.OrganisationId == organisationId, HttpContext.RequestAborted);
        }
        else if (HttpMethods.IsGet(Request.Method) || HttpMethods.IsHead(Request.Method))
        {
            // A page view only reads: the link's one query, untracked (docs/decisions/067).
            var (status, linked) = await lookup.FindLinkedAsync(Token, HttpContext);
            if (status == LookupStatus.RateLimited) return StatusCode(StatusCodes.Status429TooManyRequests);
            if (linked is null) return NotFound();
            return Loaded(linked.Invitation, linked.Draft, linked.Submission);
        }
        else
        {
            (var status, invitation) = await lookup.FindAsync(Token, HttpContext);
            if (status == LookupStatus.RateLimited) return StatusCode(StatusCodes.Status429TooManyRequests);
        }
        if (invitation is null) return NotFound();
        return Loaded(invitation,
            await db.Drafts.FirstOrDefaultAsync(d => d.InvitationId == invitation.Id, HttpContext.RequestAborted),
            await db.Submissions.FirstOrDefaultAsync(s => s.InvitationId == invitation.Id, HttpContext.RequestAborted));
    }

    private IActionResult? Loaded(Invitation invitation, Draft? draft, Submission? submission)
    {
        Invitation = invitation;
        Draft = draft;
        Submission = submission;
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

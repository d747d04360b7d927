using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin.Invitees;

/// <summary>
/// Marking an organisation's submission valid or invalid, with a required reason (管理者 only, by the page convention).
/// Invalid submissions stay stored and visible here but are left out of every tabulation (docs/decisions/050).
/// </summary>
public sealed class ValidityModel(ShirabeDb db, Roster roster) : PageModel
{
    public RosterRow? Invitee { get; private set; }
    public Submission? Submission { get; private set; }
    public string? Error { get; private set; }
    /// <summary>What was posted, shown again with an error.</summary>
    public string? Reason { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(int id, string? valid, string? reason)
    {
        if (!await LoadAsync(id)) return NotFound();
        Reason = reason;
        if (valid is not ("true" or "false"))
            return Fail(StatusCodes.Status400BadRequest, "「有効」か「無効」を選んでください。");
        try
        {
            await InviteeChanges.SetValidityAsync(db, Invitee!.InvitationId, valid == "true", reason, AdminAuth.UserId(User),
                detail => HttpContext.AuditAsync(AuditAction.ValidityChanged, $"organisation:{id}", detail), HttpContext.RequestAborted);
        }
        catch (Core.UserError e)
        {
            return Fail(Submission is null ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest, e.Message);
        }
        return Redirect($"/admin/invitees/{id}?done=validity");
    }

    private async Task<bool> LoadAsync(int id)
    {
        Invitee = await roster.FindAsync(id, HttpContext.RequestAborted);
        if (Invitee is null) return false;
        Submission = await db.Submissions.AsNoTracking().FirstOrDefaultAsync(s => s.InvitationId == Invitee.InvitationId, HttpContext.RequestAborted);
        return true;
    }

    private PageResult Fail(int status, string message)
    {
        Error = message;
        Response.StatusCode = status;
        return Page();
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin.Invitees;

/// <summary>
/// Marking an organisation's address as failed by hand (a bounce that came back later as a delivery-status mail) or
/// clearing it after the roster was corrected (管理者 only, by the page convention). A permanent SMTP refusal marks it
/// by itself (the mail sender).
/// </summary>
public sealed class AddressModel(ShirabeDb db, Roster roster, TimeProvider clock) : PageModel
{
    public RosterRow? Invitee { get; private set; }
    public Invitation? Invitation { get; private set; }
    public string? Error { get; private set; }
    public string? Note { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(int id, string? action, string? note)
    {
        if (!await LoadAsync(id)) return NotFound();
        Note = note;
        if (action is not ("fail" or "clear"))
            return Fail("「宛先エラーにする」か「宛先エラーを解除する」を選んでください。");
        try
        {
            await InviteeChanges.SetAddressFailedAsync(db, Invitee!.InvitationId, action == "fail", note, clock.GetUtcNow().UtcDateTime,
                detail => HttpContext.AuditAsync(action == "fail" ? AuditAction.AddressFailed : AuditAction.AddressCleared,
                    $"organisation:{id}", detail), HttpContext.RequestAborted);
        }
        catch (Core.UserError e)
        {
            return Fail(e.Message);
        }
        return Redirect($"/admin/invitees/{id}?done=address");
    }

    private async Task<bool> LoadAsync(int id)
    {
        Invitee = await roster.FindAsync(id, HttpContext.RequestAborted);
        if (Invitee is null) return false;
        Invitation = await db.Invitations.AsNoTracking().FirstAsync(i => i.Id == Invitee.InvitationId, HttpContext.RequestAborted);
        return true;
    }

    private PageResult Fail(string message)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}

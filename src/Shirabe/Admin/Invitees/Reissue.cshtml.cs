using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin.Invitees;

/// <summary>
/// Reissuing an organisation's link: GET says what will happen and asks for confirmation (a form, no script); POST
/// reissues it (<see cref="LinkReissue"/>) and shows the new link once.
/// </summary>
public sealed class ReissueModel(ShirabeDb db, Roster roster, TimeProvider clock, LinkKeys keys) : PageModel
{
    public RosterRow? Invitee { get; private set; }
    /// <summary>The new link after a reissue: shown in this response only, never stored.</summary>
    public string? NewLink { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id)
    {
        Invitee = await roster.FindAsync(id, HttpContext.RequestAborted);
        return Invitee is null ? NotFound() : Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        var cancel = HttpContext.RequestAborted;
        Invitee = await roster.FindAsync(id, cancel);
        if (Invitee is null) return NotFound();
        var token = await LinkReissue.ReissueAsync(db, Invitee.InvitationId, clock.GetUtcNow().UtcDateTime, cancel,
            (revoked, added) => HttpContext.AuditAsync(AuditAction.LinkReissued, $"organisation:{id}",
                new { invitation = Invitee.InvitationId, link = new { revoked, added } }), keys);
        NewLink = $"{Request.Scheme}://{Request.Host}{InvitationTokens.Path(token)}";
        return Page();
    }
}

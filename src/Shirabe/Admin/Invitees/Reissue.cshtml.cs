using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin.Invitees;

/// <summary>
/// Reissuing an association's link: GET says what will happen and asks for confirmation (a form, no script); POST
/// revokes the link, makes a new one and shows it once. The answers so far move to the new link.
/// </summary>
public sealed class ReissueModel(ShirabeDb db, Roster roster, Survey survey, TimeProvider clock) : PageModel
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
        var now = clock.GetUtcNow().UtcDateTime;
        var token = InvitationTokens.NewToken();
        await using (var tx = await db.Database.BeginTransactionAsync(cancel))
        {
            var old = await db.Invitations.Where(i => i.AssociationId == id && i.SurveyId == survey.Id)
                .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Select(i => i.Id).ToListAsync(cancel);
            // The list shows the newest link's answers: those are the ones that move (one draft per invitation).
            var current = old.Take(1).ToList();
            var invitation = new Invitation
            {
                AssociationId = id, SurveyId = survey.Id, TokenHash = InvitationTokens.Hash(token), CreatedAt = now,
            };
            db.Invitations.Add(invitation);
            await db.SaveChangesAsync(cancel);
            await db.Invitations.Where(i => old.Contains(i.Id) && i.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.RevokedAt, now), cancel);
            // One draft and one submission per association: they follow the association to its new link.
            await db.Drafts.Where(d => current.Contains(d.InvitationId))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.InvitationId, invitation.Id), cancel);
            await db.Submissions.Where(d => current.Contains(d.InvitationId))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.InvitationId, invitation.Id), cancel);
            await db.AnswerHistory.Where(d => current.Contains(d.InvitationId))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.InvitationId, invitation.Id), cancel);
            await HttpContext.AuditAsync(AuditAction.LinkReissued, $"association:{id}", new { invitation = new { before = current.FirstOrDefault(), after = invitation.Id } });
            await tx.CommitAsync(cancel);
        }
        NewLink = $"{Request.Scheme}://{Request.Host}{InvitationTokens.Path(token)}";
        return Page();
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin;

public enum FieldworkStatus { Unopened, Draft, Submitted, Closed }

/// <summary>One invited association as the roster shows it.</summary>
public sealed record RosterRow(int AssociationId, string Code, string Name, string? Industry, FieldworkStatus Status,
    DateTime? LastActivity, DateTime InvitedAt, int? Version);

/// <summary>Fieldwork progress: the roster of invited associations with their status; reissuing an invitation link.</summary>
public sealed class IndexModel(ShirabeDb db, Survey survey, TimeProvider clock) : PageModel
{
    public List<RosterRow> Roster { get; private set; } = [];
    public SurveyPhase Phase { get; private set; }
    /// <summary>The new link after a reissue: shown in this response only, never stored.</summary>
    public (string Name, string Url)? NewLink { get; private set; }

    public int Count(FieldworkStatus s) => Roster.Count(r => r.Status == s);
    public int Invited => Roster.Count;
    public int Submitted => Count(FieldworkStatus.Submitted);
    public decimal Rate => Invited == 0 ? 0 : Core.Tabulation.Percent.Of(Submitted, Invited);

    public static string Label(FieldworkStatus s) => s switch
    {
        FieldworkStatus.Unopened => "未開封",
        FieldworkStatus.Draft => "回答中（下書き）",
        FieldworkStatus.Submitted => "提出済",
        _ => "締切後",
    };

    public async Task OnGetAsync() => await LoadAsync();

    /// <summary>Revokes the association's link and makes a new one; the answers so far move to the new link.</summary>
    public async Task<IActionResult> OnPostReissueAsync(int associationId)
    {
        var cancel = HttpContext.RequestAborted;
        var association = await db.Associations.FirstOrDefaultAsync(a => a.Id == associationId, cancel);
        if (association is null) return NotFound();
        var now = clock.GetUtcNow().UtcDateTime;
        var token = InvitationTokens.NewToken();
        await using (var tx = await db.Database.BeginTransactionAsync(cancel))
        {
            var old = await db.Invitations.Where(i => i.AssociationId == associationId && i.SurveyId == survey.Id)
                .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Select(i => i.Id).ToListAsync(cancel);
            // The roster shows the newest link's answers: those are the ones that move (one draft per invitation).
            var current = old.Take(1).ToList();
            var invitation = new Invitation
            {
                AssociationId = associationId, SurveyId = survey.Id, TokenHash = InvitationTokens.Hash(token), CreatedAt = now,
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
            await tx.CommitAsync(cancel);
        }
        NewLink = (association.Name, $"{Request.Scheme}://{Request.Host}{InvitationTokens.Path(token)}");
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var cancel = HttpContext.RequestAborted;
        Phase = survey.Period.PhaseAt(clock.GetUtcNow());
        var rows = await db.Invitations.AsNoTracking()
            .Where(i => i.SurveyId == survey.Id && i.RevokedAt == null)
            .Select(i => new
            {
                i.AssociationId, i.Association.Code, i.Association.Name, i.Association.Industry, i.CreatedAt,
                Draft = db.Drafts.Where(d => d.InvitationId == i.Id).Select(d => (DateTime?)d.UpdatedAt).FirstOrDefault(),
                Submitted = db.Submissions.Where(s => s.InvitationId == i.Id).Select(s => (DateTime?)s.SubmittedAt).FirstOrDefault(),
                Version = db.Submissions.Where(s => s.InvitationId == i.Id).Select(s => (int?)s.Version).FirstOrDefault(),
            })
            .ToListAsync(cancel);
        Roster = rows
            .GroupBy(r => r.AssociationId).Select(g => g.OrderByDescending(r => r.CreatedAt).First()) // the newest link
            .Select(r => new RosterRow(r.AssociationId, r.Code, r.Name, r.Industry,
                r.Submitted is not null ? FieldworkStatus.Submitted
                : Phase == SurveyPhase.Closed ? FieldworkStatus.Closed
                : r.Draft is not null ? FieldworkStatus.Draft : FieldworkStatus.Unopened,
                Max(r.Draft, r.Submitted), r.CreatedAt, r.Version))
            .OrderBy(r => r.Code, StringComparer.Ordinal)
            .ToList();
    }

    private static DateTime? Max(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// Reissuing an association's link to a survey: its links are revoked, a new one is made, and the answers so far (the
/// draft, the submission and its history) move to it. The console's reissue page calls this.
/// </summary>
public static class LinkReissue
{
    /// <summary>
    /// Reissues in one transaction; returns the new token (shown once, never stored). <paramref name="beforeCommit"/>
    /// (the audit entry) runs inside the transaction with the old and the new invitation ids.
    /// </summary>
    public static async Task<string> ReissueAsync(ShirabeDb db, int associationId, string surveyId, DateTime now,
        CancellationToken cancel = default, Func<int?, int, Task>? beforeCommit = null)
    {
        var token = InvitationTokens.NewToken();
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        var old = await db.Invitations.Where(i => i.AssociationId == associationId && i.SurveyId == surveyId)
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Select(i => i.Id).ToListAsync(cancel);
        // The console lists the newest link's answers: those are the ones that move (one draft per invitation).
        var current = old.Take(1).ToList();
        var invitation = new Invitation
        {
            AssociationId = associationId, SurveyId = surveyId, TokenHash = InvitationTokens.Hash(token), CreatedAt = now,
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
        if (beforeCommit is not null) await beforeCommit(current.Count > 0 ? current[0] : null, invitation.Id);
        await tx.CommitAsync(cancel);
        return token;
    }
}

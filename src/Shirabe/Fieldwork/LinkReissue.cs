using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// Reissuing an invitation's link: its live links are revoked and a new one is added. The answers stay on the
/// invitation, so nothing moves (docs/decisions/030). The console's reissue page calls this.
/// </summary>
public static class LinkReissue
{
    /// <summary>
    /// Reissues in one transaction; returns the new token (shown once, never stored). With a link key
    /// (<paramref name="keys"/>) the token is derived, so reminders can carry it (docs/decisions/042), else random.
    /// <paramref name="beforeCommit"/> (the audit entry) runs inside the transaction with the revoked and the new link ids.
    /// </summary>
    public static async Task<string> ReissueAsync(ShirabeDb db, int invitationId, DateTime now,
        CancellationToken cancel = default, Func<IReadOnlyList<int>, int, Task>? beforeCommit = null, LinkKeys? keys = null)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        var live = await db.AccessLinks.Where(l => l.InvitationId == invitationId && l.RevokedAt == null)
            .Select(l => l.Id).ToListAsync(cancel);
        await db.AccessLinks.Where(l => live.Contains(l.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RevokedAt, now), cancel);
        MadeLink link;
        await using (var links = PersonalLinks.For(db, keys ?? LinkKeys.None, now))
            link = (await links.AddAsync([invitationId], cancel))[0];
        if (beforeCommit is not null) await beforeCommit(live, link.LinkId);
        await tx.CommitAsync(cancel);
        return link.Token;
    }
}

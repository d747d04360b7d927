using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

public enum LookupStatus { Found, NotFound, RateLimited }

/// <summary>
/// Finds the invitation of a personal link (token → access link → invitation, one query, not tracked). Unknown,
/// revoked and expired links, and links of another survey than the one served, all look the same.
/// </summary>
public sealed class InvitationLookup(ShirabeDb db, FailedLookupLimiter limiter, TimeProvider clock, Survey survey)
{
    public async Task<(LookupStatus Status, Invitation? Invitation)> FindAsync(string? token, HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.IsExhausted(ip)) return (LookupStatus.RateLimited, null);
        Invitation? invitation = null;
        if (InvitationTokens.LooksValid(token))
        {
            var hash = InvitationTokens.Hash(token!);
            var now = clock.GetUtcNow().UtcDateTime;
            invitation = await db.Invitations.AsNoTracking().Include(i => i.Organisation)
                .Where(i => i.SurveyId == survey.Id && (i.ExpiresAt == null || i.ExpiresAt > now)
                            && db.AccessLinks.Any(l => l.InvitationId == i.Id && l.TokenHash == hash && l.RevokedAt == null))
                .FirstOrDefaultAsync(http.RequestAborted);
        }
        if (invitation is null)
        {
            limiter.TryAcquire(ip);
            return (LookupStatus.NotFound, null);
        }
        return (LookupStatus.Found, invitation);
    }

    /// <summary>
    /// The same checks over the link's one query (<see cref="LinkedInvitation"/>, no tracking), for pages that only read.
    /// </summary>
    public async Task<(LookupStatus Status, LinkedInvitation? Linked)> FindLinkedAsync(string? token, HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.IsExhausted(ip)) return (LookupStatus.RateLimited, null);
        if (InvitationTokens.LooksValid(token) && await LinkedInvitation.GetAsync(db, token!, http) is { } linked
            && linked.Invitation.SurveyId == survey.Id && linked.IsLive(clock.GetUtcNow().UtcDateTime))
            return (LookupStatus.Found, linked);
        limiter.TryAcquire(ip);
        return (LookupStatus.NotFound, null);
    }
}

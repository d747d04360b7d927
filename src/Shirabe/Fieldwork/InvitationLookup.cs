using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

public enum LookupStatus { Found, NotFound, RateLimited }

/// <summary>Finds the invitation of a personal link. Unknown, revoked and expired links all look the same.</summary>
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
            invitation = await db.Invitations.Include(i => i.Association)
                .FirstOrDefaultAsync(i => i.TokenHash == hash && i.SurveyId == survey.Id, http.RequestAborted);
            var now = clock.GetUtcNow().UtcDateTime;
            if (invitation is not null && (invitation.RevokedAt is not null || invitation.ExpiresAt <= now))
                invitation = null;
        }
        if (invitation is null)
        {
            limiter.TryAcquire(ip);
            return (LookupStatus.NotFound, null);
        }
        return (LookupStatus.Found, invitation);
    }
}

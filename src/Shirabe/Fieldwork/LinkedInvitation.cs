using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// What a request under a personal link (/a/{token}/…) needs from the database, read in one query without tracking: the
/// link, its invitation and organisation, the wave and the version it serves, the draft and the submission. The survey
/// resolver makes it (it needs the wave) and keeps it for the request; a page view uses it as is (docs/decisions/067).
/// </summary>
public sealed record LinkedInvitation(
    DateTime? RevokedAt, Invitation Invitation, SurveyRecord Survey, int? VersionId, Draft? Draft, Submission? Submission)
{
    private static readonly object Key = new();

    // One round trip: the draft and the submission are left joins on unique keys; the served version is the published
    // one, else the latest (as Surveys.SurveyCatalog picks it). Compiled once per context type: a compiled query keeps
    // the model it first ran on, and the SQLite and PostgreSQL contexts have models of their own.
    private static readonly ConcurrentDictionary<Type, Func<ShirabeDb, byte[], CancellationToken, Task<LinkedInvitation?>>> Queries = new();

    private static Func<ShirabeDb, byte[], CancellationToken, Task<LinkedInvitation?>> Compile() =>
        EF.CompileAsyncQuery((ShirabeDb db, byte[] hash, CancellationToken cancel) => (
            from l in db.AccessLinks
            where l.TokenHash == hash
            join i in db.Invitations on l.InvitationId equals i.Id
            join o in db.Organisations on i.OrganisationId equals o.Id
            join s in db.Surveys on i.SurveyId equals s.Id
            from d in db.Drafts.Where(d => d.InvitationId == i.Id).DefaultIfEmpty()
            from x in db.Submissions.Where(x => x.InvitationId == i.Id).DefaultIfEmpty()
            select new LinkedInvitation(l.RevokedAt, Attach(i, o), s,
                s.PublishedVersionId ?? db.SurveyVersions.Where(v => v.SurveyId == s.Id).OrderByDescending(v => v.Number)
                    .Select(v => (int?)v.Id).FirstOrDefault(),
                d, x)).AsNoTracking().FirstOrDefault());

    /// <summary>The link's row for this request (read once, by the first caller), or null for an unknown token.</summary>
    public static async Task<LinkedInvitation?> GetAsync(ShirabeDb db, string token, HttpContext http)
    {
        if (http.Items.TryGetValue(Key, out var kept)) return (LinkedInvitation?)kept;
        var linked = await Queries.GetOrAdd(db.GetType(), _ => Compile())(db, InvitationTokens.Hash(token), http.RequestAborted);
        http.Items[Key] = linked;
        return linked;
    }

    /// <summary>Whether the link opens its invitation now: not revoked, the invitation not expired.</summary>
    public bool IsLive(DateTime now) => RevokedAt is null && (Invitation.ExpiresAt is null || Invitation.ExpiresAt > now);

    private static Invitation Attach(Invitation invitation, Organisation organisation)
    {
        invitation.Organisation = organisation;
        return invitation;
    }
}

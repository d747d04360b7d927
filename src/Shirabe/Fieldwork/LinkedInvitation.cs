using System.Data.Common;
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
    // one, else the latest (as Surveys.SurveyCatalog picks it). Plain SQL, the same on SQLite and PostgreSQL, kept
    // prepared (Data.PreparedRead, docs/decisions/073): it ran on every page view, and SQLite parsed and planned it
    // every time. Every column of the entities is read (LinkedInvitationTests compares the result with EF Core's).
    internal const string Sql = """
        SELECT l."RevokedAt",
            i."Id", i."SurveyId", i."OrganisationId", i."Category", i."ContactName", i."ContactEmail", i."Cc", i."Attributes",
            i."CreatedAt", i."ExpiresAt", i."OpenedAt", i."AddressFailedAt", i."AddressFailure",
            o."Id", o."SeriesId", o."Code", o."Name", o."CreatedAt",
            s."Id", s."SeriesId", s."Title", s."PreviousSurveyId", s."PublishedVersionId", s."CreatedAt",
            COALESCE(s."PublishedVersionId",
                (SELECT v."Id" FROM "SurveyVersions" AS v WHERE v."SurveyId" = s."Id" ORDER BY v."Number" DESC LIMIT 1)),
            d."Id", d."Answers", d."Version", d."UpdatedAt", d."SurveyVersionId",
            x."Id", x."Answers", x."Version", x."DraftVersion", x."SubmittedAt", x."FirstSubmittedAt", x."SurveyVersionId",
            x."Valid", x."ValidityReason", x."ValidityChangedBy", x."Channel"
        FROM "AccessLinks" AS l
        JOIN "Invitations" AS i ON i."Id" = l."InvitationId"
        JOIN "Organisations" AS o ON o."Id" = i."OrganisationId"
        JOIN "Surveys" AS s ON s."Id" = i."SurveyId"
        LEFT JOIN "Drafts" AS d ON d."InvitationId" = i."Id"
        LEFT JOIN "Submissions" AS x ON x."InvitationId" = i."Id"
        WHERE l."TokenHash" = @p
        LIMIT 1
        """;

    /// <summary>The link's row for this request (read once, by the first caller), or null for an unknown token.</summary>
    public static async Task<LinkedInvitation?> GetAsync(ShirabeDb db, string token, HttpContext http)
    {
        if (http.Items.TryGetValue(Key, out var kept)) return (LinkedInvitation?)kept;
        var database = http.RequestServices.GetRequiredService<Database>();
        var linked = await ReadAsync(database, db, InvitationTokens.Hash(token), http.RequestAborted);
        http.Items[Key] = linked;
        return linked;
    }

    /// <summary>The link whose token hashes to <paramref name="hash"/>, with its invitation, draft and submission.</summary>
    public static Task<LinkedInvitation?> ReadAsync(Database database, ShirabeDb db, byte[] hash, CancellationToken cancel) =>
        database.Prepared(Sql).ExecuteAsync(database, db, hash, Read, cancel);

    private static LinkedInvitation? Read(DbDataReader r)
    {
        if (!r.Read()) return null;
        var organisation = new Organisation
        {
            Id = r.GetInt32(14), SeriesId = r.GetString(15), Code = r.GetString(16), Name = r.GetString(17), CreatedAt = Utc(r, 18),
        };
        var invitation = new Invitation
        {
            Id = r.GetInt32(1), SurveyId = r.GetString(2), OrganisationId = r.GetInt32(3), Organisation = organisation,
            Category = String(r, 4), ContactName = String(r, 5), ContactEmail = String(r, 6), Cc = String(r, 7), Attributes = String(r, 8),
            CreatedAt = Utc(r, 9), ExpiresAt = NullableUtc(r, 10), OpenedAt = NullableUtc(r, 11), AddressFailedAt = NullableUtc(r, 12),
            AddressFailure = String(r, 13),
        };
        var survey = new SurveyRecord
        {
            Id = r.GetString(19), SeriesId = r.GetString(20), Title = r.GetString(21), PreviousSurveyId = String(r, 22),
            PublishedVersionId = Int(r, 23), CreatedAt = Utc(r, 24),
        };
        var draft = r.IsDBNull(26) ? null : new Draft
        {
            Id = r.GetInt32(26), InvitationId = invitation.Id, Answers = r.GetString(27), Version = r.GetInt32(28), UpdatedAt = Utc(r, 29),
            SurveyVersionId = Int(r, 30),
        };
        var submission = r.IsDBNull(31) ? null : new Submission
        {
            Id = r.GetInt32(31), InvitationId = invitation.Id, Answers = r.GetString(32), Version = r.GetInt32(33),
            DraftVersion = r.GetInt32(34), SubmittedAt = Utc(r, 35), FirstSubmittedAt = Utc(r, 36), SurveyVersionId = Int(r, 37),
            Valid = r.GetBoolean(38), ValidityReason = String(r, 39), ValidityChangedBy = Int(r, 40), Channel = r.GetString(41),
        };
        return new LinkedInvitation(NullableUtc(r, 0), invitation, survey, Int(r, 25), draft, submission);
    }

    private static string? String(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static int? Int(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
    // Times are stored in UTC; SQLite gives them back without a kind (as ShirabeDb's converter does for EF Core).
    private static DateTime Utc(DbDataReader r, int i) => DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
    private static DateTime? NullableUtc(DbDataReader r, int i) => r.IsDBNull(i) ? null : Utc(r, i);

    /// <summary>Whether the link opens its invitation now: not revoked, the invitation not expired.</summary>
    public bool IsLive(DateTime now) => RevokedAt is null && (Invitation.ExpiresAt is null || Invitation.ExpiresAt > now);
}

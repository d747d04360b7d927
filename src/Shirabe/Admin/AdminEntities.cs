namespace Shirabe.Data;

/// <summary>
/// A secretariat member or analyst who signs in to the console (/admin). Only a PasswordHasher hash of the password is
/// stored. <see cref="Stamp"/> changes when the password is reset, which signs every open session out
/// (docs/decisions/010-admin-auth.md).
/// </summary>
public sealed class AdminUser
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }
    public required string Stamp { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSignInAt { get; set; }
}

/// <summary>
/// One signed-in console session (its id is in the cookie). Sign-out deletes the row, so a copy of the cookie is
/// worthless on every server instance from then on (docs/decisions/014-server-side-sign-in-state.md).
/// </summary>
public sealed class AdminSession
{
    public required string Id { get; set; }
    public int UserId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// Failed sign-ins per (user name, client IP), counted atomically in the database: a few tries are free, then each
/// try must wait longer (docs/decisions/014-server-side-sign-in-state.md). Unknown names count the same way.
/// Times are Unix milliseconds so that the conditional update compares numbers on both providers.
/// </summary>
public sealed class SignInThrottle
{
    /// <summary>SHA-256 (hex) of the name and the IP: neither is stored as typed.</summary>
    public required string Key { get; set; }
    public int Failures { get; set; }
    public long BlockedUntil { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>
/// The secretariat's report edits (Reports/ReportEdits: narratives, curation and their log) as one JSON document per
/// survey, in the database so that every server instance and every backup sees the same edits.
/// <see cref="Version"/> guards concurrent saves.
/// </summary>
public sealed class StoredReportEdits
{
    public required string SurveyId { get; set; }
    public string Json { get; set; } = "{}";
    public int Version { get; set; }
    public DateTime UpdatedAt { get; set; }
}

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
    /// <summary>Set when a 管理者 disables the account: it can no longer sign in (users are never deleted, so the audit
    /// log's user ids always resolve).</summary>
    public DateTime? DisabledAt { get; set; }
}

/// <summary>
/// A user's role, per series (docs/decisions/030): <see cref="SeriesId"/> null means every series. Today one server
/// serves one survey and the console writes only null-scoped roles (docs/decisions/035-staff-roles.md).
/// </summary>
public sealed class StaffRole
{
    public int Id { get; set; }
    public int UserId { get; set; }
    public string? SeriesId { get; set; }
    /// <summary><see cref="Admin.StaffRoles.Admin"/> (管理者) or <see cref="Admin.StaffRoles.Analyst"/> (集計担当).</summary>
    public required string Role { get; set; }
}

/// <summary>
/// One staff action that changed data or exported personal data (docs/decisions/036-audit-log.md). Insert-only: the
/// app has no path that updates or deletes it, SaveChanges refuses to, and database triggers refuse any UPDATE or
/// DELETE. Everything is by reference (ids, field names), never a personal value, so erasing a person needs no change here.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>The staff user (null: the command line, which has no signed-in user).</summary>
    public int? UserId { get; set; }
    /// <summary>An <see cref="Admin.AuditAction"/> code, e.g. <c>link.reissue</c>.</summary>
    public required string Action { get; set; }
    /// <summary>What was acted on, by reference: <c>organisation:12</c>, <c>table:1-3</c>, <c>user:4</c>.</summary>
    public string? Target { get; set; }
    /// <summary>JSON of ids, field names and before/after values that are not personal (roles, versions, formats).</summary>
    public string? Detail { get; set; }
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

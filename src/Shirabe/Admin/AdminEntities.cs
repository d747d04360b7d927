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
    /// <summary>Wrong passwords in a row; reset by a successful sign-in.</summary>
    public int FailedSignIns { get; set; }
    /// <summary>No sign-in is accepted before this time (after too many wrong passwords).</summary>
    public DateTime? LockedUntil { get; set; }
    public DateTime? LastSignInAt { get; set; }
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

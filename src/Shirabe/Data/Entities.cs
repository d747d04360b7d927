using Shirabe.Core.Questionnaire;

namespace Shirabe.Data;

/// <summary>What lasts from year to year (「SC3 業界団体アンケート」): its waves, organisations and staff roles. docs/decisions/030.</summary>
public sealed class Series
{
    public required string Id { get; set; }
    public required string Title { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// One wave of a series (table Surveys): its id is the survey.yaml <c>id</c>. The definition is in its
/// <see cref="SurveyVersion"/>s; <see cref="PublishedVersionId"/> is the one served (else the latest).
/// </summary>
public sealed class SurveyRecord
{
    public required string Id { get; set; }
    public required string SeriesId { get; set; }
    public required string Title { get; set; }
    /// <summary>The wave this one was copied from (the wave comparison's partner).</summary>
    public string? PreviousSurveyId { get; set; }
    public int? PublishedVersionId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>An immutable definition of a survey: survey.yaml (and report.yaml) as stored text. An edit is a new version.</summary>
public sealed class SurveyVersion
{
    public int Id { get; set; }
    public required string SurveyId { get; set; }
    /// <summary>1, 2, … per survey.</summary>
    public int Number { get; set; }
    public required string SurveyYaml { get; set; }
    public string? ReportYaml { get; set; }
    /// <summary>Lower-case hex SHA-256 of the survey text, a NUL, and the report text.</summary>
    public required string Sha256 { get; set; }
    public DateTime CreatedAt { get; set; }
    public int? CreatedByUserId { get; set; }
    public string? Note { get; set; }
    public DateTime? PublishedAt { get; set; }
    /// <summary>
    /// Set when published: each item's comparability with the previous wave as the diff judged it then, a JSON object
    /// (docs/decisions/054; null: never published, or no previous wave).
    /// </summary>
    public string? Comparability { get; set; }
}

/// <summary>
/// An invited organisation (参考資料2: 業界団体): its stable code and name across the waves of a series. <see cref="Code"/>
/// is its id in the responses file, unique within the series. What changes yearly (contact …) is on the invitation.
/// </summary>
public sealed class Organisation
{
    public int Id { get; set; }
    public required string SeriesId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// One organisation invited to one wave (unique per survey and organisation): it owns the answers, whatever link
/// opened them. Contact details are per wave. Its links are <see cref="AccessLink"/>s.
/// </summary>
public sealed class Invitation
{
    public int Id { get; set; }
    public required string SurveyId { get; set; }
    public int OrganisationId { get; set; }
    public Organisation Organisation { get; set; } = null!;
    public string? Category { get; set; }
    public string? ContactName { get; set; }
    public string? ContactEmail { get; set; }
    public string? Cc { get; set; }
    /// <summary>Other roster attributes, a JSON object (null: none).</summary>
    public string? Attributes { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>After this no link of the invitation works (null: valid for the survey's life).</summary>
    public DateTime? ExpiresAt { get; set; }
    /// <summary>When the respondent started: first opened a section page or saved (never a GET or HEAD of the landing page).</summary>
    public DateTime? OpenedAt { get; set; }
    /// <summary>When a mail to this invitation's address was refused permanently (SMTP 5xx), and the server's reply.</summary>
    public DateTime? AddressFailedAt { get; set; }
    public string? AddressFailure { get; set; }
}

/// <summary>
/// A personal link to an invitation. Only the SHA-256 of the token is stored: a copy of the database does not give
/// access to anyone's answers (docs/decisions/005-invitation-tokens.md). Reissuing revokes the live one and adds another.
/// </summary>
public sealed class AccessLink
{
    public int Id { get; set; }
    public int InvitationId { get; set; }
    public Invitation Invitation { get; set; } = null!;
    /// <summary>SHA-256 of the token's UTF-8 bytes; unique.</summary>
    public required byte[] TokenHash { get; set; }
    /// <summary>
    /// For a token derived from the link key (docs/decisions/042): 96 random bits, not secret, so a reminder can derive
    /// the token again. Null for a random token (made without a key, or migrated), which cannot be mailed again.
    /// </summary>
    public string? Stamp { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>
/// The organisation's working copy of its answers: saved on every page change, resumed from any device. Answers are a
/// JSON object of column → canonical cell (docs/decisions/006-answers-as-canonical-cells.md); a column that is absent
/// was never shown. <see cref="Version"/> grows with every save and guards concurrent saves.
/// </summary>
public sealed class Draft
{
    public int Id { get; set; }
    public int InvitationId { get; set; }
    public Invitation Invitation { get; set; } = null!;
    public string Answers { get; set; } = "{}";
    public int Version { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>The definition version of the last save (null only in rows older than versions, until the next start).</summary>
    public int? SurveyVersionId { get; set; }

    /// <summary>
    /// Saves one page: its <paramref name="cells"/> replace those columns, the other pages' answers stay; every save is
    /// a new version. Returns all the draft's cells.
    /// </summary>
    public Dictionary<string, string> Save(IReadOnlyDictionary<string, string> cells, DateTime now, int? surveyVersionId)
    {
        SurveyVersionId = surveyVersionId;
        var merged = StoredAnswers.Parse(Answers);
        foreach (var (column, cell) in cells) merged[column] = cell;
        Answers = StoredAnswers.Serialize(merged);
        Version++;
        UpdatedAt = now;
        return merged;
    }
}

/// <summary>
/// The answers an organisation has submitted (one row per invitation; a resubmission replaces it and adds a history row).
/// <see cref="DraftVersion"/> is the draft version that was submitted: posting it again is the same submission.
/// </summary>
public sealed class Submission
{
    public int Id { get; set; }
    public int InvitationId { get; set; }
    public Invitation Invitation { get; set; } = null!;
    public string Answers { get; set; } = "{}";
    /// <summary>1 for the first submission, +1 for every resubmission.</summary>
    public int Version { get; set; }
    public int DraftVersion { get; set; }
    public DateTime SubmittedAt { get; set; }
    public DateTime FirstSubmittedAt { get; set; }
    /// <summary>The definition version it was submitted on.</summary>
    public int? SurveyVersionId { get; set; }
    /// <summary>Only valid submissions are tabulated; staff may mark one invalid (with a reason).</summary>
    public bool Valid { get; set; } = true;
    public string? ValidityReason { get; set; }
    /// <summary>The staff user who last changed <see cref="Valid"/>.</summary>
    public int? ValidityChangedBy { get; set; }
    /// <summary><see cref="SubmissionChannel"/>.</summary>
    public string Channel { get; set; } = SubmissionChannel.Web;

    /// <summary>
    /// Submits <paramref name="draft"/>: its answers with the skip rules applied replace the submitted ones, as a new
    /// version. Returns the history row that keeps this version. Times are whole seconds, as in the responses file.
    /// </summary>
    public AnswerHistory Record(Survey survey, Draft draft, DateTime now, int? surveyVersionId) =>
        Record(StoredAnswers.Canonicalise(survey, draft.Answers), draft.Version, now, surveyVersionId);

    /// <summary>As above, with the draft's answers already canonicalised (<see cref="StoredAnswers.Canonicalise"/>).</summary>
    public AnswerHistory Record(string canonicalAnswers, int draftVersion, DateTime now, int? surveyVersionId)
    {
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        if (Version == 0) FirstSubmittedAt = now;
        Version++;
        Answers = canonicalAnswers;
        DraftVersion = draftVersion;
        SubmittedAt = now;
        SurveyVersionId = surveyVersionId;
        return new AnswerHistory
        {
            InvitationId = InvitationId, Version = Version, Answers = Answers, SubmittedAt = now, SurveyVersionId = surveyVersionId,
        };
    }
}

/// <summary>Every submitted version of an organisation's answers, kept when it reopens and changes them.</summary>
public sealed class AnswerHistory
{
    public long Id { get; set; }
    public int InvitationId { get; set; }
    public int Version { get; set; }
    public string Answers { get; set; } = "{}";
    public DateTime SubmittedAt { get; set; }
    public int? SurveyVersionId { get; set; }
}

/// <summary>How a submission came in: by the respondent on the web, or entered by staff from paper or mail.</summary>
public static class SubmissionChannel
{
    public const string Web = "web";
    public const string Paper = "paper";
}

using Shirabe.Core.Questionnaire;

namespace Shirabe.Data;

/// <summary>An invited industry association (参考資料2: 業界団体). <see cref="Code"/> is its id in the responses file.</summary>
public sealed class Association
{
    public int Id { get; set; }
    /// <summary>The respondent id in exports (R01 …); unique.</summary>
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? Industry { get; set; }
    public string? ContactName { get; set; }
    public string? ContactEmail { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<Invitation> Invitations { get; set; } = [];
}

/// <summary>
/// A personal link to one survey for one association. Only the SHA-256 of the token is stored: a copy of the database
/// does not give access to anyone's answers (docs/decisions/005-invitation-tokens.md).
/// </summary>
public sealed class Invitation
{
    public int Id { get; set; }
    public int AssociationId { get; set; }
    public Association Association { get; set; } = null!;
    public required string SurveyId { get; set; }
    /// <summary>SHA-256 of the token's UTF-8 bytes; unique.</summary>
    public required byte[] TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>After this the link no longer works (null: valid for the survey's life).</summary>
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    /// <summary>When a mail to this invitation's address was refused permanently (SMTP 5xx), and the server's reply.</summary>
    public DateTime? AddressFailedAt { get; set; }
    public string? AddressFailure { get; set; }
}

/// <summary>
/// The association's working copy of its answers: saved on every page change, resumed from any device. Answers are a
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

    /// <summary>
    /// Saves one page: its <paramref name="cells"/> replace those columns, the other pages' answers stay; every save is
    /// a new version. Returns all the draft's cells.
    /// </summary>
    public Dictionary<string, string> Save(IReadOnlyDictionary<string, string> cells, DateTime now)
    {
        var merged = StoredAnswers.Parse(Answers);
        foreach (var (column, cell) in cells) merged[column] = cell;
        Answers = StoredAnswers.Serialize(merged);
        Version++;
        UpdatedAt = now;
        return merged;
    }
}

/// <summary>
/// The answers an association has submitted (one row per invitation; a resubmission replaces it and adds a history row).
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

    /// <summary>
    /// Submits <paramref name="draft"/>: its answers with the skip rules applied replace the submitted ones, as a new
    /// version. Returns the history row that keeps this version. Times are whole seconds, as in the responses file.
    /// </summary>
    public AnswerHistory Record(Survey survey, Draft draft, DateTime now)
    {
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        if (Version == 0) FirstSubmittedAt = now;
        Version++;
        Answers = StoredAnswers.Canonicalise(survey, draft.Answers);
        DraftVersion = draft.Version;
        SubmittedAt = now;
        return new AnswerHistory { InvitationId = InvitationId, Version = Version, Answers = Answers, SubmittedAt = now };
    }
}

/// <summary>Every submitted version of an association's answers, kept when it reopens and changes them.</summary>
public sealed class AnswerHistory
{
    public long Id { get; set; }
    public int InvitationId { get; set; }
    public int Version { get; set; }
    public string Answers { get; set; } = "{}";
    public DateTime SubmittedAt { get; set; }
}

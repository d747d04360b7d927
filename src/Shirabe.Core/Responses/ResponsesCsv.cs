using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Responses;

/// <summary>
/// The responses file of docs/codebook-sc3-2023.md (its columns follow the survey definition): CSV, one row per respondent, id, submitted_at, then q-columns.
/// Reading streams row by row and checks every cell against the questionnaire; writing emits the canonical form.
/// Reading is in ResponsesCsv.Reading.cs, writing in ResponsesCsv.Writing.cs, the submitted_at format in ResponsesCsv.Timestamps.cs.
/// </summary>
public static partial class ResponsesCsv
{
    public const string IdColumn = "id";
    public const string SubmittedAtColumn = "submitted_at";
    public const string NotAskedValue = "NA";
    /// <summary>The longest id (an association code in the database).</summary>
    public const int MaxIdLength = 40;

    /// <summary>The header of the canonical file: id, submitted_at, then every item's columns in questionnaire order.</summary>
    public static IEnumerable<string> Header(Survey survey) =>
        new[] { IdColumn, SubmittedAtColumn }.Concat(survey.Items.SelectMany(i => i.Columns));
}

using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Responses;

/// <summary>One respondent's answers, indexed by <see cref="Item.Index"/>. Without <see cref="SubmittedAt"/> it is a draft.</summary>
public sealed record Response(string Id, DateTimeOffset? SubmittedAt, Answer[] Answers)
{
    public bool IsSubmitted => SubmittedAt is not null;
}

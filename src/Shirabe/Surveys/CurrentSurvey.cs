using Shirabe.Core.Questionnaire;

namespace Shirabe.Surveys;

/// <summary>
/// The survey a request works on, and its stored version (stamped on every draft save and submission; null only
/// before the definition is stored). Scoped: one per request.
/// </summary>
public sealed class CurrentSurvey(Survey survey, int? versionId)
{
    public Survey Survey { get; } = survey;
    public int? VersionId { get; } = versionId;
}

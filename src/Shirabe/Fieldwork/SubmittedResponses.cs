using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>The submitted responses in the database, as `shirabe export`, the tabulator and the console's report read them.</summary>
public static class SubmittedResponses
{
    /// <summary>
    /// Every valid submission of the survey in submission order (ties by organisation code, ordinal), submission times
    /// in the survey's time zone. Drafts and submissions marked invalid are not responses.
    /// </summary>
    public static async Task<List<Response>> LoadAsync(ShirabeDb db, Survey survey, CancellationToken cancel = default)
    {
        var rows = await db.Submissions.AsNoTracking()
            .Where(s => s.Invitation.SurveyId == survey.Id && s.Valid)
            .Select(s => new { s.Invitation.Organisation.Code, s.SubmittedAt, s.Answers })
            .ToListAsync(cancel);
        return rows
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => new Response(r.Code, survey.Period.ToLocal(r.SubmittedAt),
                StoredAnswers.ToResponse(survey, StoredAnswers.Parse(r.Answers))))
            .ToList();
    }

    /// <summary>Drafts of invitations that have not submitted: counted, never tabulated.</summary>
    public static Task<int> DraftsAsync(ShirabeDb db, Survey survey, CancellationToken cancel = default) =>
        db.Drafts.CountAsync(d => d.Invitation.SurveyId == survey.Id
                                  && !db.Submissions.Any(s => s.InvitationId == d.InvitationId), cancel);
}

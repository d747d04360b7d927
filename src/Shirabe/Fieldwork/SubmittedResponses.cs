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
        return InOrder(rows.Select(r => ToResponse(survey, r.Code, r.SubmittedAt, r.Answers)));
    }

    /// <summary>A submission of the survey, valid or not, with its answers read as a response.</summary>
    public sealed record Stored(int InvitationId, bool Valid, Response Response);

    /// <summary>
    /// Every submission of the survey, valid or not, of <paramref name="invitations"/> (null: of every invitation), in
    /// no particular order (<see cref="InOrder"/> gives the order of <see cref="LoadAsync"/>).
    /// </summary>
    public static async Task<List<Stored>> ReadAsync(ShirabeDb db, Survey survey, IReadOnlyCollection<int>? invitations,
        CancellationToken cancel = default)
    {
        var query = db.Submissions.AsNoTracking().Where(s => s.Invitation.SurveyId == survey.Id);
        if (invitations is not null) query = query.Where(s => invitations.Contains(s.InvitationId));
        var rows = await query.Select(s => new { s.InvitationId, s.Valid, s.Invitation.Organisation.Code, s.SubmittedAt, s.Answers })
            .ToListAsync(cancel);
        return rows.Select(r => new Stored(r.InvitationId, r.Valid, ToResponse(survey, r.Code, r.SubmittedAt, r.Answers))).ToList();
    }

    /// <summary>Submission order (the instant), ties by organisation code, ordinal.</summary>
    public static List<Response> InOrder(IEnumerable<Response> responses) =>
        responses.OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();

    /// <summary>The order of <see cref="InOrder"/> as a comparer.</summary>
    public static readonly IComparer<Response> Order = Comparer<Response>.Create((a, b) =>
        Nullable.Compare(a.SubmittedAt, b.SubmittedAt) is var c and not 0 ? c : string.CompareOrdinal(a.Id, b.Id));

    private static Response ToResponse(Survey survey, string code, DateTime submittedAt, string answers) =>
        new(code, survey.Period.ToLocal(submittedAt), StoredAnswers.ToResponse(survey, StoredAnswers.Parse(answers)));

    /// <summary>Drafts of invitations that have not submitted: counted, never tabulated.</summary>
    public static Task<int> DraftsAsync(ShirabeDb db, Survey survey, CancellationToken cancel = default) =>
        db.Drafts.CountAsync(d => d.Invitation.SurveyId == survey.Id
                                  && !db.Submissions.Any(s => s.InvitationId == d.InvitationId), cancel);
}

using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// `shirabe import` and `shirabe export`: the responses file (docs/codebook-sc3-2023.md) to and from the database.
/// </summary>
public static class ResponsesTransfer
{
    /// <summary>One imported respondent: its association and the token of the invitation made for it.</summary>
    public sealed record Imported(string Code, string Name, string Token, bool Submitted);

    /// <summary>
    /// Imports every row as an association (id → <see cref="Association.Code"/>) with an invitation and its answers:
    /// submitted rows as submissions (version 1), rows without submitted_at as drafts. All or nothing: the whole file
    /// is checked first, and everything is written in one transaction.
    /// </summary>
    public static async Task<List<Imported>> ImportAsync(ShirabeDb db, Survey survey, Stream csv, TimeProvider clock,
        ResponsesReadOptions? options = null, CancellationToken cancel = default)
    {
        var responses = ResponsesCsv.Read(csv, survey, options).ToList(); // throws on any problem: nothing written
        var codes = responses.Select(r => r.Id).ToList();
        var taken = await db.Submissions
            .Where(s => s.Invitation.SurveyId == survey.Id && codes.Contains(s.Invitation.Association.Code))
            .Select(s => s.Invitation.Association.Code).ToListAsync(cancel);
        if (taken.Count > 0)
            throw new Core.UserError(
                $"次の id はすでに回答が登録されています: {string.Join(", ", taken.Order())}");

        var now = clock.GetUtcNow().UtcDateTime;
        var existing = await db.Associations.Where(a => codes.Contains(a.Code)).ToDictionaryAsync(a => a.Code, cancel);
        var imported = new List<Imported>();
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        foreach (var r in responses)
        {
            if (!existing.TryGetValue(r.Id, out var association))
            {
                association = new Association
                {
                    Code = r.Id,
                    Name = TextOf(survey, r, "1-2-a") ?? r.Id,
                    Industry = IndustryOf(survey, r),
                    ContactName = TextOf(survey, r, "1-1-a"),
                    CreatedAt = now,
                };
                db.Associations.Add(association);
            }
            var token = InvitationTokens.NewToken();
            var invitation = new Invitation
            {
                Association = association, SurveyId = survey.Id, TokenHash = InvitationTokens.Hash(token), CreatedAt = now,
            };
            db.Invitations.Add(invitation);
            var answers = StoredAnswers.Serialize(StoredAnswers.ToCells(survey, r.Answers));
            var at = r.SubmittedAt?.UtcDateTime ?? now;
            db.Drafts.Add(new Draft { Invitation = invitation, Answers = answers, Version = 1, UpdatedAt = at });
            if (r.SubmittedAt is not null)
            {
                db.Submissions.Add(new Submission
                {
                    Invitation = invitation, Answers = answers, Version = 1, DraftVersion = 1, SubmittedAt = at, FirstSubmittedAt = at,
                });
                await db.SaveChangesAsync(cancel); // the history row needs the invitation's id
                db.AnswerHistory.Add(new AnswerHistory { InvitationId = invitation.Id, Version = 1, Answers = answers, SubmittedAt = at });
            }
            imported.Add(new Imported(r.Id, association.Name, token, r.SubmittedAt is not null));
        }
        await db.SaveChangesAsync(cancel);
        await tx.CommitAsync(cancel);
        return imported;
    }

    /// <summary>The submitted responses of <paramref name="survey"/>, in submission order, as the canonical file.</summary>
    public static async Task<int> ExportAsync(ShirabeDb db, Survey survey, Stream output, CancellationToken cancel = default,
        bool forSpreadsheet = false)
    {
        var responses = await SubmittedResponses.LoadAsync(db, survey, cancel);
        ResponsesCsv.Write(output, survey, responses, forSpreadsheet);
        return responses.Count;
    }

    private static string? TextOf(Survey survey, Response r, string code) =>
        survey.TryGetItem(code, out var item) && r.Answers[item.Index].Text is { Length: > 0 } t ? t : null;

    private static string? IndustryOf(Survey survey, Response r) =>
        survey.TryGetItem("1-6", out var item) && r.Answers[item.Index] is { State: AnswerState.Given } a
            ? item.FindOption(a.Choice)?.Label : null;
}

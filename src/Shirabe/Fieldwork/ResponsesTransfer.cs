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

    /// <summary>How many rows an import stored: submitted responses and drafts.</summary>
    public sealed record ImportCounts(int Submitted, int Drafts)
    {
        public int Total => Submitted + Drafts;
    }

    /// <summary>
    /// Imports every row as an association (id → <see cref="Association.Code"/>) with an invitation and its answers:
    /// submitted rows as submissions (version 1), rows without submitted_at as drafts. Returns every row with its token
    /// (the demo prints them); <see cref="ImportEachAsync"/> does the same without holding them.
    /// </summary>
    public static async Task<List<Imported>> ImportAsync(ShirabeDb db, Survey survey, Stream csv, TimeProvider clock,
        ResponsesReadOptions? options = null, CancellationToken cancel = default)
    {
        var imported = new List<Imported>();
        await ImportEachAsync(db, survey, csv, clock, imported.Add, options, progress: null, cancel);
        return imported;
    }

    /// <summary>
    /// The import in one pass over the file: rows are checked and written batch by batch in one transaction, committed
    /// only when the whole file has been read without a problem (all or nothing: on any problem the reader's
    /// <see cref="ResponsesFileException"/> names every bad row and column, and nothing is stored). An id that already
    /// has a submitted response for the survey stops the import in the same way. <paramref name="each"/> sees every
    /// row's token as its batch is written; the tokens are valid only when the call returns without an exception.
    /// <paramref name="progress"/> gets the number of rows written after each batch.
    /// </summary>
    public static async Task<ImportCounts> ImportEachAsync(ShirabeDb db, Survey survey, Stream csv, TimeProvider clock,
        Action<Imported>? each, ResponsesReadOptions? options = null, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var bulk = await BulkInvitations.BeginAsync(db, survey.Id, now, cancel);
        var batch = new List<NewInvitation>(bulk.BatchSize);
        var tokens = new List<string>(bulk.BatchSize);
        int submitted = 0, drafts = 0;

        async Task WriteAsync()
        {
            await bulk.WriteAsync(batch, cancel);
            if (bulk.Taken.Count == 0)
                for (var i = 0; i < batch.Count; i++)
                    each?.Invoke(new Imported(batch[i].Code, batch[i].Name, tokens[i], batch[i].SubmittedAt is not null));
            batch.Clear();
            tokens.Clear();
            progress?.Report(submitted + drafts);
        }

        foreach (var r in ResponsesCsv.Read(csv, survey, (options ?? new()) with { ReuseAnswers = true }))
        {
            var token = InvitationTokens.NewToken();
            var at = r.SubmittedAt?.UtcDateTime;
            batch.Add(new NewInvitation
            {
                Code = r.Id,
                Name = TextOf(survey, r, "1-2-a") ?? r.Id,
                Industry = IndustryOf(survey, r),
                ContactName = TextOf(survey, r, "1-1-a"),
                TokenHash = InvitationTokens.Hash(token),
                Answers = StoredAnswers.Serialize(StoredAnswers.ToCells(survey, r.Answers)),
                DraftUpdatedAt = at ?? now,
                SubmittedAt = at,
            });
            tokens.Add(token);
            if (at is null) drafts++; else submitted++;
            if (batch.Count == bulk.BatchSize) await WriteAsync();
        }
        await WriteAsync(); // the reader has thrown by now if any row was bad
        if (bulk.Taken.Count > 0)
            throw new InvalidOperationException(
                $"次の id はすでに回答が登録されているため、何も取り込んでいません: {string.Join(", ", bulk.Taken.Order())}");
        await bulk.CommitAsync(cancel);
        return new ImportCounts(submitted, drafts);
    }

    /// <summary>The submitted responses of <paramref name="survey"/>, in submission order, as the canonical file.</summary>
    public static async Task<int> ExportAsync(ShirabeDb db, Survey survey, Stream output, CancellationToken cancel = default,
        bool forSpreadsheet = false)
    {
        var rows = await db.Submissions.AsNoTracking()
            .Where(s => s.Invitation.SurveyId == survey.Id)
            .Select(s => new { s.Invitation.Association.Code, s.SubmittedAt, s.Answers })
            .ToListAsync(cancel);
        var responses = rows
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => new Response(r.Code,
                TimeZoneInfo.ConvertTime(new DateTimeOffset(r.SubmittedAt, TimeSpan.Zero), survey.Period.TimeZone),
                StoredAnswers.ToAnswers(survey, StoredAnswers.Parse(r.Answers), asStored: true)))
            .ToList();
        ResponsesCsv.Write(output, survey, responses, forSpreadsheet);
        return responses.Count;
    }

    private static string? TextOf(Survey survey, Response r, string code) =>
        survey.TryGetItem(code, out var item) && r.Answers[item.Index].Text is { Length: > 0 } t ? t : null;

    private static string? IndustryOf(Survey survey, Response r) =>
        survey.TryGetItem("1-6", out var item) && r.Answers[item.Index] is { State: AnswerState.Given } a
            ? item.FindOption(a.Choice)?.Label : null;
}

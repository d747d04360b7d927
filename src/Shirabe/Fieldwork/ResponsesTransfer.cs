using System.Threading.Channels;
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
    /// <summary>One imported respondent: its organisation and the token of the invitation made for it.</summary>
    public sealed record Imported(string Code, string Name, string Token, bool Submitted);

    /// <summary>How many rows an import stored: submitted responses and drafts.</summary>
    public sealed record ImportCounts(int Submitted, int Drafts)
    {
        public int Total => Submitted + Drafts;
    }

    /// <summary>
    /// Imports every row as an organisation (id → <see cref="Organisation.Code"/>) with an invitation and its answers:
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
    /// The file is read and the answers serialized on one thread while the previous batch is written on another, with
    /// at most two batches waiting, so memory does not grow with the file.
    /// </summary>
    public static async Task<ImportCounts> ImportEachAsync(ShirabeDb db, Survey survey, Stream csv, TimeProvider clock,
        Action<Imported>? each, ResponsesReadOptions? options = null, IProgress<ImportProgress>? progress = null,
        CancellationToken cancel = default)
    {
        await using var bulk = await BulkInvitations.BeginAsync(db, survey, clock.GetUtcNow().UtcDateTime, cancel);
        var queue = Channel.CreateBounded<Batch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var reading = Task.Run(() => ReadAsync(survey, csv, options, bulk.BatchSize, queue.Writer, stop.Token));
        var written = 0;
        try
        {
            await foreach (var batch in queue.Reader.ReadAllAsync(cancel))
            {
                await bulk.WriteAsync(batch.Rows, cancel);
                if (bulk.Taken.Count == 0)
                    for (var i = 0; i < batch.Rows.Count; i++)
                    {
                        var r = batch.Rows[i];
                        each?.Invoke(new Imported(r.Code, r.Name, batch.Tokens[i], r.SubmittedAt is not null));
                    }
                written += batch.Rows.Count;
                progress?.Report(new ImportProgress(written, batch.Share));
            }
        }
        catch
        {
            await stop.CancelAsync();
            try { await reading; } catch { /* the write's failure is the one to report */ }
            throw;
        }
        var counts = await reading; // a bad row anywhere throws here: the transaction is rolled back on dispose
        if (bulk.Taken.Count > 0)
            throw new Core.UserError(
                $"次の id はすでに回答が登録されています（{bulk.Taken.Count:N0} 件）: {string.Join(", ", bulk.Taken.Order().Take(20))}"
                + (bulk.Taken.Count > 20 ? $" ほか {bulk.Taken.Count - 20:N0} 件" : ""));
        await bulk.CommitAsync(cancel);
        return counts;
    }

    /// <summary>Where an import has got to: rows written, and the share of the file read when that is known.</summary>
    public readonly record struct ImportProgress(int Rows, double? Share);

    private sealed record Batch(List<NewInvitation> Rows, List<string> Tokens, double? Share);

    private static async Task<ImportCounts> ReadAsync(Survey survey, Stream csv, ResponsesReadOptions? options, int batchSize,
        ChannelWriter<Batch> queue, CancellationToken cancel)
    {
        try
        {
            var answers = new StoredAnswersWriter(survey);
            int submitted = 0, drafts = 0;
            var batch = new Batch(new(batchSize), new(batchSize), null);
            foreach (var r in ResponsesCsv.Read(csv, survey, (options ?? new()) with { ReuseAnswers = true }))
            {
                var token = InvitationTokens.NewToken();
                var at = r.SubmittedAt?.UtcDateTime;
                batch.Rows.Add(new NewInvitation
                {
                    Code = r.Id,
                    Name = TextOf(survey, r, ItemRole.Organisation) ?? r.Id,
                    Category = CategoryOf(survey, r),
                    ContactName = TextOf(survey, r, ItemRole.Contact),
                    TokenHash = InvitationTokens.Hash(token),
                    Answers = answers.Serialize(r.Answers),
                    SubmittedAt = at,
                });
                batch.Tokens.Add(token);
                if (at is null) drafts++; else submitted++;
                if (batch.Rows.Count == batchSize)
                {
                    await queue.WriteAsync(batch with { Share = ShareRead(csv) }, cancel);
                    batch = new Batch(new(batchSize), new(batchSize), null);
                }
            }
            // Only now has the reader checked the whole file (it throws above on any problem).
            if (batch.Rows.Count > 0) await queue.WriteAsync(batch with { Share = 1 }, cancel);
            return new ImportCounts(submitted, drafts);
        }
        finally
        {
            queue.Complete();
        }
    }

    private static double? ShareRead(Stream csv) =>
        csv.CanSeek && csv.Length > 0 ? Math.Min(1, (double)csv.Position / csv.Length) : null;

    /// <summary>The submitted responses of <paramref name="survey"/>, in submission order, as the canonical file.</summary>
    public static async Task<int> ExportAsync(ShirabeDb db, Survey survey, Stream output, CancellationToken cancel = default,
        bool forSpreadsheet = false)
    {
        var responses = await SubmittedResponses.LoadAsync(db, survey, cancel);
        ResponsesCsv.Write(output, survey, responses, forSpreadsheet);
        return responses.Count;
    }

    // The invitee's identity comes from the items with a role (survey.yaml `role`), never from item codes.
    private static string? TextOf(Survey survey, Response r, ItemRole role) =>
        survey.ItemWith(role) is { } item && r.Answers[item.Index].Text is { Length: > 0 } t ? t : null;

    private static string? CategoryOf(Survey survey, Response r) =>
        survey.ItemWith(ItemRole.Category) is { } item && r.Answers[item.Index] is { State: AnswerState.Given } a
            ? item.FindOption(a.Choice)?.Label : null;
}

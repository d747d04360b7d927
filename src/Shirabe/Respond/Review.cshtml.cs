using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Respond;

/// <summary>
/// All answers with links back to each section, and the submit button. A submission is acknowledged only after it is
/// committed; posting the same draft version twice (double click, retry) gives the same receipt. A respondent's
/// submission is checked here with one query and written by the <see cref="SubmissionCommitter"/> (group commit,
/// docs/decisions/069); the answer sheet is rendered only when the page is shown (GET, or a refused post).
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ReviewModel(InvitationLookup lookup, ShirabeDb db, Survey survey, TimeProvider clock, IAntiforgery antiforgery,
    Fieldwork.Mail.MailCampaigns mail, SubmissionCommitter committer, FailedLookupLimiter limiter)
    : RespondPageModel(lookup, db, survey, clock)
{
    public string SheetHtml { get; private set; } = "";
    public string? FormError { get; private set; }
    public List<(Item Item, string Message)> Problems { get; } = [];
    /// <summary>Asked and left blank: pointed out, not blocking (無回答 is a valid answer).</summary>
    public List<Item> Unanswered { get; private set; } = [];

    private const string Stale = "画面を開いてから時間がたったため、まだ送信されていません。内容を確認して、もう一度「回答を送信する」を押してください。";
    private const string Malformed = "送信内容が正しくありません。この画面からもう一度送信してください。";
    private const string ChangedMeanwhile = "送信前に回答が変更されました（別の画面や端末で保存された可能性があります）。最新の内容を確認してから、もう一度送信してください。";
    private const string NeedsFixing = "回答に確認が必要な箇所があります。各ページで修正してから送信してください。";
    private const string Collided = "送信が重なりました。内容を確認して、もう一度送信してください。";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await LoadAsync() is { } fail) return fail;
        if (!Accepting) return Redirect(BasePath);
        await PrepareAsync();
        return Page();
    }

    public Task<IActionResult> OnPostAsync(string? draftVersion) =>
        StaffEntry is null ? SubmitAsync(draftVersion) : PaperAsync(draftVersion);

    /// <summary>
    /// A respondent's submission: one query (invitation, draft, submission), the checks of decision 008 in its order,
    /// the answers canonicalised once, then the committer. Nothing is rendered unless the post is refused.
    /// </summary>
    private async Task<IActionResult> SubmitAsync(string? draftVersion)
    {
        var cancel = HttpContext.RequestAborted;
        var ip = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.IsExhausted(ip)) return StatusCode(StatusCodes.Status429TooManyRequests);
        var state = InvitationTokens.LooksValid(Token) ? await SubmitStateAsync(cancel) : null;
        if (state is null)
        {
            limiter.TryAcquire(ip);
            return NotFound();
        }
        var (invitation, organisation, draft, submission) = state;
        if (Survey.Period.PhaseAt(Clock.GetUtcNow()) != SurveyPhase.Open) return NotAccepting();
        var answers = draft is null ? null : StoredAnswers.ToAnswers(Survey, StoredAnswers.Parse(draft.Answers));
        if (!await antiforgery.IsRequestValidAsync(HttpContext)) return await RefuseAsync(StatusCodes.Status400BadRequest, Stale);
        if (!int.TryParse(draftVersion, out var version) || draft is null || answers is null)
            return await RefuseAsync(StatusCodes.Status400BadRequest, Malformed);
        if (submission is not null && submission.DraftVersion == version) return Redirect(Done); // already submitted: the same receipt
        if (draft.Version != version) return await RefuseAsync(StatusCodes.Status409Conflict, ChangedMeanwhile);
        if (Check(Survey, answers).Any()) return await RefuseAsync(StatusCodes.Status422UnprocessableEntity, NeedsFixing);

        // The receipt of a respondent's submission (first and every resubmission) commits with it: decision 052.
        var current = HttpContext.RequestServices.GetRequiredService<Surveys.CurrentSurvey>();
        invitation.Organisation = organisation;
        var receipt = await mail.ReceiptAsync(invitation, organisation.Name, current.Stored, cancel);
        var outcome = await committer.SubmitAsync(new SubmissionWrite(invitation.Id, submission,
            StoredAnswers.Serialize(StoredAnswers.ToCells(Survey, answers)), version, Clock.GetUtcNow().UtcDateTime, SurveyVersionId,
            SubmissionChannel.Web, receipt));
        if (outcome == SubmitOutcome.Committed) return Redirect(Done);
        // Refused: another request submitted at the same moment (double click): if it was this draft, its receipt is ours.
        var now = await Db.Submissions.AsNoTracking().Where(s => s.InvitationId == invitation.Id).Select(s => (int?)s.DraftVersion)
            .FirstOrDefaultAsync(CancellationToken.None);
        return now == version ? Redirect(Done) : await RefuseAsync(StatusCodes.Status409Conflict, Collided);
    }

    private sealed record SubmitState(Invitation Invitation, Organisation Organisation, Draft? Draft, Submission? Submission);

    /// <summary>The link's invitation (as <see cref="InvitationLookup"/> finds it) with its draft and submission: one query.</summary>
    private async Task<SubmitState?> SubmitStateAsync(CancellationToken cancel)
    {
        var hash = InvitationTokens.Hash(Token);
        var now = Clock.GetUtcNow().UtcDateTime;
        var surveyId = Survey.Id;
        // From the link's unique token hash: SQLite does not turn an EXISTS over the links into a join, and would
        // test every invitation of the survey.
        var row = await (
                from l in Db.AccessLinks.AsNoTracking()
                where l.TokenHash == hash && l.RevokedAt == null
                join i in Db.Invitations on l.InvitationId equals i.Id
                where i.SurveyId == surveyId && (i.ExpiresAt == null || i.ExpiresAt > now)
                join d in Db.Drafts on i.Id equals d.InvitationId into drafts
                from d in drafts.DefaultIfEmpty()
                join s in Db.Submissions on i.Id equals s.InvitationId into submissions
                from s in submissions.DefaultIfEmpty()
                select new { Invitation = i, i.Organisation, Draft = d, Submission = s })
            .FirstOrDefaultAsync(cancel);
        return row is null ? null : new SubmitState(row.Invitation, row.Organisation, row.Draft, row.Submission);
    }

    /// <summary>A refused post: the review page (loaded and rendered now) with the message.</summary>
    private async Task<IActionResult> RefuseAsync(int status, string message)
    {
        if (await LoadAsync() is { } fail) return fail;
        await PrepareAsync();
        return Fail(status, message);
    }

    /// <summary>Staff entering answers from paper (decision 050): written here, with its audit entry, in one transaction.</summary>
    private async Task<IActionResult> PaperAsync(string? draftVersion)
    {
        if (await LoadAsync() is { } fail) return fail;
        if (!Accepting) return NotAccepting();
        await PrepareAsync();
        if (!await antiforgery.IsRequestValidAsync(HttpContext)) return Fail(StatusCodes.Status400BadRequest, Stale);
        if (!int.TryParse(draftVersion, out var version) || Draft is null) return Fail(StatusCodes.Status400BadRequest, Malformed);
        if (Submission is not null && Submission.DraftVersion == version)
            return Redirect(Done); // already submitted: the same receipt
        if (Draft.Version != version) return Fail(StatusCodes.Status409Conflict, ChangedMeanwhile);
        if (Problems.Count > 0) return Fail(StatusCodes.Status422UnprocessableEntity, NeedsFixing);

        try
        {
            await using var tx = await Db.Database.BeginTransactionAsync(HttpContext.RequestAborted);
            var submission = Submission ?? Db.Submissions.Add(new Submission { InvitationId = Invitation.Id }).Entity;
            Db.AnswerHistory.Add(submission.Record(Survey, Draft, Clock.GetUtcNow().UtcDateTime, SurveyVersionId));
            submission.Channel = SubmissionChannel.Paper;
            await Db.SaveChangesAsync(HttpContext.RequestAborted);
            await HttpContext.AuditAsync(AuditAction.PaperSubmitted, $"organisation:{StaffEntry}",
                new { invitation = Invitation.Id, submission = submission.Id, version = submission.Version, draftVersion = version, channel = submission.Channel });
            await tx.CommitAsync(HttpContext.RequestAborted);
        }
        catch (DbUpdateException)
        {
            // Another request submitted at the same moment (double click): if it was this draft, its receipt is ours.
            Db.ChangeTracker.Clear();
            var current = await Db.Submissions.AsNoTracking().FirstOrDefaultAsync(s => s.InvitationId == Invitation.Id);
            if (current?.DraftVersion == version) return Redirect(Done);
            return Fail(StatusCodes.Status409Conflict, Collided);
        }
        return Redirect(Done);
    }

    /// <summary>After submitting: the receipt, or in staff entry the invitee's console page.</summary>
    private string Done => StaffEntry is null ? $"{BasePath}/thanks" : HomePath + "?done=paper";

    /// <summary>What blocks a submission: an answer its item refuses, or a required item left blank.</summary>
    private static IEnumerable<(Item Item, string Message)> Check(Survey survey, Answer[] answers)
    {
        foreach (var item in survey.Items)
        {
            if (answers[item.Index].State == AnswerState.Given && item.Validate(answers[item.Index]) is { } e) yield return (item, e);
            else if (item.Required && answers[item.Index].State == AnswerState.NoAnswer) yield return (item, "この設問は必ずお答えください。");
        }
    }

    private async Task PrepareAsync()
    {
        var answers = StoredAnswers.ToAnswers(Survey, SavedCells);
        Problems.AddRange(Check(Survey, answers));
        Unanswered = FormPages.Unanswered(Survey, answers);
        SheetHtml = await AnswerSheet.RenderAsync(Survey, answers, s => $"{BasePath}/s/{s.Id}");
    }

    private PageResult Fail(int status, string message)
    {
        FormError = message;
        Response.StatusCode = status;
        return Page();
    }
}

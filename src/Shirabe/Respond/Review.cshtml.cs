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
/// committed; posting the same draft version twice (double click, retry) gives the same receipt.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ReviewModel(InvitationLookup lookup, ShirabeDb db, Survey survey, TimeProvider clock, IAntiforgery antiforgery,
    Fieldwork.Mail.MailCampaigns mail)
    : RespondPageModel(lookup, db, survey, clock)
{
    public string SheetHtml { get; private set; } = "";
    public string? FormError { get; private set; }
    public List<(Item Item, string Message)> Problems { get; } = [];
    /// <summary>Asked and left blank: pointed out, not blocking (無回答 is a valid answer).</summary>
    public List<Item> Unanswered { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (await LoadAsync() is { } fail) return fail;
        if (!Accepting) return Redirect(BasePath);
        await PrepareAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? draftVersion)
    {
        if (await LoadAsync() is { } fail) return fail;
        if (!Accepting) return NotAccepting();
        await PrepareAsync();
        if (!await antiforgery.IsRequestValidAsync(HttpContext))
            return Fail(StatusCodes.Status400BadRequest, "画面を開いてから時間がたったため、まだ送信されていません。内容を確認して、もう一度「回答を送信する」を押してください。");
        if (!int.TryParse(draftVersion, out var version) || Draft is null)
            return Fail(StatusCodes.Status400BadRequest, "送信内容が正しくありません。この画面からもう一度送信してください。");
        if (Submission is not null && Submission.DraftVersion == version)
            return Redirect(Done); // already submitted: the same receipt
        if (Draft.Version != version)
            return Fail(StatusCodes.Status409Conflict, "送信前に回答が変更されました（別の画面や端末で保存された可能性があります）。最新の内容を確認してから、もう一度送信してください。");
        if (Problems.Count > 0)
            return Fail(StatusCodes.Status422UnprocessableEntity, "回答に確認が必要な箇所があります。各ページで修正してから送信してください。");

        try
        {
            await using var tx = await Db.Database.BeginTransactionAsync(HttpContext.RequestAborted);
            var submission = Submission ?? Db.Submissions.Add(new Submission { InvitationId = Invitation.Id }).Entity;
            Db.AnswerHistory.Add(submission.Record(Survey, Draft, Clock.GetUtcNow().UtcDateTime, SurveyVersionId));
            // The channel of the version now submitted: entered by staff from paper or mail, or by the respondent.
            submission.Channel = StaffEntry is null ? SubmissionChannel.Web : SubmissionChannel.Paper;
            // The receipt of a respondent's submission (first and every resubmission; not of staff's paper entry)
            // commits with it: decision 052.
            if (StaffEntry is null) await mail.AddReceiptAsync(Invitation, Invitation.Organisation.Name, HttpContext.RequestAborted);
            await Db.SaveChangesAsync(HttpContext.RequestAborted);
            if (StaffEntry is { } organisation)
                await HttpContext.AuditAsync(AuditAction.PaperSubmitted, $"organisation:{organisation}",
                    new { invitation = Invitation.Id, submission = submission.Id, version = submission.Version, draftVersion = version, channel = submission.Channel });
            await tx.CommitAsync(HttpContext.RequestAborted);
        }
        catch (DbUpdateException)
        {
            // Another request submitted at the same moment (double click): if it was this draft, its receipt is ours.
            Db.ChangeTracker.Clear();
            var current = await Db.Submissions.AsNoTracking().FirstOrDefaultAsync(s => s.InvitationId == Invitation.Id);
            if (current?.DraftVersion == version) return Redirect(Done);
            return Fail(StatusCodes.Status409Conflict, "送信が重なりました。内容を確認して、もう一度送信してください。");
        }
        return Redirect(Done);
    }

    /// <summary>After submitting: the receipt, or in staff entry the invitee's console page.</summary>
    private string Done => StaffEntry is null ? $"{BasePath}/thanks" : HomePath + "?done=paper";

    private async Task PrepareAsync()
    {
        var answers = StoredAnswers.ToAnswers(Survey, SavedCells);
        foreach (var item in Survey.Items)
        {
            if (answers[item.Index].State == AnswerState.Given && item.Validate(answers[item.Index]) is { } e) Problems.Add((item, e));
            else if (item.Required && answers[item.Index].State == AnswerState.NoAnswer) Problems.Add((item, "この設問は必ずお答えください。"));
        }
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

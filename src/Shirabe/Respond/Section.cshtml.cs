using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Respond;

/// <summary>
/// One page of the questionnaire (a section, or part of a long one). Every button saves the page into the draft, after
/// checking it; a page with errors saves its valid answers and comes back with every answer as typed and a message
/// saying which were not saved. Anti-forgery is checked here rather than by the global filter, so that an expired form
/// still gives back what was typed.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class SectionModel(InvitationLookup lookup, ShirabeDb db, Survey survey, TimeProvider clock, IAntiforgery antiforgery)
    : RespondPageModel(lookup, db, survey, clock)
{
    public FormPage FormPage { get; private set; } = null!;
    public bool IsFirst => FormPage.Number == 1;
    public bool IsLast => FormPage.Number == FormPages.Of(Survey).Count;

    /// <summary>
    /// Staff entry's GET (/admin/invitees/{id}/paper/s/…). The respondent's GET of /a/{token}/s/… never reaches it: the
    /// minimal endpoint <see cref="SectionView.ShowAsync"/> on the same route is preferred for GET and HEAD (docs/decisions/073).
    /// </summary>
    public async Task<IActionResult> OnGetAsync(string section, int? part, bool saved = false)
    {
        if (await LoadAsync() is { } fail) return fail;
        if (!FindPage(section, part)) return NotFound();
        if (!Accepting) return Redirect(BasePath);
        // Staff entry sets no OpenedAt (the respondent's GET does: SectionView.ShowAsync).
        return new SectionPageResult(SectionView.ForGet(Survey, FormPage, Organisation, SavedCells, BasePath, StaffEntry, HomePath, saved));
    }

    public async Task<IActionResult> OnPostAsync()
    {
        // Parameters are read here, not bound: a body over the size limit must give 413, not a missing section.
        IFormCollection form;
        try
        {
            form = await Request.ReadFormAsync(HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException)
        {
            return StatusCode(e is BadHttpRequestException b ? b.StatusCode : StatusCodes.Status400BadRequest);
        }
        var section = RouteData.Values["section"] as string ?? "";
        int? part = int.TryParse(RouteData.Values["part"] as string, out var n) ? n : null;
        var action = form["action"].ToString();
        if (await LoadAsync() is { } fail) return fail;
        if (!FindPage(section, part)) return NotFound();
        if (!Accepting) return NotAccepting();
        var savedCells = SavedCells;
        var savedAnswers = StoredAnswers.ToAnswers(Survey, savedCells);
        var values = form.Keys.ToDictionary(k => k, k => form[k].Select(v => v ?? "").ToArray(), StringComparer.Ordinal);
        // A page sent back: every answer as typed, the skip rules' outcome from the answers saved before this post.
        SectionPageResult SentBack(int status, string? formError, Dictionary<string, string>? errors = null, int? savedDespiteErrors = null)
        {
            Response.StatusCode = status;
            return new SectionPageResult(new SectionView(Survey, FormPage, Organisation, SavedCells, BasePath, StaffEntry, HomePath)
            {
                FormError = formError,
                Errors = errors ?? [],
                SavedDespiteErrors = savedDespiteErrors,
                Values = values,
                SavedAnswers = savedAnswers,
                SavedAnswersOf = savedCells,
            });
        }

        if (!await antiforgery.IsRequestValidAsync(HttpContext))
            return SentBack(StatusCodes.Status400BadRequest,
                "画面を開いてから時間がたったため、まだ保存されていません。入力内容はこのとおり残っています。確認して、もう一度ボタンを押してください。");

        if (!await FormAnswers.IsValidUtf8Async(Request))
            return SentBack(StatusCodes.Status400BadRequest, FormAnswers.InvalidUtf8Message);
        var read = FormAnswers.Read(Survey, FormPage.Questions, form, SavedCells);
        if (read.FormError is not null)
            return SentBack(StatusCodes.Status400BadRequest, read.FormError, read.Errors);

        // The valid answers are saved even when others are not: nothing typed correctly is lost.
        if (read.Cells.Count > 0) await SaveDraftAsync(read.Cells);
        if (read.Errors.Count > 0)
            return SentBack(StatusCodes.Status422UnprocessableEntity, null, read.Errors,
                FormPage.Items.Count(i => !read.Errors.ContainsKey(i.Code)));
        var pages = FormPages.Of(Survey);
        var at = FormPage.Number - 1;
        if (action.StartsWith("go:", StringComparison.Ordinal)
            && pages.FirstOrDefault(p => p.Index == 0 && p.Section.Id == action[3..]) is { } target)
            return Redirect(BasePath + target.Path);
        return action switch
        {
            "back" when !IsFirst => Redirect(BasePath + pages[at - 1].Path),
            "back" => Redirect(HomePath),
            "next" when !IsLast => Redirect(BasePath + pages[at + 1].Path),
            "next" or "review" => Redirect($"{BasePath}/review"),
            _ => Redirect($"{BasePath}{FormPage.Path}?saved=true#main"),
        };
    }

    /// <summary>Merges this page's cells into the draft; retries once when another device saved in between.</summary>
    private async Task SaveDraftAsync(Dictionary<string, string> cells)
    {
        for (var attempt = 0; ; attempt++)
        {
            var first = Draft is null;
            var draft = Draft ?? Db.Drafts.Add(new Draft { InvitationId = Invitation.Id }).Entity;
            var now = Clock.GetUtcNow().UtcDateTime;
            var merged = draft.Save(cells, now, SurveyVersionId);
            try
            {
                await Db.SaveChangesAsync(HttpContext.RequestAborted);
                if (StaffEntry is { } organisation)
                    await HttpContext.AuditAsync(AuditAction.PaperSaved, $"organisation:{organisation}",
                        new { invitation = Invitation.Id, draft = draft.Id, draftVersion = draft.Version, columns = cells.Keys.Order(StringComparer.Ordinal) });
                else if (first)
                    await SectionView.MarkOpenedAsync(Db, Invitation.Id, now, HttpContext.RequestAborted);
                SavedCells = merged;
                return;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                Db.ChangeTracker.Clear();
                Draft = await Db.Drafts.FirstOrDefaultAsync(d => d.InvitationId == Invitation.Id, HttpContext.RequestAborted);
            }
        }
    }

    private bool FindPage(string section, int? part)
    {
        if (FindPage(Survey, section, part) is not { } found) return false;
        FormPage = found;
        return true;
    }

    /// <summary>The page /s/{section}[/{part}] (parts from 1; /s/2 is the section's first page), or null.</summary>
    public static FormPage? FindPage(Survey survey, string section, int? part)
    {
        var index = (part ?? 1) - 1;
        foreach (var p in FormPages.Of(survey))
            if (p.Index == index && p.Section.Id == section) return p;
        return null;
    }
}

/// <summary>A section page written from its template (<see cref="SectionPage"/>), with a fresh form token.</summary>
public sealed class SectionPageResult(SectionView view) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => view.WriteAsync(context.HttpContext);
}

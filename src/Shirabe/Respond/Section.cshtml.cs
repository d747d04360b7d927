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
    : RespondPageModel(lookup, db, survey, clock), IQuestionsView
{
    public FormPage FormPage { get; private set; } = null!;
    public Section Section => FormPage.Section;
    public bool IsFirst => FormPage.Number == 1;
    public bool IsLast => FormPage.Number == FormPages.Of(Survey).Count;
    public bool JustSaved { get; private set; }
    /// <summary>How many items of the page were saved although others had errors (then shown with the errors).</summary>
    public int? SavedDespiteErrors { get; private set; }
    public string? FormError { get; private set; }
    public Dictionary<string, string> Errors { get; private set; } = [];
    private Dictionary<string, string[]> _values = [];
    private Answer[] _savedAnswers = [];
    private bool[]? _savedShown;

    public async Task<IActionResult> OnGetAsync(string section, int? part, bool saved = false)
    {
        if (await LoadAsync() is { } fail) return fail;
        if (!FindPage(section, part)) return NotFound();
        if (!Accepting) return Redirect(BasePath);
        // Opened = the respondent started. The landing page a mail scanner fetches (GET or HEAD) sets nothing; a
        // section page (only reached from the landing page's button or a later save) does, once.
        if (StaffEntry is null && HttpMethods.IsGet(Request.Method) && Invitation.OpenedAt is null)
            await Db.Invitations.Where(i => i.Id == Invitation.Id && i.OpenedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.OpenedAt, Clock.GetUtcNow().UtcDateTime), HttpContext.RequestAborted);
        JustSaved = saved;
        _values = FromCells(SavedCells);
        // The organisation item starts with the invited organisation's name until the page is first saved.
        foreach (var item in FormPage.Items.Where(i => i.Role == ItemRole.Organisation && i.Kind == ItemKind.Text))
            if (!SavedCells.ContainsKey(item.ColumnName)) _values[item.ColumnName] = [Organisation.Name];
        _savedAnswers = StoredAnswers.ToAnswers(Survey, _savedAnswersOf = SavedCells);
        return new SectionPageResult(this);
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
        _savedAnswers = StoredAnswers.ToAnswers(Survey, _savedAnswersOf = SavedCells);
        _values = form.Keys.ToDictionary(k => k, k => form[k].Select(v => v ?? "").ToArray(), StringComparer.Ordinal);

        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            FormError = "画面を開いてから時間がたったため、まだ保存されていません。入力内容はこのとおり残っています。確認して、もう一度ボタンを押してください。";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return new SectionPageResult(this);
        }

        if (!await FormAnswers.IsValidUtf8Async(Request))
        {
            FormError = FormAnswers.InvalidUtf8Message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return new SectionPageResult(this);
        }
        var read = FormAnswers.Read(Survey, FormPage.Questions, form, SavedCells);
        if (read.FormError is not null)
        {
            FormError = read.FormError;
            Errors = read.Errors;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return new SectionPageResult(this);
        }

        // The valid answers are saved even when others are not: nothing typed correctly is lost.
        if (read.Cells.Count > 0) await SaveDraftAsync(read.Cells);
        if (read.Errors.Count > 0)
        {
            Errors = read.Errors;
            SavedDespiteErrors = FormPage.Items.Count(i => !Errors.ContainsKey(i.Code));
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return new SectionPageResult(this);
        }
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
                    await Db.Invitations.Where(i => i.Id == Invitation.Id && i.OpenedAt == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(i => i.OpenedAt, now), HttpContext.RequestAborted);
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

    /// <summary>The page /s/{section}[/{part}] (parts from 1; /s/2 is the section's first page).</summary>
    private bool FindPage(string section, int? part)
    {
        var index = (part ?? 1) - 1;
        if (FormPages.Of(Survey).FirstOrDefault(p => p.Section.Id == section && p.Index == index) is not { } found) return false;
        FormPage = found;
        return true;
    }

    private Dictionary<string, string[]> FromCells(Dictionary<string, string> cells)
    {
        var values = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var item in Survey.Items)
            foreach (var column in item.Columns)
                if (cells.TryGetValue(column, out var cell) && cell != Core.Responses.ResponsesCsv.NotAskedValue)
                    values[column] = item.Kind == ItemKind.Multiple ? cell.Split(';', StringSplitOptions.RemoveEmptyEntries)
                        : item.Kind == ItemKind.Text ? [cell] : cell.Length == 0 ? [] : [cell];
        return values;
    }

    // ---- for the view

    public string Value(string column) => _values.TryGetValue(column, out var v) && v.Length > 0 ? v[0] : "";

    public bool IsChosen(string column, int code)
    {
        var c = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return _values.TryGetValue(column, out var v) && v.Contains(c);
    }

    public string? ErrorOf(Item item) => Errors.Count == 0 ? null : Errors.GetValueOrDefault(item.Code);

    /// <summary>The form token the page carries (set when the page is written).</summary>
    public AntiforgeryTokenSet FormToken { get; set; } = null!;

    /// <summary>A section's state in the step indicator, from the saved answers.</summary>
    public SectionState StateOf(Section section) =>
        FormPages.StateOf(section, SavedCells, _progressAnswers ??= _savedAnswersOf == SavedCells ? _savedAnswers : FormPages.Answers(Survey, SavedCells));
    private Answer[]? _progressAnswers;
    private Dictionary<string, string>? _savedAnswersOf; // the cells _savedAnswers were made from (a save replaces them)

    /// <summary>The id of an item's first input, the target of the error summary's link.</summary>
    public static string FirstInputId(Item item) => item.Kind switch
    {
        ItemKind.Single or ItemKind.Matrix or ItemKind.Multiple => $"{item.ColumnName}-{item.Options[0].Code}",
        _ => item.Columns.First(),
    };

    /// <summary>How a skip rule shows on this page (see <see cref="FormPage.Visibility"/>).</summary>
    public (bool Render, string? Items, string? Codes, bool MetBefore) Visibility(Item item) =>
        item.ShowIf is null ? (true, null, null, false) : FormPage.Visibility(item, _savedAnswers, _savedShown ??= Survey.Shown(_savedAnswers));
}

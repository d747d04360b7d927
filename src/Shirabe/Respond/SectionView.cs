using Microsoft.AspNetCore.Antiforgery;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Respond;

/// <summary>
/// What a section page's template (<see cref="SectionPage"/>) is filled with: the page, the organisation, the saved
/// answers and their skip rules' outcome, messages and the form token. Made by the respondent's GET (a minimal endpoint,
/// <see cref="ShowAsync"/>) and by the Razor page <see cref="SectionModel"/> (a post sent back with errors, staff entry).
/// </summary>
public sealed class SectionView(Survey survey, FormPage page, Organisation organisation, Dictionary<string, string> savedCells,
    string basePath, int? staffEntry, string homePath) : IQuestionsView
{
    public Survey Survey => survey;
    public FormPage FormPage => page;
    public Organisation Organisation => organisation;
    /// <summary>The draft's cells (column → canonical cell); empty before the first save.</summary>
    public Dictionary<string, string> SavedCells => savedCells;
    public string BasePath => basePath;
    /// <summary>The organisation id when a 管理者 enters answers on its behalf (null: the respondent, by its link).</summary>
    public int? StaffEntry => staffEntry;
    public string HomePath => homePath;
    public bool JustSaved { get; init; }
    /// <summary>How many items of the page were saved although others had errors (then shown with the errors).</summary>
    public int? SavedDespiteErrors { get; init; }
    public string? FormError { get; init; }
    public Dictionary<string, string> Errors { get; init; } = [];
    /// <summary>What the fields show: the saved answers, or on a post sent back the values as typed.</summary>
    public Dictionary<string, string[]> Values { get; init; } = [];
    /// <summary>The saved answers (the skip rules' input) and the cells they were made from.</summary>
    public required Answer[] SavedAnswers { get; init; }
    /// <summary>The cells <see cref="SavedAnswers"/> were made from (a post that saved some answers has newer <see cref="SavedCells"/>).</summary>
    public required Dictionary<string, string> SavedAnswersOf { get; init; }
    /// <summary>The form token the page carries (set when the page is written).</summary>
    public AntiforgeryTokenSet FormToken { get; set; } = null!;

    private Answer[]? _progressAnswers;
    private bool[]? _savedShown;

    /// <summary>
    /// The respondent's GET (and HEAD) of /a/{token}/s/{section}[/{part}], as a minimal endpoint: the page is written
    /// from its template, so the Razor page machinery (invoker, filters, model binding, the page model's DI) is not
    /// needed. Status codes, redirects and the written page are those of <see cref="SectionModel"/>'s GET
    /// (docs/decisions/073).
    /// </summary>
    public static async Task ShowAsync(HttpContext http, string token, string section, int? part)
    {
        var services = http.RequestServices;
        var (status, linked) = await services.GetRequiredService<InvitationLookup>().FindLinkedAsync(token, http);
        if (status == LookupStatus.RateLimited)
        {
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return;
        }
        if (linked is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var survey = services.GetRequiredService<Survey>();
        if (SectionModel.FindPage(survey, section, part) is not { } page)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var basePath = InvitationTokens.Path(token);
        var clock = services.GetRequiredService<TimeProvider>();
        if (survey.Period.PhaseAt(clock.GetUtcNow()) != SurveyPhase.Open)
        {
            http.Response.Redirect(basePath);
            return;
        }
        var invitation = linked.Invitation;
        // Opened = the respondent started. The landing page a mail scanner fetches (GET or HEAD) sets nothing; a
        // section page (only reached from the landing page's button or a later save) does, once; a HEAD does not.
        if (HttpMethods.IsGet(http.Request.Method) && invitation.OpenedAt is null)
            await MarkOpenedAsync(services.GetRequiredService<ShirabeDb>(), invitation.Id, clock.GetUtcNow().UtcDateTime, http.RequestAborted);
        var cells = linked.Draft is null ? [] : StoredAnswers.Parse(linked.Draft.Answers);
        // ?saved=true, read as the page's bool parameter was bound: anything else (or nothing) is false.
        var saved = http.Request.Query["saved"] is { Count: > 0 } s && bool.TryParse(s[0], out var b) && b;
        await ForGet(survey, page, invitation.Organisation, cells, basePath, null, basePath, saved).WriteAsync(http);
    }

    /// <summary>Sets the invitation's <see cref="Invitation.OpenedAt"/> unless it is set already.</summary>
    public static Task MarkOpenedAsync(ShirabeDb db, int invitationId, DateTime now, CancellationToken cancel) =>
        db.Invitations.Where(i => i.Id == invitationId && i.OpenedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.OpenedAt, now), cancel);

    /// <summary>A page as its GET shows it: the saved answers (the organisation item starts with the invited organisation's name).</summary>
    public static SectionView ForGet(Survey survey, FormPage page, Organisation organisation, Dictionary<string, string> cells,
        string basePath, int? staffEntry, string homePath, bool justSaved)
    {
        var values = FromCells(survey, cells);
        // The organisation item starts with the invited organisation's name until the page is first saved.
        foreach (var item in page.Items)
            if (item.Role == ItemRole.Organisation && item.Kind == ItemKind.Text && !cells.ContainsKey(item.ColumnName))
                values[item.ColumnName] = [organisation.Name];
        return new SectionView(survey, page, organisation, cells, basePath, staffEntry, homePath)
        {
            JustSaved = justSaved,
            Values = values,
            SavedAnswers = StoredAnswers.ToAnswers(survey, cells),
            SavedAnswersOf = cells,
        };
    }

    /// <summary>Writes the page from its template with a fresh form token (the status code is the caller's).</summary>
    public async Task WriteAsync(HttpContext http)
    {
        FormToken = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        http.Response.ContentType = "text/html; charset=utf-8";
        SectionPage.For(Survey, FormPage).Render(this, new HtmlOutput(http.Response.BodyWriter));
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    private static Dictionary<string, string[]> FromCells(Survey survey, Dictionary<string, string> cells)
    {
        var values = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var item in survey.Items)
            foreach (var column in item.Columns)
                if (cells.TryGetValue(column, out var cell) && cell != Core.Responses.ResponsesCsv.NotAskedValue)
                    values[column] = item.Kind == ItemKind.Multiple ? cell.Split(';', StringSplitOptions.RemoveEmptyEntries)
                        : item.Kind == ItemKind.Text ? [cell] : cell.Length == 0 ? [] : [cell];
        return values;
    }

    // ---- for the template

    public string Value(string column) => Values.TryGetValue(column, out var v) && v.Length > 0 ? v[0] : "";

    public bool IsChosen(string column, int code)
    {
        var c = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Values.TryGetValue(column, out var v) && v.Contains(c);
    }

    public string? ErrorOf(Item item) => Errors.Count == 0 ? null : Errors.GetValueOrDefault(item.Code);

    /// <summary>A section's state in the step indicator, from the saved answers.</summary>
    public SectionState StateOf(Section section) => FormPages.StateOf(section, SavedCells,
        _progressAnswers ??= ReferenceEquals(SavedAnswersOf, SavedCells) ? SavedAnswers : FormPages.Answers(Survey, SavedCells));

    /// <summary>The id of an item's first input, the target of the error summary's link.</summary>
    public static string FirstInputId(Item item) => item.Kind switch
    {
        ItemKind.Single or ItemKind.Matrix or ItemKind.Multiple => $"{item.ColumnName}-{item.Options[0].Code}",
        _ => item.Columns.First(),
    };

    /// <summary>How a skip rule shows on this page (see <see cref="FormPage.Visibility"/>).</summary>
    public (bool Render, string? Items, string? Codes, bool MetBefore) Visibility(Item item) =>
        item.ShowIf is null ? (true, null, null, false) : FormPage.Visibility(item, SavedAnswers, _savedShown ??= Survey.Shown(SavedAnswers));
}

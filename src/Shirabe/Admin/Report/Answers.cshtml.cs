using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Reports;
using Shirabe.Core.Tabulation;
using Shirabe.Reports;

namespace Shirabe.Admin.Report;

/// <summary>
/// Free-text curation of one table: which answers are printed (主な回答) and anonymised versions of some of them.
/// The respondent's original is always kept; every change is logged with who and when (Reports/ReportEdits).
/// </summary>
public sealed class AnswersModel(ConsoleReport report, ReportEditsStore store, ConsoleSurvey console) : PageModel
{
    public const int MaxLength = 4000;

    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    public TableBlock? Table { get; private set; }
    /// <summary>Every answer of the table in response order, as the respondent wrote it.</summary>
    public List<TextAnswer> Answers { get; private set; } = [];
    /// <summary>The same answers as the report engine sees them: printed or not, edited or not.</summary>
    public IReadOnlyList<AnswerChoice> Choices { get; private set; } = [];
    public TextCuration? Curation { get; private set; }
    public List<EditLogEntry> Log { get; private set; } = [];
    public string? Error { get; private set; }

    /// <summary>Answers per page: a table of 100,000 responses may have thousands (issue 12 item 4).</summary>
    public const int PageSize = 100;

    /// <summary>The page shown (1-based, ?page=).</summary>
    public int PageNumber { get; private set; } = 1;
    public int Pages => Math.Max(1, (Choices.Count + PageSize - 1) / PageSize);
    /// <summary>The answers of the page shown.</summary>
    public IEnumerable<AnswerChoice> Shown => Choices.Skip((PageNumber - 1) * PageSize).Take(PageSize);

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    /// <summary>
    /// Saves which answers of one page are printed (<paramref name="shownPage"/>: the page whose checkboxes were posted); the
    /// other pages' choices stay. With <paramref name="all"/> every answer is printed again (no selection).
    /// </summary>
    public async Task<IActionResult> OnPostSelectAsync(List<string>? selected, bool all = false, int shownPage = 1)
    {
        if (!await LoadAsync()) return NotFound();
        PageNumber = Math.Clamp(shownPage, 1, Pages);
        var onPage = Shown.Select(a => a.Respondent).ToHashSet(StringComparer.Ordinal);
        var picked = (selected ?? []).Where(onPage.Contains).ToHashSet(StringComparer.Ordinal);
        // The other pages keep what they had: their selected answers (every answer while nothing was selected).
        var chosen = all ? null : Choices.Where(a => onPage.Contains(a.Respondent) ? picked.Contains(a.Respondent) : a.Selected)
            .Select(a => a.Respondent).ToList();
        var by = User.Identity?.Name ?? "";
        await store.UpdateAsync(e => e.SelectAnswers(Key, chosen, by), HttpContext.RequestAborted);
        await HttpContext.AuditAsync(AuditAction.CurationSelected, $"table:{Key}", new { field = "selected", after = chosen });
        return Redirect(PageLink(PageNumber));
    }

    /// <summary>This table's page <paramref name="page"/>.</summary>
    public string PageLink(int page) => page <= 1 ? Here : $"{Here}?page={page}";

    public async Task<IActionResult> OnPostEditAsync(string? respondent, string? text, string? reason)
    {
        if (!await LoadAsync()) return NotFound();
        var answer = Answers.FirstOrDefault(a => a.Respondent == respondent);
        if (answer is null) return NotFound();
        text = (text ?? "").Replace("\r\n", "\n").Trim();
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (text.Length == 0 || text.Length > MaxLength || reason?.Length > 200)
        {
            Error = $"編集後の回答は 1～{MaxLength:#,0} 文字、編集メモは 200 文字以内で入力してください。";
            return Page();
        }
        if (Core.Responses.XmlText.IndexOfInvalid(text + reason) is var bad and >= 0)
        {
            Error = "編集後の回答または理由に" + Core.Responses.XmlText.Message(text + reason, bad);
            return Page();
        }
        var by = User.Identity?.Name ?? "";
        await store.UpdateAsync(e => e.EditAnswer(Key, answer.Respondent, answer.Text, text, by, reason), HttpContext.RequestAborted);
        await HttpContext.AuditAsync(AuditAction.CurationEdited, $"table:{Key}", new { respondent = answer.Respondent, field = "text" });
        return Redirect(PageLink(PageOf(answer.Respondent)) + "#a-" + answer.Respondent);
    }

    public async Task<IActionResult> OnPostRevertAsync(string? respondent)
    {
        if (!await LoadAsync()) return NotFound();
        if (Answers.All(a => a.Respondent != respondent)) return NotFound();
        var by = User.Identity?.Name ?? "";
        await store.UpdateAsync(e => e.RevertAnswer(Key, respondent!, by), HttpContext.RequestAborted);
        await HttpContext.AuditAsync(AuditAction.CurationReverted, $"table:{Key}", new { respondent, field = "text" });
        return Redirect(PageLink(PageOf(respondent!)) + "#a-" + respondent);
    }

    private string Here => $"/admin/report/answers/{Uri.EscapeDataString(Key)}";

    /// <summary>The page that shows a respondent's answer.</summary>
    private int PageOf(string respondent) =>
        Math.Max(0, Answers.FindIndex(a => a.Respondent == respondent)) / PageSize + 1;

    private async Task<bool> LoadAsync()
    {
        var part = ReportConsole.Part(console.Definition, Key, TableKind.Text);
        if (part is null) return false;
        var built = await report.BuildAsync(null, HttpContext.RequestAborted);
        Table = built.Document.Tables.FirstOrDefault(t => t.Key == Key);
        Answers = part.Table!.Items.SelectMany(c => built.Tabulation.Text(c).Answers).ToList();
        Curation = built.Edits.Curation.TryGetValue(Key, out var c) ? c : null;
        Choices = new ReportEditor(built.Edits).Choices(Key, Answers.Select(a => (a.Respondent, a.Text)));
        Log = built.Edits.Log.Where(l => l.Key == Key).Reverse().ToList();
        // "page" is Razor Pages' own route value: read it from the query string itself.
        PageNumber = Math.Clamp(int.TryParse(Request.Query["page"], out var n) ? n : 1, 1, Pages);
        return true;
    }
}

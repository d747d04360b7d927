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

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostSelectAsync(List<string>? selected, bool all = false)
    {
        if (!await LoadAsync()) return NotFound();
        var known = Answers.Select(a => a.Respondent).ToHashSet(StringComparer.Ordinal);
        var chosen = all ? null : (selected ?? []).Where(known.Contains).ToList();
        var by = User.Identity?.Name ?? "";
        await store.UpdateAsync(e => e.SelectAnswers(Key, chosen, by), HttpContext.RequestAborted);
        await HttpContext.AuditAsync(AuditAction.CurationSelected, $"table:{Key}", new { field = "selected", after = chosen });
        return Redirect(Here);
    }

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
        return Redirect(Here + "#a-" + answer.Respondent);
    }

    public async Task<IActionResult> OnPostRevertAsync(string? respondent)
    {
        if (!await LoadAsync()) return NotFound();
        if (Answers.All(a => a.Respondent != respondent)) return NotFound();
        var by = User.Identity?.Name ?? "";
        await store.UpdateAsync(e => e.RevertAnswer(Key, respondent!, by), HttpContext.RequestAborted);
        await HttpContext.AuditAsync(AuditAction.CurationReverted, $"table:{Key}", new { respondent, field = "text" });
        return Redirect(Here);
    }

    private string Here => $"/admin/report/answers/{Uri.EscapeDataString(Key)}";

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
        return true;
    }
}

using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Reports;

namespace Shirabe.Admin.Report;

/// <summary>Edits the narrative above one table; the edit keeps the fingerprint of the numbers it was written against.</summary>
public sealed partial class NarrativeModel(ConsoleReport report, ReportEditsStore store) : PageModel
{
    public const int MaxLength = 4000;

    [BindProperty(SupportsGet = true)] public string Key { get; set; } = "";
    public NarrativeBlock? Narrative { get; private set; }
    public TableBlock? Table { get; private set; }
    public string? Error { get; private set; }
    public bool Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(bool saved = false)
    {
        Saved = saved;
        return await LoadAsync() ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostSaveAsync(string? text, string? fingerprint)
    {
        if (!await LoadAsync()) return NotFound();
        text = (text ?? "").Replace("\r\n", "\n").Trim();
        if (fingerprint is null || !Fingerprint().IsMatch(fingerprint)) return BadRequest();
        if (text.Length == 0 || text.Length > MaxLength)
        {
            Error = $"本文は 1～{MaxLength:#,0} 文字で入力してください（下書きに戻すには「下書きに戻す」）。";
            return Page();
        }
        var draft = Narrative!.View.Draft;
        var by = User.Identity?.Name ?? "";
        await store.UpdateAsync(e => e.EditNarrative(Key, text, draft, fingerprint, by), HttpContext.RequestAborted);
        await HttpContext.AuditAsync(AuditAction.NarrativeEdited, $"table:{Key}", new { field = "narrative", fingerprint });
        return Redirect($"/admin/report/narrative/{Uri.EscapeDataString(Key)}?saved=true");
    }

    public async Task<IActionResult> OnPostRevertAsync()
    {
        if (!await LoadAsync()) return NotFound();
        var by = User.Identity?.Name ?? "";
        await store.UpdateAsync(e => e.RevertNarrative(Key, by), HttpContext.RequestAborted);
        await HttpContext.AuditAsync(AuditAction.NarrativeReverted, $"table:{Key}", new { field = "narrative" });
        return Redirect($"/admin/report/narrative/{Uri.EscapeDataString(Key)}");
    }

    private async Task<bool> LoadAsync()
    {
        var built = await report.BuildAsync(null, HttpContext.RequestAborted);
        Narrative = built.Document.Blocks.OfType<NarrativeBlock>().FirstOrDefault(n => n.Key == Key);
        Table = built.Document.Tables.FirstOrDefault(t => t.Key == Key);
        return Narrative is not null;
    }

    [GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial Regex Fingerprint();
}

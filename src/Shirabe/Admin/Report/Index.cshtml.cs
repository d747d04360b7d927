using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Reports;
using Shirabe.Reports;

namespace Shirabe.Admin.Report;

/// <summary>The report console: every table with its narrative (edited or drafted, flagged when stale), and downloads.</summary>
public sealed class IndexModel(ConsoleReport report, ReportJobs jobs) : PageModel
{
    public ConsoleReport.Built? Built { get; private set; }

    /// <summary>The previous wave the downloads are compared with (null: none).</summary>
    public string? ComparesWith => report.ComparesWith;

    /// <summary>Tables in report order, each with the narrative above it (if the layout drafts one).</summary>
    public List<(TableBlock Table, NarrativeBlock? Narrative)> Parts { get; } = [];

    public async Task OnGetAsync()
    {
        Built = await report.BuildAsync(null, HttpContext.RequestAborted);
        NarrativeBlock? pending = null;
        foreach (var block in Built.Document.Blocks)
        {
            if (block is NarrativeBlock n) pending = n;
            else if (block is TableBlock t && t.Kind is not (TableKind.Respondents or TableKind.Questionnaire))
            {
                Parts.Add((t, pending?.Key == t.Key ? pending : null));
                pending = null;
            }
        }
    }

    /// <summary>Starts making the report in the background; the job page shows progress and the download.</summary>
    public async Task<IActionResult> OnPostDownload(string format)
    {
        if (!Enum.TryParse<ReportFormat>(format, ignoreCase: true, out var f) || !Enum.IsDefined(f)
            || format.Any(char.IsDigit))
            return BadRequest();
        var job = jobs.Start(f, User.Identity?.Name ?? "", HttpContext.RequestServices.GetRequiredService<Surveys.CurrentSurvey>());
        // A report that is ready within a few seconds opens its page finished, without the page's 2-second refresh.
        await Task.WhenAny(job.Ended, Task.Delay(ReadyWithin, HttpContext.RequestAborted));
        return Redirect($"/admin/report/jobs/{job.Id}");
    }

    /// <summary>How long the button waits for the report before showing its progress page.</summary>
    public static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(3);
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shirabe.Admin.Report;

/// <summary>A report job's status; refreshes itself (meta refresh, no script) until the file is ready.</summary>
public sealed class JobModel(ReportJobs jobs) : PageModel
{
    public ReportJob? Job { get; private set; }

    public IActionResult OnGet(Guid id)
    {
        Job = jobs.Find(id);
        return Job is null ? NotFound() : Page();
    }
}

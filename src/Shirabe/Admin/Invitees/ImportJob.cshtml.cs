using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shirabe.Admin.Invitees;

/// <summary>A roster import's progress, reloading itself while it runs, then its summary or the file's problems (管理者 only).</summary>
public sealed class ImportJobModel(RosterImportJobs jobs) : PageModel
{
    public RosterImportJob? Job { get; private set; }

    public IActionResult OnGet(Guid id)
    {
        Job = jobs.Find(id);
        return Job is null ? NotFound() : Page();
    }
}

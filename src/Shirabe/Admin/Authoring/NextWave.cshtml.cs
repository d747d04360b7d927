using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core;
using Shirabe.Data;
using Shirabe.Surveys;

namespace Shirabe.Admin.Authoring;

/// <summary>
/// Starting the next wave of a survey as a copy of its latest version: a new id, title and period from the form, the
/// same series, `sameAs` dropped, the wave it came from recorded, a draft until published.
/// </summary>
public sealed class NextWaveModel(SurveyAuthoring authoring) : PageModel
{
    public SurveyRecord From { get; private set; } = null!;
    public Dictionary<string, string> Errors { get; private set; } = [];
    [BindProperty] public string? NewId { get; set; }
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? Opens { get; set; }
    [BindProperty] public string? Closes { get; set; }

    public async Task<IActionResult> OnGetAsync(string id)
    {
        if (await authoring.RecordAsync(id, HttpContext.RequestAborted) is not { } from) return NotFound();
        From = from;
        // A suggestion: the next year in the id, the title and the period, when they end in a year.
        var survey = await authoring.VersionsAsync(id, HttpContext.RequestAborted) is [var latest, ..] ? authoring.Parse(latest.Version) : null;
        NewId = NextYear(from.Id);
        Title = survey?.Title;
        Opens = survey?.Period.Opens.AddYears(1).ToString("yyyy-MM-dd");
        Closes = survey?.Period.Closes.AddYears(1).ToString("yyyy-MM-dd");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id)
    {
        var cancel = HttpContext.RequestAborted;
        if (await authoring.RecordAsync(id, cancel) is not { } from) return NotFound();
        From = from;
        Errors = await authoring.CheckNextWaveAsync(NewId, Title, Opens, Closes, cancel);
        if (Errors.Count == 0)
        {
            try
            {
                var stored = await authoring.NextWaveAsync(id, NewId!, Title!, SurveyAuthoring.ParseDate(Opens)!.Value,
                    SurveyAuthoring.ParseDate(Closes)!.Value, AdminAuth.UserId(User), cancel);
                await HttpContext.AuditAsync(AuditAction.SurveyNextWave, $"survey:{stored.Record.Id}",
                    new { from = id, version = stored.Version.Id });
                return Redirect($"/admin/surveys/{Uri.EscapeDataString(stored.Record.Id)}?done=created");
            }
            catch (UserError e)
            {
                Errors["form"] = e.Message;
            }
        }
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    /// <summary>sc3-2023 → sc3-2024: a trailing year plus one; otherwise nothing suggested.</summary>
    public static string? NextYear(string id) =>
        id.Length >= 4 && int.TryParse(id[^4..], out var year) && year is > 1900 and < 3000 ? id[..^4] + (year + 1) : null;
}

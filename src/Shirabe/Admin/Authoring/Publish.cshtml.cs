using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Surveys;

namespace Shirabe.Admin.Authoring;

/// <summary>
/// Before publishing a version: its diff with the previous wave (each item comparable or not, recorded at publish) and
/// with the version published now; POST publishes it. A wave with answers refuses a version that changes more than wording.
/// </summary>
public sealed class PublishModel(SurveyAuthoring authoring) : PageModel
{
    public SurveyRecord Record { get; private set; } = null!;
    public SurveyVersion Version { get; private set; } = null!;
    public Survey Survey { get; private set; } = null!;
    public SurveyVersion? Previous { get; private set; }
    public SurveyDiff? WaveDiff { get; private set; }
    public SurveyVersion? Published { get; private set; }
    public SurveyDiff? PublishedDiff { get; private set; }
    public string? Refused { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, int versionId) => await LoadAsync(id, versionId) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(string id, int versionId)
    {
        var cancel = HttpContext.RequestAborted;
        if (!await LoadAsync(id, versionId)) return NotFound();
        try
        {
            var version = await authoring.PublishAsync(id, versionId, cancel);
            await HttpContext.AuditAsync(AuditAction.SurveyPublished, $"survey:{id}",
                new { version = version.Number, versionId = version.Id, previous = Previous?.SurveyId, replaced = Published?.Number });
        }
        catch (UserError e)
        {
            Refused = e.Message;
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        return Redirect($"/admin/surveys/{Uri.EscapeDataString(id)}?done=published");
    }

    private async Task<bool> LoadAsync(string id, int versionId)
    {
        var cancel = HttpContext.RequestAborted;
        if (await authoring.RecordAsync(id, cancel) is not { } record || await authoring.VersionAsync(id, versionId, cancel) is not { } version)
            return false;
        Record = record;
        Version = version;
        var survey = Survey = authoring.Parse(version);
        Previous = await authoring.PreviousWaveAsync(record, cancel);
        if (Previous is not null) WaveDiff = SurveyDiff.Compare(authoring.Parse(Previous), survey);
        Published = await authoring.PublishedAsync(record, cancel);
        if (Published is not null && Published.Id != version.Id)
        {
            PublishedDiff = SurveyDiff.Compare(authoring.Parse(Published), survey);
            if (await authoring.HasAnswersAsync(id, cancel)) Refused = PublishedDiff.FrozenChangesMessage();
        }
        return true;
    }
}

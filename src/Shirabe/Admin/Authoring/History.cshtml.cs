using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Respond;
using Shirabe.Surveys;

namespace Shirabe.Admin.Authoring;

/// <summary>A survey's versions, newest first: who made each, when and why, whether published, and its diff with the version before.</summary>
public sealed class HistoryModel(SurveyAuthoring authoring) : PageModel
{
    public SurveyRecord Record { get; private set; } = null!;
    public List<VersionRow> Versions { get; private set; } = [];
    public string Phase { get; private set; } = "";
    public bool HasAnswers { get; private set; }
    public string? Done { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, string? done)
    {
        var cancel = HttpContext.RequestAborted;
        if (await authoring.RecordAsync(id, cancel) is not { } record) return NotFound();
        Record = record;
        Versions = await authoring.VersionsAsync(id, cancel);
        var published = Versions.FirstOrDefault(v => v.Version.Id == record.PublishedVersionId)?.Version;
        var served = published is null && Versions.Count > 0 && await authoring.HasInvitationsAsync(id, cancel) ? Versions[0].Version : null;
        Phase = authoring.PhaseLabel(published is null ? null : authoring.Parse(published), served is null ? null : authoring.Parse(served));
        HasAnswers = await authoring.HasAnswersAsync(id, cancel);
        Done = done switch
        {
            "published" => $"第{published?.Number}版を公開しました。",
            "created" => "次回の調査を下書きとして作成しました。文言を直し、プレビューで確かめてから公開してください。",
            "uploaded" => "調査票を登録しました。",
            "unchanged" => "同じ内容の版がすでにあるため、新しい版は作っていません。",
            _ => null,
        };
        return Page();
    }

    public Survey Parse(SurveyVersion version) => authoring.Parse(version);

    /// <summary>The version's diff with the one before it (null for the first).</summary>
    public SurveyDiff? DiffWithPrevious(int index) =>
        index + 1 < Versions.Count ? SurveyDiff.Compare(Parse(Versions[index + 1].Version), Parse(Versions[index].Version)) : null;

    public string FirstPage(SurveyVersion version) => FormPages.Of(Parse(version))[0].Path;

    public string Local(DateTime utc) => AuditLog.Local(utc);
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Respond;
using Shirabe.Surveys;

namespace Shirabe.Admin.Authoring;

/// <summary>
/// The wording editor (docs/decisions/054): one section's texts at a time (or the title and scales), each by its code;
/// 「プレビュー」 shows the section's pages as the respondent would see them with the edits, unsaved; 「保存」 stores
/// a new version whose YAML differs only in those texts (a wave with answers accepts nothing else).
/// </summary>
public sealed class EditModel(SurveyAuthoring authoring) : PageModel
{
    public const string FieldPrefix = "w:";

    public SurveyRecord Record { get; private set; } = null!;
    public SurveyVersion Version { get; private set; } = null!;
    public Survey Survey { get; private set; } = null!;
    public string Group { get; private set; } = "";
    public List<WordingField> Fields { get; private set; } = [];
    public Dictionary<string, string> Values { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }
    /// <summary>The edited definition, for the preview (null: no preview asked, or it has errors).</summary>
    public Survey? Edited { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, int versionId, string? group, int? saved)
    {
        if (!await LoadAsync(id, versionId, group)) return NotFound();
        if (saved is { } n) Done = $"第{n}版として保存しました。公開するまで回答画面は変わりません。";
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(string id, int versionId, string? group)
    {
        if (!await LoadAsync(id, versionId, group)) return NotFound();
        ReadForm();
        try
        {
            Edited = authoring.Preview(Version, Values);
        }
        catch (UserError e)
        {
            Fail(e.Message);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string id, int versionId, string? group, string? note)
    {
        var cancel = HttpContext.RequestAborted;
        if (!await LoadAsync(id, versionId, group)) return NotFound();
        ReadForm();
        try
        {
            var (stored, change) = await authoring.SaveWordingAsync(id, versionId, Values, AdminAuth.UserId(User), note, cancel);
            if (change == CatalogChange.Unchanged)
            {
                Done = "変更はありません（新しい版は作っていません）。";
                return Page();
            }
            var changed = Fields.Where(f => Values.TryGetValue(f.Path, out var v) && v.ReplaceLineEndings("\n") != f.Value).Select(f => f.Path);
            await HttpContext.AuditAsync(AuditAction.SurveyWordingSaved, $"survey:{id}",
                new { from = Version.Number, version = stored.Version.Number, versionId = stored.Version.Id, fields = changed });
            return Redirect($"/admin/surveys/{Uri.EscapeDataString(id)}/edit/{stored.Version.Id}/{Uri.EscapeDataString(Group)}?saved={stored.Version.Number}");
        }
        catch (UserError e)
        {
            Fail(e.Message);
            return Page();
        }
    }

    private void Fail(string message)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
    }

    private async Task<bool> LoadAsync(string id, int versionId, string? group)
    {
        var cancel = HttpContext.RequestAborted;
        if (await authoring.RecordAsync(id, cancel) is not { } record || await authoring.VersionAsync(id, versionId, cancel) is not { } version)
            return false;
        Record = record;
        Version = version;
        Survey = authoring.Parse(version);
        Group = group ?? Survey.Sections[0].Id;
        if (Group != SurveyText.CommonGroup && Survey.Sections.All(s => s.Id != Group)) return false;
        Fields = SurveyText.Fields(version.SurveyYaml).Where(f => f.Group == Group).ToList();
        Values = Fields.ToDictionary(f => f.Path, f => f.Value);
        return true;
    }

    /// <summary>This group's fields from the form (other paths are not this page's: ignored).</summary>
    private void ReadForm()
    {
        foreach (var f in Fields)
            if (Request.Form.TryGetValue(FieldPrefix + f.Path, out var value)) Values[f.Path] = value.ToString();
    }

    /// <summary>The pages the preview shows: the section's, or the first page for the title and scales.</summary>
    public IEnumerable<FormPage> PreviewPages(Survey survey) => FormPages.Of(survey) is var pages && Group == SurveyText.CommonGroup
        ? pages.Take(1) : pages.Where(p => p.Section.Id == Group);

    public string GroupLabel(string group) => group == SurveyText.CommonGroup ? "調査名・尺度"
        : $"{group} {Survey.Sections.First(s => s.Id == group).Title}";
}

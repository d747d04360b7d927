using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Respond;
using Shirabe.Surveys;

namespace Shirabe.Admin.Authoring;

/// <summary>
/// A stored version's form page as a respondent sees it (the respondent's own questions, Respond.SectionPage), with no link, no
/// answers and nothing saved: every page of every version can be checked before it is published.
/// </summary>
public sealed class PreviewModel(SurveyAuthoring authoring) : PageModel
{
    public SurveyVersion Version { get; private set; } = null!;
    public Survey Survey { get; private set; } = null!;
    public FormPage Current { get; private set; } = null!;
    public IReadOnlyList<FormPage> Pages { get; private set; } = [];
    public string BasePath => $"/admin/surveys/{Version.SurveyId}/preview/{Version.Id}";

    public async Task<IActionResult> OnGetAsync(string id, int versionId, string section, int? part)
    {
        if (await authoring.VersionAsync(id, versionId, HttpContext.RequestAborted) is not { } version) return NotFound();
        Version = version;
        Survey = authoring.Parse(version);
        Pages = FormPages.Of(Survey);
        var index = (part ?? 1) - 1;
        if (Pages.FirstOrDefault(p => p.Section.Id == section && p.Index == index) is not { } page) return NotFound();
        Current = page;
        return Page();
    }
}

/// <summary>
/// A form page for the preview: no answers, no errors. Every item is rendered: a skip rule on this page still hides
/// and shows its items as the respondent answers (respond.js); one on earlier pages counts as met, so its items can be read.
/// </summary>
public sealed class PreviewQuestions(FormPage page) : IQuestionsView
{
    public FormPage FormPage => page;
    public string Value(string column) => "";
    public bool IsChosen(string column, int code) => false;
    public string? ErrorOf(Item item) => null;

    public (bool Render, string? Items, string? Codes, bool MetBefore) Visibility(Item item)
    {
        if (item.ShowIf is not { } rule) return (true, null, null, false);
        var (items, codes) = page.ShowIfOnPage(item);
        return items is null ? (true, null, null, true) : (true, items, codes, rule.Items.Any(i => !page.Items.Contains(i)));
    }
}

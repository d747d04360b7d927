using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Surveys;

namespace Shirabe.Admin.Authoring;

/// <summary>Every stored survey with its series, versions, phase and counts; 管理者 may upload one or start a next wave.</summary>
public sealed class IndexModel(SurveyAuthoring authoring) : PageModel
{
    public List<SurveyListRow> Rows { get; private set; } = [];

    /// <summary>Only the surveys of the user's series (docs/decisions/060).</summary>
    public async Task OnGetAsync() => Rows = (await authoring.ListAsync(HttpContext.RequestAborted))
        .Where(r => AdminAuth.SeesSeries(User, r.Record.SeriesId)).ToList();
}

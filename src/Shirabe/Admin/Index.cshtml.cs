using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Admin;

/// <summary>
/// The fieldwork page: counts per status (invited, mailed, failed, opened, in progress, submitted, invalid), the
/// response rate over time, and the invited associations, searched,
/// filtered, sorted and paged by the database (?q=&amp;status=&amp;sort=&amp;dir=&amp;page=&amp;size=).
/// </summary>
public sealed class IndexModel(Roster roster, Survey survey, ConsoleSurvey console, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")] public string? Search { get; set; }
    [BindProperty(SupportsGet = true, Name = "status")] public string? StatusText { get; set; }
    [BindProperty(SupportsGet = true, Name = "sort")] public string? SortText { get; set; }
    [BindProperty(SupportsGet = true, Name = "dir")] public string? DirText { get; set; }
    [BindProperty(SupportsGet = true, Name = "size")] public int? Size { get; set; }

    public RosterQuery Query { get; private set; } = RosterQuery.From(null, null, null, null, null, null, false);
    public List<RosterRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public FieldworkCounts Counts { get; private set; } = null!;
    public SurveyPhase Phase { get; private set; }
    public ResponseRateChart Chart { get; private set; } = null!;

    public int Invited => Counts.Invited;
    /// <summary>Valid responses: submitted, with or without unsent changes (invalid ones are not counted).</summary>
    public int Submitted => Counts.Submitted;
    public decimal Rate => Counts.Rate;
    public int Pages => Math.Max(1, (Total + Query.PageSize - 1) / Query.PageSize);

    public async Task OnGetAsync()
    {
        var cancel = HttpContext.RequestAborted;
        // "page" is Razor Pages' own route value: read it from the query string itself.
        int? page = int.TryParse(Request.Query["page"], out var n) ? n : null;
        Query = RosterQuery.From(Search, StatusText, SortText, DirText, page, Size, console.HasCategory);
        Phase = survey.Period.PhaseAt(clock.GetUtcNow());
        Counts = await roster.CountsAsync(cancel);
        (Rows, Total) = await roster.PageAsync(Query, Counts, cancel);
        if (Query.Page > Pages) // past the end (the list shrank): show the last page
        {
            Query = Query with { Page = Pages };
            (Rows, Total) = await roster.PageAsync(Query, Counts, cancel);
        }
        Chart = ResponseRateChart.Build(survey.Period, clock.GetUtcNow(), await roster.FirstSubmissionsAsync(cancel), Invited);
    }

    /// <summary>The list's address with some parameters changed (null removes one); defaults are left out.</summary>
    public string Link(string? q = "", string? status = "", string? sort = "", string? dir = "", int? page = 0, int? size = 0, string path = "/admin")
    {
        var parts = new List<string>();
        void Add(string name, string? value) { if (!string.IsNullOrEmpty(value)) parts.Add(name + "=" + Uri.EscapeDataString(value)); }
        Add("q", q == "" ? Query.Search : q);
        Add("status", status == "" ? Query.FilterText : status);
        var s = sort == "" ? Query.Sort : sort;
        Add("sort", s == "code" ? null : s);
        Add("dir", dir == "" ? (Query.Descending ? "desc" : null) : dir);
        var p = page == 0 ? Query.Page : page;
        Add("page", p is null or 1 ? null : p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var z = size == 0 ? Query.PageSize : size;
        Add("size", z is null || z == RosterQuery.PageSizes[0] ? null : z.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return parts.Count == 0 ? path : path + "?" + string.Join("&", parts);
    }

    /// <summary>A column header's link: sorts by it, ascending first, the other way when it is the current sort.</summary>
    public string SortLink(string key) => Link(sort: key, dir: Query.Sort == key && !Query.Descending ? "desc" : null, page: null);

    public string? AriaSort(string key) => Query.Sort == key ? (Query.Descending ? "descending" : "ascending") : null;
}

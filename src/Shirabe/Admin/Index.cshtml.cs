using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Admin;

/// <summary>
/// Fieldwork progress: counts per status, the response rate over time, and the invited associations, searched,
/// filtered, sorted and paged by the database (?q=&amp;status=&amp;sort=&amp;dir=&amp;page=&amp;size=).
/// </summary>
public sealed class IndexModel(Roster roster, Survey survey, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")] public string? Search { get; set; }
    [BindProperty(SupportsGet = true, Name = "status")] public string? StatusText { get; set; }
    [BindProperty(SupportsGet = true, Name = "sort")] public string? SortText { get; set; }
    [BindProperty(SupportsGet = true, Name = "dir")] public string? DirText { get; set; }
    [BindProperty(SupportsGet = true, Name = "size")] public int? Size { get; set; }

    public RosterQuery Query { get; private set; } = RosterQuery.From(null, null, null, null, null, null);
    public List<RosterRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public Dictionary<FieldworkStatus, int> Counts { get; private set; } = [];
    public SurveyPhase Phase { get; private set; }
    public ResponseRateChart Chart { get; private set; } = null!;

    public int Invited => Counts.Values.Sum();
    /// <summary>Responses: submitted, with or without unsent changes.</summary>
    public int Submitted => Counts[FieldworkStatus.Submitted] + Counts[FieldworkStatus.Editing];
    public decimal Rate => Invited == 0 ? 0 : Core.Tabulation.Percent.Of(Submitted, Invited);
    public int Pages => Math.Max(1, (Total + Query.PageSize - 1) / Query.PageSize);

    public async Task OnGetAsync()
    {
        var cancel = HttpContext.RequestAborted;
        // "page" is Razor Pages' own route value: read it from the query string itself.
        int? page = int.TryParse(Request.Query["page"], out var n) ? n : null;
        Query = RosterQuery.From(Search, StatusText, SortText, DirText, page, Size);
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
        Add("status", status == "" ? Query.Status?.ToString().ToLowerInvariant() : status);
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

/// <summary>Submissions per day and the cumulative response rate against the invited, drawn as SVG on the page.</summary>
public sealed record ResponseRateChart(IReadOnlyList<ResponseRateChart.Day> Days, int MaxPerDay, int Invited)
{
    public sealed record Day(DateOnly Date, int Submitted, int Cumulative, decimal Rate);

    public const int Width = 640, Height = 220, Left = 44, Right = 48, Top = 12, Bottom = 28;
    public int PlotWidth => Width - Left - Right;
    public int PlotHeight => Height - Top - Bottom;

    /// <summary>From the opening to today (or the close, if earlier); submissions before the opening count on day one.</summary>
    public static ResponseRateChart Build(SurveyPeriod period, DateTimeOffset now, IEnumerable<DateTime> firstSubmissions, int invited)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, period.TimeZone).DateTime);
        var last = today < period.Closes ? today : period.Closes;
        if (last < period.Opens) last = period.Opens;
        var perDay = firstSubmissions
            .Select(t => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)), period.TimeZone).DateTime))
            .Select(d => d < period.Opens ? period.Opens : d > last ? last : d)
            .GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count());
        var days = new List<Day>();
        var cumulative = 0;
        for (var d = period.Opens; d <= last; d = d.AddDays(1))
        {
            var n = perDay.GetValueOrDefault(d);
            cumulative += n;
            days.Add(new Day(d, n, cumulative, invited == 0 ? 0 : Core.Tabulation.Percent.Of(cumulative, invited)));
        }
        return new ResponseRateChart(days, Math.Max(1, days.Count == 0 ? 1 : days.Max(x => x.Submitted)), invited);
    }

    /// <summary>A round top for the bars' axis (1, 2, 5, 10, 20, …).</summary>
    public int AxisMax => Nice(MaxPerDay);

    private static int Nice(int max)
    {
        for (var m = 1; ; m *= 10)
            foreach (var step in new[] { 1, 2, 5 })
                if (step * m >= max) return step * m;
    }

    public double X(int index) => Left + (index + 0.5) * PlotWidth / Math.Max(1, Days.Count);
    public double BarWidth => Math.Max(1, PlotWidth / (double)Math.Max(1, Days.Count) * 0.7);
    public double BarY(int n) => Top + PlotHeight - (double)n / AxisMax * PlotHeight;
    public double RateY(decimal rate) => Top + PlotHeight - (double)rate / 100 * PlotHeight;

    public string RateLine => string.Join(" ", Days.Select((d, i) =>
        FormattableString.Invariant($"{X(i):0.#},{RateY(d.Rate):0.#}")));

    public static string F(double v) => v.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}

using Shirabe.Core.Questionnaire;

namespace Shirabe.Admin;

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
        var today = DateOnly.FromDateTime(period.ToLocal(now.UtcDateTime).DateTime);
        var last = today < period.Closes ? today : period.Closes;
        if (last < period.Opens) last = period.Opens;
        var perDay = firstSubmissions
            .Select(t => DateOnly.FromDateTime(period.ToLocal(t).DateTime))
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

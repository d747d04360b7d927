using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;
using ScottPlot;

namespace Shirabe.Reports;

/// <summary>
/// Charts of the report, drawn with ScottPlot (docs/decisions/011-charts.md): horizontal bars for single and multiple
/// choice, 100% stacked horizontal bars for matrices, grouped bars (two waves in percent) for the wave comparison. The scale points are a sequential blue ramp (light → dark, so
/// order survives greyscale and colour-blindness), 無回答 is white with grey hatching, and every segment carries its
/// value, so no reading depends on colour.
/// </summary>
public static partial class Charts
{
    public const string FontFamily = "IPAexGothic";
    public const int Width = 820;

    /// <summary>Okabe–Ito blue for single series; a ColorBrewer "Blues" ramp for ordered scales.</summary>
    private static readonly Color BarColor = Color.FromHex("#0072B2");
    private static readonly Color[] Ramp = [Color.FromHex("#C6DBEF"), Color.FromHex("#6BAED6"), Color.FromHex("#08519C"), Color.FromHex("#08306B")];
    private static readonly Color NoAnswerColor = Color.FromHex("#FFFFFF");
    private static readonly Color Ink = Color.FromHex("#222222");
    /// <summary>The grey of 無回答's hatching, in the bars and in the legend key.</summary>
    public static readonly Color HatchColor = Color.FromHex("#999999");

    private static readonly Lock FontGate = new();

    /// <summary>What a figure shows, from the same tabulation as its table.</summary>
    public static Chart From(FigureSpec figure, TableSpec table, SurveyTabulation tab)
    {
        if (figure.Chart == ChartKind.Stacked)
        {
            var rows = table.Items.Select(c => (ChoiceTable)tab[c]).ToList();
            var points = rows[0].Item.Options;
            var ns = rows.Select(r => r.N).Distinct().Count();
            var categories = rows.Select(r => r.Item.ReportLabel + (ns > 1 ? $"（n={r.N}）" : "")).ToList();
            var series = points.Select(p => Series(p.ReportLabel, rows.Select(r => r.Options.First(o => o.Option.Code == p.Code).Percent)))
                .Append(Series(ReportBuilder.NoAnswer, rows.Select(r => r.NoAnswer.Percent))).ToList();
            return new Chart(ChartKind.Stacked, figure.Caption, categories, series, ns == 1 ? $"n={rows[0].N}" : "n は項目ごと");
        }
        var t = (ChoiceTable)tab[table.Item!];
        var mentions = table.Base == TableBase.Mentions && t.Mentions is not null;
        var options = t.Options.Where(o => !table.HideZero || o.Count > 0).ToList();
        var cats = options.Select(o => o.Option.ReportLabel).ToList();
        var values = options.Select(o => (decimal)o.Count).ToList();
        var labels = options.Select(o => $"{o.Count}（{Format.Percent(mentions ? o.PercentOfMentions ?? 0 : o.Percent)}）").ToList();
        if (t.Mentions is null)
        {
            cats.Add(ReportBuilder.NoAnswer);
            values.Add(t.NoAnswer.Count);
            labels.Add($"{t.NoAnswer.Count}（{Format.Percent(t.NoAnswer.Percent)}）");
        }
        var nLabel = mentions ? $"n={t.N}（回答数 {t.Mentions}）" : $"n={t.N}";
        return new Chart(ChartKind.Bar, figure.Caption, cats, [new ChartSeries("件数", values, labels)], nLabel);
    }

    /// <summary>A stacked series: a segment's percent is printed on it when there is room (6% or more).</summary>
    internal static ChartSeries Series(string name, IEnumerable<decimal> percents)
    {
        var v = percents.ToList();
        return new ChartSeries(name, v, v.Select(p => p >= 6m ? Format.Percent(p) : "").ToList());
    }

    public static int Height(Chart chart) => chart.Kind switch
    {
        ChartKind.Stacked => 110 + chart.Categories.Sum(c => 22 + 16 * Wrap(c).Count(ch => ch == '\n'))+ 26 * chart.Categories.Count,
        ChartKind.Grouped => 110 + chart.Categories.Sum(c => 16 * Wrap(c).Count(ch => ch == '\n')) + 26 * chart.Series.Count * chart.Categories.Count,
        _ => 80 + chart.Categories.Sum(c => 16 * Wrap(c).Count(ch => ch == '\n')) + 34 * chart.Categories.Count,
    };

    /// <summary>PNG for Word and Excel (2× for print sharpness).</summary>
    public static byte[] Png(Chart chart)
    {
        lock (FontGate)
        {
            var plot = Draw(chart);
            plot.ScaleFactor = 2;
            return plot.GetImageBytes(Width * 2, Height(chart) * 2, ImageFormat.Png);
        }
    }

    /// <summary>
    /// <see cref="Svg(Chart, string)"/> drawn once per chart content and prefix when <paramref name="drawn"/> is given
    /// (the console keeps one per tabulation: docs/decisions/071).
    /// </summary>
    public static string Svg(Chart chart, string idPrefix, System.Collections.Concurrent.ConcurrentDictionary<string, string>? drawn) =>
        drawn is null ? Svg(chart, idPrefix) : drawn.GetOrAdd(ContentKey(chart, idPrefix), _ => Svg(chart, idPrefix));

    /// <summary>Everything a chart's picture depends on, as text.</summary>
    private static string ContentKey(Chart chart, string idPrefix)
    {
        var key = new StringBuilder().Append(idPrefix).Append('\0').Append(chart.Kind).Append('\0').Append(chart.Title)
            .Append('\0').Append(chart.NLabel).Append('\0').AppendJoin('\u001f', chart.Categories);
        foreach (var s in chart.Series)
            key.Append('\0').Append(s.Name).Append('\u001e').AppendJoin('\u001f', s.Values).Append('\u001e').AppendJoin('\u001f', s.Labels);
        return key.ToString();
    }

    /// <summary>
    /// SVG for HTML and PDF. Skia writes some kanji as look-alike Kangxi radicals (一 → U+2F00), which breaks search
    /// and copy; they are mapped back to the unified ideographs. Ids are prefixed so several charts can share a page.
    /// </summary>
    public static string Svg(Chart chart, string idPrefix)
    {
        string svg;
        lock (FontGate) svg = Draw(chart).GetSvgXml(Width, Height(chart));
        svg = FixLookAlikes(FixRadicals(XmlText.Clean(svg)), chart);
        svg = Hatch(svg);
        svg = IdAttribute().Replace(svg, m => $"id=\"{idPrefix}{m.Groups[1].Value}\"");
        svg = UrlReference().Replace(svg, m => $"url(#{idPrefix}{m.Groups[1].Value})");
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start > 0) svg = svg[start..];
        // A viewBox lets the page scale the chart to its column instead of clipping it.
        var h = Height(chart);
        return Compact(svg.Replace($"width=\"{Width}\" height=\"{h}\">", $"width=\"{Width}\" height=\"{h}\" viewBox=\"0 0 {Width} {h}\" role=\"img\">"));
    }

    /// <summary>
    /// Skia writes coordinates to six or more digits (each glyph of a label is placed) and indents every element: the
    /// coordinates inside tags keep one decimal (a tenth of a pixel at 820 px) and the indentation goes, which more than
    /// halves a chart (a console page shows many). Text between tags is trimmed, as SVG's whitespace rules would.
    /// </summary>
    internal static string Compact(string svg)
    {
        svg = Tag().Replace(svg, tag => LongDecimal().Replace(tag.Value, "$1"));
        svg = TextContent().Replace(svg, ">$1<");
        svg = BetweenTags().Replace(svg, "><").Replace(" stroke-miterlimit=\"4\"", ""); // 4 is SVG's default
        // Every label names the same font: said once on the root, which the texts inherit.
        var fonts = FontFamilyAttribute().Matches(svg).Select(m => m.Value).Distinct().ToList();
        if (fonts.Count != 1) return svg;
        var open = svg.IndexOf("<svg ", StringComparison.Ordinal);
        return svg.Replace(fonts[0], "").Insert(open + 4, fonts[0]);
    }

    [GeneratedRegex(" font-family=\"[^\"]*\"")]
    private static partial Regex FontFamilyAttribute();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?<![\w.])(-?\d+\.\d)\d+")]
    private static partial Regex LongDecimal();

    [GeneratedRegex(@">\s+([^<]*?)\s+<")]
    private static partial Regex TextContent();

    [GeneratedRegex(@">\s+<")]
    private static partial Regex BetweenTags();

    /// <summary>
    /// Skia's SVG output drops the hatching (a shader it cannot write) and leaves an empty &lt;defs/&gt; before the white
    /// fill of each 無回答 segment and key: those fills get an SVG pattern of the same stripes.
    /// </summary>
    private static string Hatch(string svg)
    {
        if (!HatchedFill().IsMatch(svg)) return svg;
        var hatched = HatchedFill().Replace(svg, "<rect fill=\"url(#hatch)\"");
        var open = hatched.IndexOf('>', hatched.IndexOf("<svg", StringComparison.Ordinal)) + 1;
        var grey = HatchColor.ToHex()[..7];
        var pattern = "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\">"
            + "<rect width=\"6\" height=\"6\" fill=\"white\"/><rect width=\"3\" height=\"6\" fill=\"" + grey + "\"/></pattern></defs>";
        return hatched.Insert(open, pattern);
    }

    [GeneratedRegex(@"<defs/>\s*<rect fill=""white""")]
    private static partial Regex HatchedFill();

    /// <summary>Kangxi radicals (U+2F00–U+2FD5) and CJK radical supplements → their unified ideographs (NFKC of that character only).</summary>
    public static string FixRadicals(string text)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '\u2E80' and <= '\u2FD5')
            {
                var n = c.ToString().Normalize(NormalizationForm.FormKC);
                if (n.Length == 1 && n[0] != c)
                {
                    sb ??= new StringBuilder(text, 0, i, text.Length);
                    sb.Append(n);
                    continue;
                }
            }
            sb?.Append(c);
        }
        return sb?.ToString() ?? text;
    }

    /// <summary>
    /// Characters that share a glyph with another in the CJK fonts (〜 U+301C / ～ U+FF5E, ‐ / -), which Skia may
    /// write back as the wrong one: where the chart's own labels use only one of a pair, that one is restored.
    /// </summary>
    private static string FixLookAlikes(string svg, Chart chart)
    {
        var used = new HashSet<char>(chart.Categories.Concat(chart.Series.Select(s => s.Name)).Append(chart.NLabel).SelectMany(c => c));
        foreach (var (a, b) in LookAlikes)
        {
            if (used.Contains(a) && !used.Contains(b)) svg = svg.Replace(b, a);
            else if (used.Contains(b) && !used.Contains(a)) svg = svg.Replace(a, b);
        }
        return svg;
    }

    private static readonly (char, char)[] LookAlikes = [('\uFF5E', '\u301C'), ('\u2010', '\u2011'), ('\uFF0D', '\u2212')];

    [GeneratedRegex("id=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();

    [GeneratedRegex(@"url\(#([^)]+)\)")]
    private static partial Regex UrlReference();

    /// <summary>Breaks a long Japanese label into lines of at most <paramref name="width"/> characters (its own line breaks kept).</summary>
    public static string Wrap(string label, int width = 20)
    {
        if (label.Contains('\n')) return string.Join('\n', label.Split('\n').Select(l => Wrap(l, width)));
        if (label.Length <= width) return label;
        var sb = new StringBuilder();
        for (var i = 0; i < label.Length; i += width)
        {
            if (i > 0) sb.Append('\n');
            sb.Append(label, i, Math.Min(width, label.Length - i));
        }
        return sb.ToString();
    }

    private static Plot Draw(Chart chart)
    {
        Fonts.Default = FontFamily; // before the plot is created, or Japanese renders as boxes
        var plot = new Plot();
        plot.FigureBackground.Color = Colors.White;
        plot.Axes.Title.Label.Text = chart.NLabel;
        plot.Axes.Title.Label.FontSize = 13;
        plot.Axes.Title.Label.Bold = false;
        plot.Axes.Title.Label.Alignment = Alignment.UpperRight;
        var n = chart.Categories.Count;
        // Categories from the top down, as the table lists them.
        double Pos(int i) => n - 1 - i;
        if (chart.Kind == ChartKind.Stacked) DrawStacked(plot, chart, Pos);
        else if (chart.Kind == ChartKind.Grouped) DrawGrouped(plot, chart, Pos);
        else DrawBars(plot, chart, Pos);

        var ticks = Enumerable.Range(0, n).Select(i => Pos(i)).ToArray();
        plot.Axes.Left.SetTicks(ticks, chart.Categories.Select(c => Wrap(c)).ToArray());
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Right.FrameLineStyle.Width = 0;
        plot.Axes.Right.MinimumSize = 36; // room for the last tick label ("100%") and value labels
        plot.Axes.Top.FrameLineStyle.Width = 0;
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
        plot.Grid.XAxisStyle.MajorLineStyle.Color = Color.FromHex("#DDDDDD");
        return plot;
    }

    private static void DrawBars(Plot plot, Chart chart, Func<int, double> pos)
    {
        var s = chart.Series[0];
        var bars = s.Values.Select((v, i) => new Bar
        {
            Position = pos(i),
            Value = (double)v,
            FillColor = BarColor,
            LineWidth = 0,
            Label = s.Labels[i],
            Size = 0.6,
        }).ToList();
        var bp = plot.Add.Bars(bars);
        bp.Horizontal = true;
        bp.ValueLabelStyle.FontSize = 12;
        bp.ValueLabelStyle.ForeColor = Ink;
        var max = (double)Math.Max(1, s.Values.Count == 0 ? 1 : s.Values.Max());
        plot.Axes.SetLimitsX(0, max * 1.35);
        plot.Axes.SetLimitsY(-0.6, chart.Categories.Count - 0.4);
        plot.Axes.Bottom.Label.Text = "件数";
        plot.Axes.Bottom.Label.FontSize = 12;
        // Counts are whole numbers: integer ticks only.
        var step = Math.Max(1, (int)Math.Ceiling(max * 1.3 / 8));
        var ticks = Enumerable.Range(0, (int)(max * 1.3 / step) + 1).Select(k => (double)(k * step)).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>
    /// Two waves side by side per category, in percent (their n differ): this wave in the single-series blue on top, the
    /// previous wave below in a light blue, so the pair reads in greyscale too; every bar carries its percent.
    /// </summary>
    private static void DrawGrouped(Plot plot, Chart chart, Func<int, double> pos)
    {
        Color[] fills = [BarColor, Ramp[1]];
        var count = chart.Series.Count;
        var size = 0.8 / count;
        for (var si = 0; si < count; si++)
        {
            var s = chart.Series[si];
            var fill = fills[Math.Min(si, fills.Length - 1)];
            var offset = 0.4 - size * (si + 0.5); // the first series on top
            var bars = s.Values.Select((v, i) => new Bar
            {
                Position = pos(i) + offset,
                Value = (double)v,
                FillColor = fill,
                LineWidth = 0,
                Label = s.Labels[i],
                Size = size * 0.9,
            }).ToList();
            var bp = plot.Add.Bars(bars);
            bp.Horizontal = true;
            bp.ValueLabelStyle.FontSize = 11;
            bp.ValueLabelStyle.ForeColor = Ink;
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = s.Name, FillColor = fill, OutlineWidth = 0 });
        }
        var max = (double)Math.Max(1m, chart.Series.SelectMany(s => s.Values).DefaultIfEmpty(1m).Max());
        var top = Math.Min(100, Math.Ceiling(max * 1.3 / 10) * 10);
        plot.Axes.SetLimitsX(0, Math.Max(top, max * 1.25));
        plot.Axes.SetLimitsY(-0.6, chart.Categories.Count - 0.4);
        var ticks = Enumerable.Range(0, (int)(top / 10) + 1).Select(k => k * 10.0).Where(t => t <= top).ToArray();
        if (ticks.Length > 6) ticks = ticks.Where((_, k) => k % 2 == 0).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(t => t.ToString(CultureInfo.InvariantCulture) + "%").ToArray());
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.FontSize = 13;
    }

    private static void DrawStacked(Plot plot, Chart chart, Func<int, double> pos)
    {
        var points = chart.Series.Count - 1; // the last series is 無回答
        var cumulative = new double[chart.Categories.Count];
        for (var si = 0; si < chart.Series.Count; si++)
        {
            var s = chart.Series[si];
            var noAnswer = si == points;
            var fill = noAnswer ? NoAnswerColor : Ramp[Math.Min(Ramp.Length - 1, (int)Math.Round((double)si * (Ramp.Length - 2) / Math.Max(1, points - 1)))];
            var dark = !noAnswer && si * 2 >= points; // the darker half of the ramp takes white text
            var bars = new List<Bar>();
            for (var i = 0; i < s.Values.Count; i++)
            {
                var v = (double)s.Values[i];
                bars.Add(new Bar
                {
                    Position = pos(i),
                    ValueBase = cumulative[i],
                    Value = cumulative[i] + v,
                    FillColor = fill,
                    FillHatch = noAnswer ? new ScottPlot.Hatches.Striped() : null,
                    FillHatchColor = HatchColor,
                    LineColor = Color.FromHex("#555555"),
                    LineWidth = 0.5f,
                    Label = s.Labels[i],
                    CenterLabel = true,
                    Size = 0.62,
                });
                cumulative[i] += v;
            }
            var bp = plot.Add.Bars(bars);
            bp.Horizontal = true;
            // A legend key of its own: the bars' automatic key is their fill colour alone, so 無回答 (white, hatched) had no visible swatch.
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = s.Name,
                FillColor = fill,
                FillHatch = noAnswer ? new ScottPlot.Hatches.Striped() : null,
                FillHatchColor = HatchColor,
                OutlineColor = Color.FromHex("#555555"),
                OutlineWidth = 1,
            });
            bp.ValueLabelStyle.FontSize = 10.5f;
            bp.ValueLabelStyle.ForeColor = dark ? Colors.White : Ink;
            if (noAnswer)
            {
                bp.ValueLabelStyle.BackgroundColor = Colors.White;
            }
        }
        plot.Axes.SetLimitsX(0, 100);
        plot.Axes.SetLimitsY(-0.6, chart.Categories.Count - 0.4);
        double[] ticks = [0, 20, 40, 60, 80, 100];
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(t => t.ToString(CultureInfo.InvariantCulture) + "%").ToArray());
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.FontSize = 13;
    }
}

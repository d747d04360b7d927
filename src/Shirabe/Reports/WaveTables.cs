using System.Globalization;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Tabulation;

namespace Shirabe.Reports;

/// <summary>
/// The wave comparison (前回比較, docs/decisions/046): the report's choice and matrix tables again, this wave's results
/// beside the previous wave's, each wave from its own tabulation, rows matched through the definition diff (code or
/// `sameAs`). Items the diff finds not comparable are footnoted with the reason, or left out. Pure: reads only the
/// report layout, this wave's tabulation and the <see cref="WaveComparison"/> (the console can call it the same way).
/// </summary>
public static class WaveTables
{
    /// <summary>What the comparison part prints: numbered tables and figures (continuing the report's numbering) and the footnotes.</summary>
    public static List<Block> Build(ReportPart part, ComparisonSpec spec, ReportDefinition def, SurveyTabulation tab, WaveComparison wave,
        ref int tableNo, ref int figureNo)
    {
        var current = Fill(spec.Current, tab.Survey, wave.Previous.Survey);
        var previous = Fill(spec.Previous, tab.Survey, wave.Previous.Survey);
        var blocks = new List<Block>();
        var notes = new List<string>();
        foreach (var (table, codes) in Units(spec, def, tab.Survey))
        {
            var caption = Fill(spec.Caption.Replace("{caption}", table.Caption), tab.Survey, wave.Previous.Survey);
            var key = $"{part.Key}:{string.Join("+", codes)}";
            TableBlock? block;
            Chart? chart;
            if (table.Kind == TableKind.Choice)
            {
                var t = (ChoiceTable)tab[codes[0]];
                if (wave.TableFor(t.Item) is not ChoiceTable p)
                {
                    if (spec.Footnote) notes.Add(Footnote(table.Caption, null, t.Item, wave));
                    continue;
                }
                (block, chart) = Choice(table, t, p, wave, current, previous, caption, key);
            }
            else
            {
                var rows = new List<(ChoiceTable Now, ChoiceTable Before)>();
                foreach (var code in codes)
                {
                    var t = (ChoiceTable)tab[code];
                    if (wave.TableFor(t.Item) is ChoiceTable p) rows.Add((t, p));
                    else if (spec.Footnote) notes.Add(Footnote(table.Caption, t.Item.ReportLabel, t.Item, wave));
                }
                if (rows.Count == 0) continue;
                (block, chart) = Matrix(table, rows, wave, current, previous, caption, key);
            }
            if (spec.Tables)
            {
                var n = ++tableNo;
                blocks.Add(block with { Label = $"表 {def.Chapter}-{n}", Number = n });
            }
            if (spec.Figures)
            {
                var n = ++figureNo;
                blocks.Add(new FigureBlock(key, $"図 {def.Chapter}-{n}", n, caption, chart, block.Basis));
            }
        }
        if (notes.Count > 0) blocks.Add(new NotesBlock(null, notes) { InWorkbook = true });
        return blocks;
    }

    /// <summary>{currentYear}, {previousYear} (the year each wave opened), {currentTitle}, {previousTitle}.</summary>
    public static string Fill(string text, Survey current, Survey previous) => text
        .Replace("{currentYear}", current.Period.Opens.Year.ToString(CultureInfo.InvariantCulture))
        .Replace("{previousYear}", previous.Period.Opens.Year.ToString(CultureInfo.InvariantCulture))
        .Replace("{currentTitle}", current.Title)
        .Replace("{previousTitle}", previous.Title);

    /// <summary>
    /// The report's choice and matrix tables that the comparison names (all when it names none), each once, with the
    /// items it compares: a matrix table's rows named by item code, or all of them when named by table or question.
    /// </summary>
    private static IEnumerable<(TableSpec Table, IReadOnlyList<string> Codes)> Units(ComparisonSpec spec, ReportDefinition def, Survey survey)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var whole = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in spec.Items)
        {
            if (survey.TryGetItem(code, out _)) wanted.Add(code);
            else if (survey.Questions.FirstOrDefault(q => q.Code == code) is { } q)
                foreach (var i in q.Items) { wanted.Add(i.Code); whole.Add(i.Code); }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in def.Parts.Where(p => p.Comparison is null).Select(p => p.Table).OfType<TableSpec>())
        {
            if (table.Kind is not (TableKind.Choice or TableKind.Matrix) || !seen.Add(string.Join("+", table.Items))) continue;
            if (spec.Items.Count == 0) yield return (table, table.Items);
            else if (table.Items.Any(wanted.Contains))
                yield return (table, table.Items.Any(whole.Contains) ? table.Items : table.Items.Where(wanted.Contains).ToList());
        }
    }

    private static (TableBlock, Chart) Choice(TableSpec spec, ChoiceTable now, ChoiceTable before, WaveComparison wave,
        string current, string previous, string caption, string key)
    {
        var item = now.Item;
        var header = new[]
        {
            new HeaderCell[] { new(""), new(current, 2), new(previous, 2) },
            [new(spec.Header ?? "回答"), new("件数"), new("割合"), new("件数"), new("割合")],
        };
        var rows = new List<Row>();
        var categories = new List<string>();
        var nowValues = new List<decimal>();
        var beforeValues = new List<decimal>();
        foreach (var o in now.Options)
        {
            // Comparable: every option has its row in the previous wave (renamed ones through sameAs).
            var b = wave.PreviousRow(item, before, o.Option.Code)!;
            if (spec.HideZero && o.Count == 0 && b.Count == 0) continue;
            rows.Add(new Row([Cell.Of(o.Option.ReportLabel), Cell.Count(o.Count), Cell.Percent(o.Percent), Cell.Count(b.Count), Cell.Percent(b.Percent)]));
            categories.Add(o.Option.ReportLabel);
            nowValues.Add(o.Percent);
            beforeValues.Add(b.Percent);
        }
        rows.Add(new Row([Cell.Of(ReportBuilder.NoAnswer), Cell.Count(now.NoAnswer.Count), Cell.Percent(now.NoAnswer.Percent),
            Cell.Count(before.NoAnswer.Count), Cell.Percent(before.NoAnswer.Percent)]));
        if (now.Mentions is null)
        {
            // As the report's own bar chart: 無回答 is a bar of a single choice, not of a multiple one.
            categories.Add(ReportBuilder.NoAnswer);
            nowValues.Add(now.NoAnswer.Percent);
            beforeValues.Add(before.NoAnswer.Percent);
        }
        if (spec.Total && now.Mentions is null)
            rows.Add(new Row([Cell.Of("総計"), Cell.Count(now.N), Cell.Percent(now.N > 0 ? 100m : 0m),
                Cell.Count(before.N), Cell.Percent(before.N > 0 ? 100m : 0m)], RowKind.Total));
        var note = "割合は各回の回答者数（n）に対する比率。"
                   + (now.Mentions is not null ? "複数回答のため、割合の合計は 100% を超えることがある。" : "");
        var n = $"{current} n={now.N}、{previous} n={before.N}";
        var basis = ReportBuilder.AnswerType(item.Kind) + "（" + n + "）";
        var table = new TableBlock(key, null, null, caption, TableKind.Choice, header, rows, note, ReportBuilder.Fingerprint(header, rows), basis);
        var chart = new Chart(ChartKind.Grouped, caption, categories,
            [Series(current, nowValues), Series(previous, beforeValues)], n);
        return (table, chart);
    }

    private static (TableBlock, Chart) Matrix(TableSpec spec, List<(ChoiceTable Now, ChoiceTable Before)> rows, WaveComparison wave,
        string current, string previous, string caption, string key)
    {
        var points = rows[0].Now.Item.Options;
        var header = new[]
        {
            new HeaderCell[] { new("", 2) }.Concat(points.Select(p => new HeaderCell(p.ReportLabel)))
                .Concat([new HeaderCell(ReportBuilder.NoAnswer), new HeaderCell("全体"), new HeaderCell("n")]).ToArray(),
        };
        IEnumerable<Cell> Cells(ChoiceTable t, Func<int, decimal> percent) => points.Select(p => Cell.Percent(percent(p.Code)))
            .Concat([Cell.Percent(t.NoAnswer.Percent), Cell.Percent(t.N > 0 ? 100m : 0m), Cell.Count(t.N)]);
        var body = new List<Row>();
        var categories = new List<string>();
        foreach (var (now, before) in rows)
        {
            var label = now.Item.Label; // as the report's matrix table; the chart takes the shorter report label
            body.Add(new Row([Cell.Of(label), Cell.Of(current), .. Cells(now, c => now[c].Percent)]));
            var beforeCells = Cells(before, c => wave.PreviousRow(now.Item, before, c)!.Percent).ToList();
            // The previous wave's row leaves the label to the row above; at the top of a page it names it again.
            body.Add(new Row([Cell.Of(""), Cell.Of(previous), .. beforeCells], RowKind.Body, [Cell.Of(label), Cell.Of(previous), .. beforeCells]));
            // The row's label once, over this wave's bar; the previous wave's bar below it says only its wave.
            categories.Add($"{now.Item.ReportLabel}\n{current}");
            categories.Add(previous);
        }
        var nsNow = rows.Select(r => r.Now.N).Distinct().ToList();
        var nsBefore = rows.Select(r => r.Before.N).Distinct().ToList();
        var n = nsNow.Count == 1 && nsBefore.Count == 1 ? $"{current} n={nsNow[0]}、{previous} n={nsBefore[0]}" : "n は項目ごと";
        var note = "割合は各回・各行の回答者数（n）に対する比率。";
        var basis = ReportBuilder.AnswerType(ItemKind.Matrix) + "（" + n + "）";
        var table = new TableBlock(key, null, null, caption, TableKind.Matrix, header, body, note, ReportBuilder.Fingerprint(header, body), basis);
        var pairs = rows.SelectMany(r => new[] { (Table: r.Now, Map: (Func<int, decimal>)(c => r.Now[c].Percent)),
            (Table: r.Before, Map: c => wave.PreviousRow(r.Now.Item, r.Before, c)!.Percent) }).ToList();
        var series = points.Select(p => Charts.Series(p.ReportLabel, pairs.Select(x => x.Map(p.Code))))
            .Append(Charts.Series(ReportBuilder.NoAnswer, pairs.Select(x => x.Table.NoAnswer.Percent))).ToList();
        return (table, new Chart(ChartKind.Stacked, caption, categories, series, n));
    }

    /// <summary>A grouped bar series: every bar carries its percent.</summary>
    private static ChartSeries Series(string name, List<decimal> percents) => new(name, percents, percents.Select(Format.Percent).ToList());

    /// <summary>「※「業種（設問 1-6）」は、前回と選択肢が異なるため比較していません（…）。」: why an item is not set beside the previous wave.</summary>
    private static string Footnote(string caption, string? row, Item item, WaveComparison wave)
    {
        var d = wave.Diff.ForNew(item.Code);
        var why = d is null || d.Old is null ? "前回の調査にない設問のため"
            : d.Comparable ? "前回の集計にないため"
            : d.Changes.Any(c => c.BreaksComparison && c.Category == ChangeCategory.Options) ? "前回と選択肢が異なるため"
            : "前回と回答の形式・条件が異なるため";
        var detail = d is { Old: not null, NotComparableReason: { } r } ? "（" + r.TrimEnd('。') + "）" : "";
        return $"※「{caption}」{(row is null ? "" : $"の「{row}」")}は、{why}比較していません{detail}。";
    }
}

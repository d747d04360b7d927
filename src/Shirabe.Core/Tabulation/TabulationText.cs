using System.Globalization;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// A tabulation as readable Japanese tables in the report's layout (label, n, rows with 件数 and %, 無回答, 総計),
/// aligned for a terminal where kanji take two columns.
/// </summary>
public static class TabulationText
{
    public static void Write(TextWriter w, SurveyTabulation t)
    {
        w.WriteLine($"{t.Survey.Title}（{t.Survey.Id}）");
        w.WriteLine($"集計対象 {t.Respondents:N0} 件（提出済み）、下書き {t.Drafts:N0} 件は集計対象外");
        if (t.Segment is { } segment) w.WriteLine($"絞り込み: {segment}");
        if (t.Previous is { Previous: var p })
            w.WriteLine($"前回: {p.Survey.Title}（{p.Survey.Id}）集計対象 {p.Respondents:N0} 件。前回と比較できる設問は前回の件数・% を並べて表示");
        foreach (var item in t.Items)
        {
            w.WriteLine();
            WriteItem(w, item, t.Previous);
        }
        if (t.Cross is { } cross)
        {
            w.WriteLine();
            WriteCross(w, cross);
        }
    }

    private static string Kind(ItemKind kind) => kind switch
    {
        ItemKind.Single => "単数回答",
        ItemKind.Multiple => "複数回答",
        ItemKind.Matrix => "マトリクス",
        ItemKind.Split => "割合",
        _ => "自由記述",
    };

    private static void WriteItem(TextWriter w, ItemTable table, WaveComparison? comparison)
    {
        var item = table.Item;
        var old = comparison?.TableFor(item);
        w.WriteLine($"■ {item.Code} {item.ReportLabel}（{Kind(item.Kind)}） n={table.N:N0}"
                    + (old is null ? "" : $"、前回 n={old.N:N0}" + (old.Item.Code != item.Code ? $"（前回の {old.Item.Code}）" : "")));
        if (comparison is not null && old is null) w.WriteLine($"  前回比較なし: {comparison.ReasonFor(item)}");
        switch (table)
        {
            case ChoiceTable c when old is ChoiceTable before:
                WriteChoiceBeside(w, c, before, comparison!);
                break;
            case ChoiceTable c when c.Mentions is { } mentions:
                Rows(w, ["", "件数", "%", "延べ%"],
                    c.Options.Select(o => new[] { o.Option.ReportLabel, Count(o.Count), Pct(o.Percent), Pct(o.PercentOfMentions!.Value) })
                        .Append([SegmentFilter.NoAnswerWord, Count(c.NoAnswer.Count), Pct(c.NoAnswer.Percent), ""])
                        .Append(["総計（回答者数）", Count(c.N), Pct(Percent.Of(c.N, c.N)), ""])
                        .Append(["延べ回答数", Count(mentions), "", Pct(Percent.Of(mentions, mentions))]));
                break;
            case ChoiceTable c:
                Rows(w, ["", "件数", "%"],
                    c.Options.Select(o => new[] { o.Option.ReportLabel, Count(o.Count), Pct(o.Percent) })
                        .Append([SegmentFilter.NoAnswerWord, Count(c.NoAnswer.Count), Pct(c.NoAnswer.Percent)])
                        .Append(["総計", Count(c.N), Pct(Percent.Of(c.N, c.N))]));
                break;
            case SplitTable s when old is null:
                Rows(w, ["", "回答数", "平均", "中央値", "最小", "最大"],
                    s.Parts.Select(p => new[] { p.Part.Label, Count(p.Answered), Num(p.Mean), Num(p.Median), Num(p.Min), Num(p.Max) }));
                Rows(w, ["分布（件数／%）", .. s.Parts.Select(p => p.Part.Label)],
                    Enumerable.Range(0, s.Parts[0].Bands.Count).Select(b =>
                        new[] { s.Parts[0].Bands[b].Label }.Concat(s.Parts.Select(p => $"{Count(p.Bands[b].Count)}／{Pct(p.Bands[b].Percent)}")).ToArray()));
                Rows(w, ["", "件数", "%"], [[SegmentFilter.NoAnswerWord, Count(s.NoAnswer.Count), Pct(s.NoAnswer.Percent)],
                    ["総計", Count(s.N), Pct(Percent.Of(s.N, s.N))]]);
                break;
            case SplitTable s when old is SplitTable before:
                Rows(w, ["", "回答数", "平均", "中央値", "最小", "最大", "前回回答数", "前回平均", "前回中央値"],
                    s.Parts.Select(p => before.Parts.FirstOrDefault(q => q.Part.Code == p.Part.Code) is { } q
                        ? new[] { p.Part.Label, Count(p.Answered), Num(p.Mean), Num(p.Median), Num(p.Min), Num(p.Max), Count(q.Answered), Num(q.Mean), Num(q.Median) }
                        : [p.Part.Label, Count(p.Answered), Num(p.Mean), Num(p.Median), Num(p.Min), Num(p.Max)]));
                Rows(w, ["", "件数", "%", "前回件数", "前回%"], [[SegmentFilter.NoAnswerWord, Count(s.NoAnswer.Count), Pct(s.NoAnswer.Percent),
                        Count(before.NoAnswer.Count), Pct(before.NoAnswer.Percent)],
                    ["総計", Count(s.N), Pct(Percent.Of(s.N, s.N)), Count(before.N), Pct(Percent.Of(before.N, before.N))]]);
                break;
            case TextTable x:
                w.WriteLine($"  回答 {x.Answers.Count:N0} 件、無回答 {x.N - x.Answers.Count:N0} 件"
                            + (old is TextTable y ? $"（前回 回答 {y.Answers.Count:N0} 件、無回答 {y.N - y.Answers.Count:N0} 件）" : ""));
                foreach (var a in x.Answers)
                    w.WriteLine($"  {a.Respondent}: {a.Text.ReplaceLineEndings("\n      ")}");
                break;
        }
    }

    /// <summary>A choice table with the previous wave's 件数 and % beside each row (options matched through sameAs).</summary>
    private static void WriteChoiceBeside(TextWriter w, ChoiceTable c, ChoiceTable before, WaveComparison comparison)
    {
        var multiple = c.Mentions is not null;
        string[] Row(string label, long count, decimal percent, OptionRow? old, string? pm = null, string? oldPm = null) =>
            [label, Count(count), Pct(percent), .. multiple ? [pm ?? ""] : Array.Empty<string>(),
             old is null ? "" : Count(old.Count), old is null ? "" : Pct(old.Percent), .. multiple ? [oldPm ?? ""] : Array.Empty<string>()];
        var header = multiple ? new[] { "", "件数", "%", "延べ%", "前回件数", "前回%", "前回延べ%" } : ["", "件数", "%", "前回件数", "前回%"];
        var rows = c.Options.Select(o =>
        {
            var old = comparison.PreviousRow(c.Item, before, o.Option.Code);
            return Row(o.Option.ReportLabel, o.Count, o.Percent, old,
                o.PercentOfMentions is { } p ? Pct(p) : null, old?.PercentOfMentions is { } q ? Pct(q) : null);
        }).ToList();
        rows.Add([SegmentFilter.NoAnswerWord, Count(c.NoAnswer.Count), Pct(c.NoAnswer.Percent), .. multiple ? [""] : Array.Empty<string>(),
            Count(before.NoAnswer.Count), Pct(before.NoAnswer.Percent), .. multiple ? [""] : Array.Empty<string>()]);
        rows.Add([multiple ? "総計（回答者数）" : "総計", Count(c.N), Pct(Percent.Of(c.N, c.N)), .. multiple ? [""] : Array.Empty<string>(),
            Count(before.N), Pct(Percent.Of(before.N, before.N)), .. multiple ? [""] : Array.Empty<string>()]);
        Rows(w, header, rows);
    }

    private static void WriteCross(TextWriter w, CrossTable x)
    {
        w.WriteLine($"■ クロス集計 {x.Rows.Code}（行）× {x.Columns.Code}（列） n={x.N:N0}");
        string Label(Item item, int? code) => code is { } c ? item.FindOption(c)!.ReportLabel : SegmentFilter.NoAnswerWord;
        // Long option labels would make every line of the table wide: then the columns are headed by code, with a legend.
        var byCode = x.ColumnTotals.Any(c => Width(Label(x.Columns, c.Code)) > 16);
        if (byCode)
            w.WriteLine("  列: " + string.Join("、", x.ColumnTotals.Where(c => c.Code is not null).Select(c => $"{c.Code} {Label(x.Columns, c.Code)}")));
        var header = new[] { "" }.Concat(x.ColumnTotals.Select(c => byCode && c.Code is { } code ? code.ToString(CultureInfo.InvariantCulture) : Label(x.Columns, c.Code)))
            .Append("総計").ToArray();
        string[] Line(CrossTotal r, Func<CrossCell, string> cell) =>
            [Label(x.Rows, r.Code), .. x.Cells.Where(c => c.Row == r.Code).Select(cell), Count(r.Count)];
        w.WriteLine("  件数");
        Rows(w, header, x.RowTotals.Select(r => Line(r, c => Count(c.Count)))
            .Append(["総計", .. x.ColumnTotals.Select(c => Count(c.Count)), Count(x.N)]));
        w.WriteLine("  行%");
        Rows(w, header, x.RowTotals.Select(r => Line(r, c => Pct(c.RowPercent))));
        w.WriteLine("  列%");
        Rows(w, header, x.RowTotals.Select(r => Line(r, c => Pct(c.ColumnPercent)))
            .Append(["総計", .. x.ColumnTotals.Select(c => Count(c.Count)), Count(x.N)]));
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    private static string Pct(decimal p) => p.ToString("0.0", CultureInfo.InvariantCulture) + "%";
    private static string Num(decimal v) => v.ToString("0.##########", CultureInfo.InvariantCulture);

    /// <summary>A table: first column left-aligned, the others right-aligned, by display width.</summary>
    private static void Rows(TextWriter w, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToArray();
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => i < r.Length ? Width(r[i]) : 0)).ToArray();
        var line = new System.Text.StringBuilder();
        foreach (var row in all)
        {
            line.Clear().Append("  ");
            for (var i = 0; i < row.Length; i++)
            {
                var pad = new string(' ', widths[i] - Width(row[i]));
                line.Append(i == 0 ? row[i] + pad : "  " + pad + row[i]);
            }
            w.WriteLine(line.ToString().TrimEnd());
        }
    }

    /// <summary>Terminal columns: East Asian wide and fullwidth characters take two.</summary>
    internal static int Width(string s)
    {
        var width = 0;
        foreach (var c in s)
            width += c >= 0x1100 && (c <= 0x115F || c is >= '\u2E80' and <= '\uA4CF' || c is >= '\uAC00' and <= '\uD7A3'
                                     || c is >= '\uF900' and <= '\uFAFF' || c is >= '\uFE30' and <= '\uFE4F'
                                     || c is >= '\uFF00' and <= '\uFF60' || c is >= '\uFFE0' and <= '\uFFE6') ? 2 : 1;
        return width;
    }
}

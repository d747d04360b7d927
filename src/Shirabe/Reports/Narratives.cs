using System.Text;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Tabulation;

namespace Shirabe.Reports;

/// <summary>
/// Drafts the paragraph above a table in the report's own style, from the numbers only. The secretariat edits the
/// draft before publishing (<see cref="ReportEditor"/>); numbers in a draft are always inserted, never typed.
/// </summary>
public static class Narratives
{
    /// <summary>「A」（50.0％）が最も多く、以下「B」（25.0％）、「C」（16.7％）の順となっている。</summary>
    public static string Choice(string subject, ChoiceTable table, TableBase @base)
    {
        var usesMentions = @base == TableBase.Mentions && table.Mentions is not null;
        decimal Pct(OptionRow r) => usesMentions ? r.PercentOfMentions ?? 0 : r.Percent;
        var ranked = table.Options.Where(o => o.Count > 0).OrderByDescending(o => o.Count).ThenBy(o => o.Option.Code).ToList();
        var s = new StringBuilder(subject);
        if (ranked.Count == 0) return s.Append("回答が得られなかった。").ToString();

        // Options tied for first place are named together.
        var first = ranked.TakeWhile(o => o.Count == ranked[0].Count).ToList();
        var rest = ranked.Skip(first.Count).Take(Math.Max(0, 3 - first.Count)).ToList();
        s.Append(string.Join("、", first.Select(o => $"「{o.Option.ReportLabel}」")));
        s.Append(first.Count > 1 ? $"（各 {Format.PercentJa(Pct(first[0]))}）" : $"（{Format.PercentJa(Pct(first[0]))}）");
        if (rest.Count == 0) return s.Append("が最も多い。").ToString();
        if (rest.Count == 1)
            return s.Append($"が最も多く、次いで「{rest[0].Option.ReportLabel}」（{Format.PercentJa(Pct(rest[0]))}）となっている。").ToString();
        s.Append("が最も多く、以下");
        s.Append(string.Join("、", rest.Select(o => $"「{o.Option.ReportLabel}」（{Format.PercentJa(Pct(o))}）")));
        return s.Append("の順となっている。").ToString();
    }

    /// <summary>
    /// For a matrix: which row most have fully done (and with the middle point, how many have at least partly done it),
    /// and which row most have not done. Rows labelled その他 are not singled out while other rows exist.
    /// </summary>
    public static string Matrix(string subject, IReadOnlyList<ChoiceTable> rows)
    {
        var s = new StringBuilder(subject);
        var candidates = rows.Where(r => r.N > 0).ToList();
        var named = candidates.Where(r => r.Item.ReportLabel != "その他").ToList();
        if (named.Count > 0) candidates = named;
        if (candidates.Count == 0 || candidates[0].Options.Count < 2) return s.Append("回答が得られなかった。").ToString();

        var points = candidates[0].Options.Select(o => o.Option).ToList();
        var low = points[0];
        var high = points[^1];
        var mid = points.Count >= 3 ? points[^2] : null;
        long CountOf(ChoiceTable r, Option o) => r.Options.First(x => x.Option.Code == o.Code).Count;

        var top = candidates.OrderByDescending(r => Percent.Of(CountOf(r, high), r.N)).ThenBy(r => r.Item.Index).First();
        var topCount = CountOf(top, high);
        if (topCount > 0)
        {
            s.Append($"「{high.ReportLabel}」と回答した項目としては「{top.Item.ReportLabel}」（{Format.PercentJa(Percent.Of(topCount, top.N))}）が最も多く");
            if (mid is not null)
            {
                var midCount = CountOf(top, mid);
                // Sums of categories come from counts, rounded once (not a sum of rounded percents).
                s.Append($"、「{mid.ReportLabel}」（{Format.PercentJa(Percent.Of(midCount, top.N))}）を含めると {Format.PercentJa(Percent.Of(topCount + midCount, top.N))}となっている。");
            }
            else s.Append("なっている。");
        }
        else s.Append($"「{high.ReportLabel}」と回答した項目はなかった。");

        var bottom = candidates.OrderByDescending(r => Percent.Of(CountOf(r, low), r.N)).ThenBy(r => r.Item.Index).First();
        var bottomCount = CountOf(bottom, low);
        if (bottomCount > 0)
            s.Append($"一方、「{low.ReportLabel}」と回答した項目としては「{bottom.Item.ReportLabel}」（{Format.PercentJa(Percent.Of(bottomCount, bottom.N))}）が最も多い。");
        return s.ToString();
    }

    /// <summary>The lead-in of a free-text table.</summary>
    public static string Text(string subject, int shown) =>
        shown == 0 ? subject + "自由記述の回答は得られなかった。" : subject + "自由記述で得られた主な回答内容を以下に示す。";
}

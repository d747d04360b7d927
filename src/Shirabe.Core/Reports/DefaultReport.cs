using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Reports;

/// <summary>
/// The report of a survey without report.yaml: every question in order, one numbered table per item (the matrix rows of
/// a question together), a chart under each choice and matrix table, and the questionnaire at the end. Items that name
/// the respondent are left out: `personal` ones (as the tabulation leaves them out) and `role: organisation` / `contact`.
/// </summary>
public static class DefaultReport
{
    /// <param name="comparison">
    /// Whether the report is made with a previous wave: then a section 「前回調査との比較」 sets every choice and matrix
    /// table beside the previous wave's, before the questionnaire (docs/report-format.md "Wave comparison").
    /// </param>
    public static ReportDefinition For(Survey survey, bool comparison = false)
    {
        var parts = new List<ReportPart>
        {
            Heading("title", survey.Title, 1, "1."),
            new("overview", null, 4, null, "本章では、{title}の結果を設問の順に示す。", null,
                Table(TableKind.Overview, "アンケート調査概要", [], rows:
                [
                    ["調査名称", "{title}"], ["調査期間", "{period}"], ["有効回答数", "{respondents}件"], ["調査項目数", "{questions}項目"],
                ]), null, null, false),
        };
        var sectionNo = 0;
        foreach (var section in survey.Sections)
        {
            parts.Add(Heading("section-" + section.Id, section.Title, 2, $"1.{++sectionNo}"));
            foreach (var q in section.Questions)
            {
                var items = q.Items.Where(Reported).ToList();
                if (items.Count == 0) continue;
                var title = (q.Title ?? q.Prompt).TrimEnd('。');
                var first = true;
                foreach (var group in Groups(items))
                {
                    var item = group[0];
                    var name = group.Count > 1 || q.Items.Count == 1 ? title : $"{title}：{item.ReportLabel}";
                    var codes = group.Count > 1 || q.Items.Count == 1 ? q.Code : item.Code;
                    var caption = $"{name}（設問 {codes}）";
                    var (table, narrative) = item.Kind switch
                    {
                        ItemKind.Single => (Table(TableKind.Choice, caption, [item.Code], total: true), $"{name}について質問したところ、"),
                        ItemKind.Multiple => (Table(TableKind.Choice, caption, [item.Code]), $"{name}について質問したところ、"),
                        ItemKind.Matrix => (Table(TableKind.Matrix, caption, group.Select(i => i.Code).ToList()), $"{name}について質問したところ、"),
                        ItemKind.Split => (Table(TableKind.Split, caption, [item.Code]), null),
                        _ => (Table(TableKind.Text, caption, [item.Code]), $"{name}について、"),
                    };
                    var figure = item.Kind switch
                    {
                        ItemKind.Single or ItemKind.Multiple => new FigureSpec(ChartKind.Bar, caption),
                        ItemKind.Matrix => new FigureSpec(ChartKind.Stacked, caption),
                        _ => null,
                    };
                    parts.Add(new ReportPart(string.Join("+", table.Items), first ? caption : null, 4, null, null,
                        narrative is null ? null : new NarrativeSpec(narrative), table, figure, null, false));
                    first = false;
                }
            }
        }
        if (comparison)
            parts.Add(new ReportPart("comparison", "前回調査（{previousYear}年）との比較", 2, $"1.{++sectionNo}", null, null, null, null, null, false)
            {
                Comparison = new ComparisonSpec([], ComparisonShow.Both, Footnote: true,
                    ComparisonSpec.DefaultCurrent, ComparisonSpec.DefaultPrevious, ComparisonSpec.DefaultCaption),
            });
        parts.Add(new ReportPart("questionnaire", "調査票", 2, "参考資料", null, null, Table(TableKind.Questionnaire, "", []), null, null, PageBreak: true));
        return new ReportDefinition(survey.Id, survey.Title, Chapter: 1, Invitations: 0, MaxRows: 500, parts);
    }

    private static bool Reported(Item item) => !item.Personal && item.Role is not (ItemRole.Organisation or ItemRole.Contact);

    /// <summary>Each item alone, except consecutive matrix rows on one scale: one table.</summary>
    private static List<List<Item>> Groups(List<Item> items)
    {
        var groups = new List<List<Item>>();
        foreach (var item in items)
        {
            if (item.Kind == ItemKind.Matrix && groups.Count > 0 && groups[^1][0] is { Kind: ItemKind.Matrix } last && last.Scale == item.Scale)
                groups[^1].Add(item);
            else groups.Add([item]);
        }
        return groups;
    }

    private static ReportPart Heading(string key, string text, int level, string number) =>
        new(key, text, level, number, null, null, null, null, null, false);

    private static TableSpec Table(TableKind kind, string caption, IReadOnlyList<string> items, bool total = false,
        IReadOnlyList<IReadOnlyList<string>>? rows = null) =>
        new(kind, caption, items, TableBase.Respondents, total, HideZero: false, Header: null, rows ?? [], [], [], null);
}

namespace Shirabe.Core.Questionnaire;

/// <summary>A <see cref="SurveyDiff"/> as Japanese text: one line per change, grouped by kind, then a summary.</summary>
public static class SurveyDiffText
{
    private static readonly (ChangeCategory Category, string Title)[] Groups =
    [
        (ChangeCategory.Added, "追加"), (ChangeCategory.Removed, "削除"), (ChangeCategory.Renumbered, "番号の変更（sameAs）"),
        (ChangeCategory.Reworded, "文言の変更"), (ChangeCategory.Options, "選択肢の変更"), (ChangeCategory.Structure, "構造の変更"),
    ];

    public static void Write(TextWriter output, SurveyDiff diff)
    {
        output.WriteLine($"調査票の比較: {diff.Old.Id}（前回）→ {diff.New.Id}（今回）");
        var changes = diff.Changes.ToList();
        if (diff.Old.Title != diff.New.Title)
            output.WriteLine($"  調査名「{diff.Old.Title}」→「{diff.New.Title}」");
        foreach (var (category, title) in Groups)
        {
            var lines = changes.Where(c => c.Category == category).ToList();
            if (lines.Count == 0) continue;
            output.WriteLine();
            output.WriteLine($"■ {title}（{lines.Count} 件）");
            foreach (var line in lines) output.WriteLine("  " + line.Text);
        }
        output.WriteLine();
        var matched = diff.Items.Count(i => i.Old is not null && i.New is not null);
        var comparable = diff.Items.Count(i => i.Comparable);
        output.WriteLine($"まとめ: 変更 {changes.Count} 件（うち文言のみ {changes.Count(c => c.Wording)} 件）。"
                         + $"今回の {diff.New.Items.Count} 項目のうち、前回と比較できる項目 {comparable}、"
                         + $"比較できない項目 {diff.New.Items.Count - comparable}（追加 {diff.New.Items.Count - matched}、"
                         + $"変更 {matched - comparable}）、削除された項目 {diff.Old.Items.Count - matched}。");
        var notComparable = diff.Items.Where(i => i.New is not null && !i.Comparable).ToList();
        if (notComparable.Count > 0)
        {
            output.WriteLine("前回と比較できない項目:");
            foreach (var i in notComparable) output.WriteLine($"  {i.Code}: {i.NotComparableReason}");
        }
        output.WriteLine(diff.FrozenChangesMessage() is null
            ? "文言の変更だけです（回答のある調査にも適用できます）。"
            : "文言以外の変更を含みます（回答のある調査には適用できません）。");
    }
}

using Shirabe.Core.Questionnaire;

namespace Shirabe.Admin.Authoring;

/// <summary>What _Diff renders: a diff, whether to list each item's comparability (against the previous wave), an element id.</summary>
public sealed record DiffView(SurveyDiff Diff, bool Comparability, string Id)
{
    public static readonly (ChangeCategory Category, string Title)[] Groups =
    [
        (ChangeCategory.Added, "追加"), (ChangeCategory.Removed, "削除"), (ChangeCategory.Renumbered, "番号の変更（sameAs）"),
        (ChangeCategory.Reworded, "文言の変更"), (ChangeCategory.Options, "選択肢の変更"), (ChangeCategory.Structure, "構造の変更"),
    ];
}

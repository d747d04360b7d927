using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// The previous wave set beside this one: its own tabulation (its own survey and responses: a wave's tables never mix
/// in another wave's rows) and the definition diff that says which items match and which are comparable.
/// </summary>
public sealed record WaveComparison(SurveyDiff Diff, SurveyTabulation Previous)
{
    /// <summary>The previous wave's table for <paramref name="item"/> (of this wave) when it is comparable, else null.</summary>
    public ItemTable? TableFor(Item item)
    {
        var diff = Diff.ForNew(item.Code);
        if (diff is not { Comparable: true, Old: { } old }) return null;
        return Previous.Items.FirstOrDefault(t => t.Item.Code == old.Code);
    }

    /// <summary>Why <paramref name="item"/> has no previous figures (Japanese); null when it has them.</summary>
    public string? ReasonFor(Item item) => Diff.ForNew(item.Code)?.NotComparableReason
                                           ?? (TableFor(item) is null ? "前回の集計にない設問です。" : null);

    /// <summary>The previous wave's row of this wave's option <paramref name="code"/>, through its renumbering.</summary>
    public OptionRow? PreviousRow(Item item, ChoiceTable previous, int code) =>
        Diff.ForNew(item.Code) is { } d && d.OptionMap.TryGetValue(code, out var old)
            ? previous.Options.FirstOrDefault(o => o.Option.Code == old) : null;
}

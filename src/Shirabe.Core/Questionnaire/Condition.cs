namespace Shirabe.Core.Questionnaire;

/// <summary>
/// A skip rule: met when any of <see cref="Items"/> was asked and has any of <see cref="AnyOf"/> chosen
/// (for a multiple item: among its choices). Items referred to must come earlier in the questionnaire.
/// </summary>
public sealed record Condition(IReadOnlyList<Item> Items, IReadOnlyList<int> AnyOf)
{
    public bool IsMet(IReadOnlyList<Answer> answers, bool[] shown)
    {
        // An index loop: this runs for every conditional item of every row read.
        for (var i = 0; i < Items.Count; i++)
            if (IsMetBy(Items[i], answers, shown)) return true;
        return false;
    }

    /// <summary>Whether <paramref name="item"/> (one of <see cref="Items"/>) alone meets the rule.</summary>
    public bool IsMetBy(Item item, IReadOnlyList<Answer> answers, bool[] shown) =>
        shown[item.Index] && item.ChoseAny(answers[item.Index], AnyOf);

    /// <summary>Readable form, e.g. "3-1 が 1, 2 のいずれか".</summary>
    public override string ToString() =>
        $"{string.Join("・", Items.Select(i => i.Code))} で {string.Join("・", AnyOf)} のいずれかを選択";
}

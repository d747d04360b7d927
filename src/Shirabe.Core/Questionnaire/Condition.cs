namespace Shirabe.Core.Questionnaire;

/// <summary>
/// A skip rule: met when any of <see cref="Items"/> was asked and has any of <see cref="AnyOf"/> chosen
/// (for a multiple item: among its choices). Items referred to must come earlier in the questionnaire.
/// </summary>
public sealed record Condition(IReadOnlyList<Item> Items, IReadOnlyList<int> AnyOf)
{
    public bool IsMet(IReadOnlyList<Answer> answers, bool[] shown)
    {
        // Index loops: this runs for every conditional item of every row read.
        for (var i = 0; i < Items.Count; i++)
        {
            var item = Items[i];
            if (!shown[item.Index]) continue;
            var a = answers[item.Index];
            if (a.State != AnswerState.Given) continue;
            for (var j = 0; j < AnyOf.Count; j++)
                if (item.Kind == ItemKind.Multiple ? a.Has(AnyOf[j]) : a.Choice == AnyOf[j])
                    return true;
        }
        return false;
    }

    /// <summary>Readable form, e.g. "3-1 が 1, 2 のいずれか".</summary>
    public override string ToString() =>
        $"{string.Join("・", Items.Select(i => i.Code))} で {string.Join("・", AnyOf)} のいずれかを選択";
}

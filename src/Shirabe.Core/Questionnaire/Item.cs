namespace Shirabe.Core.Questionnaire;

/// <summary>An answerable unit: one column (or, for a split, one column per part) of the responses file.</summary>
public sealed class Item
{
    public required string Code { get; init; }
    public required ItemKind Kind { get; init; }
    public required string Label { get; init; }
    /// <summary>Shorter wording for tables and charts, when the report simplifies the label.</summary>
    public string? Short { get; init; }
    /// <summary>What the item stands for beyond its wording (survey.yaml `role`), e.g. the association's name.</summary>
    public ItemRole Role { get; init; }
    /// <summary>For a text item: a one-line box or a multi-line area on the web form.</summary>
    public TextInput Input { get; init; } = TextInput.Area;
    /// <summary>For a text item: the most characters accepted (UTF-16 units, as a browser's maxlength counts).</summary>
    public int MaxLength { get; init; } = DefaultMaxLength(TextInput.Area);

    public const int MaxTextLength = 4000;

    /// <summary>200 for a line (a name, a title), 4000 for an area (a free answer).</summary>
    public static int DefaultMaxLength(TextInput input) => input == TextInput.Line ? 200 : MaxTextLength;
    /// <summary>Choices for single and multiple items; the scale's points for matrix rows; empty otherwise.</summary>
    public IReadOnlyList<Option> Options { get; init; } = [];
    public Scale? Scale { get; init; }
    public IReadOnlyList<SplitPart> Parts { get; init; } = [];
    /// <summary>The sum the parts of a split must reach (100 for percentages).</summary>
    public decimal Total { get; init; } = 100m;
    /// <summary>The skip rule: the item is asked only when this holds. Null means always asked.</summary>
    public Condition? ShowIf { get; init; }
    /// <summary>Whether the respondent must answer. The SC3 survey requires nothing: blanks are 無回答.</summary>
    public bool Required { get; init; }
    /// <summary>
    /// Personal data of the respondent (name, reading, job title, contact): kept in the responses, left out of
    /// tabulations and reports unless asked for.
    /// </summary>
    public bool Personal { get; init; }
    /// <summary>The code this item had in the previous wave (survey.yaml `sameAs`), when it was renumbered.</summary>
    public string? SameAs { get; init; }
    /// <summary>Position in <see cref="Survey.Items"/>.</summary>
    public int Index { get; internal set; }
    public string QuestionCode { get; internal set; } = "";
    public string SectionId { get; internal set; } = "";

    public string ReportLabel => Short ?? Label;

    /// <summary>The responses-file column(s): q + code with '-' replaced by '_'.</summary>
    public IEnumerable<string> Columns => Kind == ItemKind.Split
        ? Parts.Select(p => ColumnName + "_" + p.Code)
        : [ColumnName];

    public string ColumnName => "q" + Code.Replace('-', '_');

    public Option? FindOption(int code)
    {
        foreach (var o in Options)
            if (o.Code == code) return o;
        return null;
    }

    /// <summary>
    /// Whether <paramref name="answer"/> (to this item) chose any of <paramref name="codes"/>: for a multiple item, among
    /// its choices. Not asked and no answer choose nothing. Skip rules and segment filters both match this way.
    /// </summary>
    public bool ChoseAny(Answer answer, IReadOnlyList<int> codes) => ChoseAny(answer.State, answer.CompactValue(Kind), codes);

    /// <summary>As <see cref="ChoseAny(Answer, IReadOnlyList{int})"/> for an answer's state and <see cref="Answer.CompactValue"/>.</summary>
    internal bool ChoseAny(AnswerState state, ulong value, IReadOnlyList<int> codes)
    {
        if (state != AnswerState.Given) return false;
        for (var i = 0; i < codes.Count; i++)
            if (Kind == ItemKind.Multiple ? codes[i] is >= 1 and <= 63 && (value & (1UL << codes[i])) != 0 : value == (uint)codes[i])
                return true;
        return false;
    }

    /// <summary>
    /// Checks a value given to this item (not asked / no answer are always valid here; the skip rule is checked by the caller).
    /// Returns null when valid, else a Japanese message saying what to fix.
    /// </summary>
    public string? Validate(Answer answer)
    {
        if (answer.State != AnswerState.Given) return null;
        switch (Kind)
        {
            case ItemKind.Single or ItemKind.Matrix:
                return FindOption(answer.Choice) is null
                    ? $"選択肢 {answer.Choice} はありません（{AllowedCodes()} から選んでください）。" : null;
            case ItemKind.Multiple:
                var codes = answer.ChoiceCodes();
                foreach (var c in codes)
                    if (FindOption(c) is null)
                        return $"選択肢 {c} はありません（{AllowedCodes()} から選んでください）。";
                var exclusive = Options.FirstOrDefault(o => o.Exclusive && codes.Contains(o.Code));
                if (exclusive is not null && codes.Count > 1)
                    return $"「{exclusive.Label}」は他の選択肢と一緒には選べません。";
                return null;
            case ItemKind.Split:
                var parts = answer.Parts!;
                if (parts.Length != Parts.Count) return $"{Parts.Count} つの割合をすべて入力してください。";
                if (parts.Any(p => p is null))
                    return $"{string.Join("、", Parts.Select(p => p.Label))}の割合をすべて入力してください（合計 {Total:0.##}%）。";
                if (parts.Any(p => p < 0 || p > Total))
                    return $"割合は 0 から {Total:0.##} までの数で入力してください。";
                var sum = parts.Sum(p => p!.Value);
                return sum != Total ? $"合計が {sum:0.##}% です。合計が {Total:0.##}% になるように入力してください。" : null;
            case ItemKind.Text:
                var length = answer.Text?.Length ?? 0;
                return length > MaxLength ? $"{length:N0} 文字入力されています。{MaxLength:N0} 文字以内で入力してください。" : null;
            default:
                return null;
        }
    }

    private string AllowedCodes() => string.Join("、", Options.Select(o => o.Code));

    public override string ToString() => Code;
}

/// <summary>
/// An item's meaning the app relies on; the app finds items by role, never by code. <see cref="Organisation"/>: the
/// invitee's name (a text item, pre-filled with the invited name); <see cref="Contact"/>: the person answering (text);
/// <see cref="Category"/>: the invitee's category, e.g. its industry (a single choice), shown in the console's lists.
/// </summary>
public enum ItemRole { None, Organisation, Contact, Category }

/// <summary>How a text item is typed in: one line, or a multi-line area.</summary>
public enum TextInput { Line, Area }

namespace Shirabe.Core.Questionnaire;

public enum AnswerState : byte
{
    /// <summary>A skip rule hid the item, or the respondent's form had no such item (`NA` in the responses file).</summary>
    NotAsked,
    /// <summary>Shown and left unanswered (blank cell): counted in the base as 無回答.</summary>
    NoAnswer,
    Given,
}

/// <summary>One respondent's value for one item. Which fields are meaningful depends on the item's kind.</summary>
public readonly record struct Answer
{
    public AnswerState State { get; private init; }
    /// <summary>Single and matrix items: the chosen code.</summary>
    public int Choice { get; private init; }
    /// <summary>Multiple items: bit c set when option c is chosen (codes 1…63).</summary>
    public ulong Choices { get; private init; }
    /// <summary>Split items: one value per part, in the item's part order.</summary>
    public decimal?[]? Parts { get; private init; }
    /// <summary>Text items: the text (never null when given).</summary>
    public string? Text { get; private init; }

    public static readonly Answer NotAsked = new() { State = AnswerState.NotAsked };
    public static readonly Answer NoAnswer = new() { State = AnswerState.NoAnswer };

    public static Answer Single(int code) => new() { State = AnswerState.Given, Choice = code };

    public static Answer Multiple(IEnumerable<int> codes)
    {
        ulong bits = 0;
        foreach (var c in codes)
        {
            if (c is < 1 or > 63) throw new ArgumentOutOfRangeException(nameof(codes), c, "Option codes are 1…63.");
            bits |= 1UL << c;
        }
        return bits == 0 ? NoAnswer : new() { State = AnswerState.Given, Choices = bits };
    }

    public static Answer FromBits(ulong bits) => bits == 0 ? NoAnswer : new() { State = AnswerState.Given, Choices = bits };

    public static Answer Split(decimal?[] parts) =>
        parts.All(p => p is null) ? NoAnswer : new() { State = AnswerState.Given, Parts = parts };

    public static Answer FromText(string? text) =>
        string.IsNullOrEmpty(text) ? NoAnswer : new() { State = AnswerState.Given, Text = text };

    /// <summary>The value in one number, as the tabulation's fast path holds it: the bits of a multiple item, else the code.</summary>
    internal ulong CompactValue(ItemKind kind) => kind == ItemKind.Multiple ? Choices : (uint)Choice;

    public bool Has(int code) => code is >= 1 and <= 63 && (Choices & (1UL << code)) != 0;

    public IReadOnlyList<int> ChoiceCodes()
    {
        var list = new List<int>();
        for (var c = 1; c < 64; c++)
            if (Has(c)) list.Add(c);
        return list;
    }
}

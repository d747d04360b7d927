using System.Globalization;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// One condition of a segment: the respondent was asked <see cref="Item"/> and chose any of <see cref="Codes"/>
/// (for a multiple item: among their choices), or left it unanswered when <see cref="NoAnswer"/> is set.
/// </summary>
public sealed record SegmentFilter
{
    public SegmentFilter(Item item, IReadOnlyList<int> codes, bool noAnswer = false)
    {
        if (item.Kind is not (ItemKind.Single or ItemKind.Multiple or ItemKind.Matrix))
            throw new UserError($"設問 {item.Code} は選択式ではないため、絞り込みには使えません。");
        foreach (var c in codes)
            if (item.FindOption(c) is null)
                throw new UserError($"設問 {item.Code} に選択肢 {c} はありません（{string.Join("、", item.Options.Select(o => o.Code))}）。");
        if (codes.Count == 0 && !noAnswer)
            throw new UserError($"設問 {item.Code} の絞り込みに選択肢がありません。");
        Item = item;
        Codes = codes;
        NoAnswer = noAnswer;
    }

    public Item Item { get; }
    public IReadOnlyList<int> Codes { get; }
    public bool NoAnswer { get; }

    public bool Matches(Response response) => Matches(response.Answers);

    public bool Matches(Answer[] answers)
    {
        var a = answers[Item.Index];
        return Matches(a.State, a.CompactValue(Item.Kind));
    }

    /// <summary>A row of the tabulation's fast path.</summary>
    internal bool Matches(CleanRow row) => Matches(row.States[Item.Index], row.Values[Item.Index]);

    private bool Matches(AnswerState state, ulong value) =>
        state == AnswerState.NoAnswer ? NoAnswer : Item.ChoseAny(state, value, Codes);

    public const string NoAnswerWord = "無回答";

    /// <summary>
    /// Parses "ITEM=CODE[,CODE…]" (e.g. "1-6=5", "1-6=5,6", "1-6=無回答").
    /// Throws <see cref="UserError"/> with a Japanese message when the item or a code does not exist.
    /// </summary>
    public static SegmentFilter Parse(Survey survey, string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
            throw new UserError($"絞り込み「{text}」は 設問番号=選択肢番号 の形で書いてください（例: 1-6=5）。");
        var code = text[..eq].Trim();
        if (!survey.TryGetItem(code, out var item))
            throw new UserError($"絞り込みの設問 {code} は調査票「{survey.Id}」にありません。");
        var codes = new List<int>();
        var noAnswer = false;
        foreach (var part in text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries))
        {
            if (part == NoAnswerWord) noAnswer = true;
            else if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var c)) codes.Add(c);
            else throw new UserError($"絞り込み「{text}」の「{part}」は選択肢番号ではありません（例: 1-6=5、無回答は 1-6=無回答）。");
        }
        return new SegmentFilter(item, codes, noAnswer);
    }

    /// <summary>Readable form, e.g. "1-6 = 5 製造業".</summary>
    public override string ToString() =>
        $"{Item.Code} = " + string.Join("・", Codes.Select(c => $"{c} {Item.FindOption(c)!.ReportLabel}")
            .Concat(NoAnswer ? [NoAnswerWord] : []));
}

/// <summary>The respondents matching every filter (AND). An empty segment is everyone.</summary>
public sealed record Segment(IReadOnlyList<SegmentFilter> Filters)
{
    public bool Matches(Response response) => Matches(response.Answers);

    public bool Matches(Answer[] answers)
    {
        foreach (var f in Filters)
            if (!f.Matches(answers)) return false;
        return true;
    }

    internal bool Matches(CleanRow row)
    {
        foreach (var f in Filters)
            if (!f.Matches(row)) return false;
        return true;
    }

    public static Segment Of(params SegmentFilter[] filters) => new(filters);

    public override string ToString() => string.Join(" かつ ", Filters);
}

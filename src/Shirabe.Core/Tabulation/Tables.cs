using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Tabulation;

/// <summary>A count and its percent of a base.</summary>
public readonly record struct Share(long Count, decimal Percent)
{
    public static Share Of(long count, long n) => new(count, Tabulation.Percent.Of(count, n));
}

/// <summary>
/// The tabulation of one item over the submitted responses (drafts are never tabulated).
/// <see cref="N"/> is the base: respondents who were asked the item (not-asked excluded, 無回答 included).
/// </summary>
public abstract record ItemTable(Item Item, long N);

/// <summary>A row of a choice table. <see cref="PercentOfMentions"/> is set for multiple-answer items only.</summary>
public sealed record OptionRow(Option Option, long Count, decimal Percent, decimal? PercentOfMentions = null);

/// <summary>Single choice, matrix row, or multiple choice (then <see cref="Mentions"/> is the number of choices made).</summary>
public sealed record ChoiceTable(Item Item, long N, IReadOnlyList<OptionRow> Options, Share NoAnswer, long? Mentions = null)
    : ItemTable(Item, N)
{
    /// <summary>The row of option <paramref name="code"/>.</summary>
    public OptionRow this[int code] => Options.FirstOrDefault(o => o.Option.Code == code)
        ?? throw new KeyNotFoundException($"設問 {Item.Code} に選択肢 {code} はありません。");

    /// <summary>
    /// A category made of several options (3-1 options 1+2 "aware"), summed from counts and rounded once:
    /// never from rounded percents (33.3 + 35.4 = 68.7 is wrong; 33/48 = 68.8 is right).
    /// Single and matrix items only: in a multiple item one respondent may hold several of the options.
    /// </summary>
    public Share ShareOf(params IEnumerable<int> codes)
    {
        if (Item.Kind == ItemKind.Multiple)
            throw new InvalidOperationException($"設問 {Item.Code} は複数回答です。選択肢の合算は単数回答・マトリクスの設問でのみ計算できます。");
        return Share.Of(codes.Distinct().Sum(c => this[c].Count), N);
    }
}

/// <summary>A percentage split (1-4, 1-5): per part, the summary of the given values over the respondents who answered.</summary>
public sealed record SplitTable(Item Item, long N, IReadOnlyList<SplitPartSummary> Parts, Share NoAnswer)
    : ItemTable(Item, N);

/// <summary>
/// Values of one part over the respondents who answered (N − 無回答). <see cref="Bands"/> counts them in the bands
/// 0%, over 0 to under 25%, 25 to under 50%, 50 to under 75%, 75 to under 100%, and 100% (percent of the answered), the distribution a split table shows.
/// </summary>
public sealed record SplitPartSummary(SplitPart Part, long Answered, decimal Mean, decimal Median, decimal Min, decimal Max,
    IReadOnlyList<BandCount> Bands);

public sealed record BandCount(string Label, long Count, decimal Percent);

/// <summary>Free text: every non-blank answer with its respondent, in response order.</summary>
public sealed record TextTable(Item Item, long N, IReadOnlyList<TextAnswer> Answers) : ItemTable(Item, N);

public sealed record TextAnswer(string Respondent, string Text);

/// <summary>
/// Two items crossed over the respondents asked both. Rows and columns are the options plus 無回答 (code null).
/// Percents are of the row total and of the column total.
/// </summary>
public sealed record CrossTable(Item Rows, Item Columns, long N, IReadOnlyList<CrossCell> Cells,
    IReadOnlyList<CrossTotal> RowTotals, IReadOnlyList<CrossTotal> ColumnTotals);

public sealed record CrossCell(int? Row, int? Column, long Count, decimal RowPercent, decimal ColumnPercent);

public sealed record CrossTotal(int? Code, long Count, decimal Percent);

public static class CrossTableExtensions
{
    /// <summary>The count of one cell; null codes are 無回答.</summary>
    public static long Count(this CrossTable table, int? row, int? column) =>
        table.Cells.FirstOrDefault(c => c.Row == row && c.Column == column)?.Count ?? 0;
}

/// <summary>The whole survey tabulated: <see cref="Respondents"/> submitted responses, <see cref="Drafts"/> drafts (counted, not tabulated).</summary>
public sealed record SurveyTabulation(Survey Survey, long Respondents, long Drafts, IReadOnlyList<ItemTable> Items)
{
    public ItemTable this[string code] => Items.FirstOrDefault(t => t.Item.Code == code)
        ?? throw (Survey.TryGetItem(code, out var item) && item.Personal
            // e.g. a report table on a personal item: the user asks for it with --include-personal
            ? new UserError($"設問 {code} は回答者個人の情報（personal: true）のため集計していません（含めるには --include-personal）。")
            : new KeyNotFoundException($"設問 {code} はこの集計にありません。"));

    /// <summary>The segment tabulated (respondents matching every filter); null = everyone.</summary>
    public Segment? Segment { get; init; }

    /// <summary>The cross table asked for along with the tabulation, if any.</summary>
    public CrossTable? Cross { get; init; }

    /// <summary>The previous wave's figures shown beside these (tabulate --previous), if any.</summary>
    public WaveComparison? Previous { get; init; }

    public ChoiceTable Choice(string code) => (ChoiceTable)this[code];
    public SplitTable Split(string code) => (SplitTable)this[code];
    public TextTable Text(string code) => (TextTable)this[code];
}

/// <summary>
/// A grouped listing of split answers (table 2-4): groups (industries) → bands (member counts) → one row per respondent.
/// <see cref="ListingGroup.Group"/> and <see cref="ListingBand.Band"/> are null for 無回答.
/// </summary>
public sealed record SplitListing(Item GroupBy, Item BandBy, IReadOnlyList<Item> Splits, IReadOnlyList<ListingGroup> Groups);

/// <summary><see cref="Count"/> respondents in the group; <see cref="NoAnswer"/> of them left every split blank and are not listed.</summary>
public sealed record ListingGroup(Option? Group, long Count, long NoAnswer, IReadOnlyList<ListingBand> Bands);

public sealed record ListingBand(Option? Band, IReadOnlyList<ListingRow> Rows);

/// <summary>One respondent: per split item (in <see cref="SplitListing.Splits"/> order) its parts, or null when 無回答.</summary>
public sealed record ListingRow(string Respondent, IReadOnlyList<decimal?[]?> Values);

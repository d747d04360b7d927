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
    : ItemTable(Item, N);

/// <summary>A percentage split (1-4, 1-5): per part, the summary of the given values over the respondents who answered.</summary>
public sealed record SplitTable(Item Item, long N, IReadOnlyList<SplitPartSummary> Parts, Share NoAnswer)
    : ItemTable(Item, N);

/// <summary>
/// Values of one part over the respondents who answered (N − 無回答). <see cref="Bands"/> counts them in the bands
/// 0, 1–24, 25–49, 50–74, 75–99, 100 (percent of the answered), the distribution a split table shows.
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

/// <summary>The whole survey tabulated: <see cref="Respondents"/> submitted responses, <see cref="Drafts"/> drafts (counted, not tabulated).</summary>
public sealed record SurveyTabulation(Survey Survey, long Respondents, long Drafts, IReadOnlyList<ItemTable> Items)
{
    public ItemTable this[string code] => Items.First(t => t.Item.Code == code);
}

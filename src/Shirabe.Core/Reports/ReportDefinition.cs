namespace Shirabe.Core.Reports;

/// <summary>
/// The layout of a report (surveys/NAME/report.yaml, docs/report-format.md): which table and figure shows which
/// item, in which order, with which caption and base. Captions are numbered automatically (表 2-N, 図 2-N).
/// </summary>
public sealed record ReportDefinition(
    string Survey,
    string Title,
    int Chapter,
    int Invitations,
    int MaxRows,
    IReadOnlyList<ReportPart> Parts)
{
    /// <summary>Every table in order; its number is its position + 1.</summary>
    public IEnumerable<TableSpec> Tables => Parts.Select(p => p.Table).OfType<TableSpec>();
}

/// <summary>
/// One step of the report: an optional heading, then fixed text, the drafted narrative, a table, a figure and notes,
/// in that order. <see cref="Key"/> identifies the part for the secretariat's edits and curation.
/// </summary>
public sealed record ReportPart(
    string Key,
    string? Heading,
    int Level,
    string? Number,
    string? Text,
    NarrativeSpec? Narrative,
    TableSpec? Table,
    FigureSpec? Figure,
    NotesSpec? Notes,
    bool PageBreak)
{
    /// <summary>
    /// The previous wave's results beside this wave's (`comparison:`, docs/report-format.md "Wave comparison"); the part
    /// is printed only when the report is made with a previous wave.
    /// </summary>
    public ComparisonSpec? Comparison { get; init; }
}

/// <summary>How the paragraph above a table is drafted. <see cref="Subject"/> opens the sentence (「回答者の会員数は、」).</summary>
public sealed record NarrativeSpec(string Subject);

public enum TableKind
{
    /// <summary>Label / value rows from the definition with placeholders ({respondents}, {invitations}, …).</summary>
    Overview,
    /// <summary>A single or multiple choice item: options with count and percent.</summary>
    Choice,
    /// <summary>Matrix rows of a question: the scale's points, 無回答 and 全体 in percent, one row per item.</summary>
    Matrix,
    /// <summary>Free-text answers (主な回答), curated by the analyst.</summary>
    Text,
    /// <summary>Split items listed per respondent, grouped by two single items (SC3 table 2-4).</summary>
    Listing,
    /// <summary>A percentage split: per part, how many gave a value, and their mean, median, minimum and maximum.</summary>
    Split,
    /// <summary>The respondents in submission order with a name and a single item (参考資料2).</summary>
    Respondents,
    /// <summary>The questionnaire rendered from the survey definition (参考資料1).</summary>
    Questionnaire,
}

public enum TableBase { Respondents, Mentions }

/// <summary>A numbered table (Questionnaire is rendered without a number).</summary>
public sealed record TableSpec(
    TableKind Kind,
    string Caption,
    IReadOnlyList<string> Items,
    TableBase Base,
    bool Total,
    bool HideZero,
    string? Header,
    IReadOnlyList<IReadOnlyList<string>> Rows,
    IReadOnlyList<string> GroupBy,
    IReadOnlyList<int> GroupOrder,
    string? Note)
{
    public string? Item => Items.Count > 0 ? Items[0] : null;

    /// <summary>
    /// Column headings the table takes from report.yaml rather than from the survey: a listing's grouping items
    /// (`groupHeaders`) and split items (`itemHeaders`), a respondents list's two columns (`headers`). Empty: the items' wording.
    /// </summary>
    public IReadOnlyList<string> GroupHeaders { get; init; } = [];
    public IReadOnlyList<string> ItemHeaders { get; init; } = [];
    public IReadOnlyList<string> Headers { get; init; } = [];

    /// <summary>A listing's labels of the band item's options (code → label), where the table prints them shorter.</summary>
    public IReadOnlyDictionary<int, string> BandLabels { get; init; } = new Dictionary<int, string>();

    /// <summary>Whether the table takes a number (表 2-N); the appendices (参考資料) do not.</summary>
    public bool IsNumbered => Kind is not (TableKind.Respondents or TableKind.Questionnaire);
}

/// <summary>Bar: counts of one wave. Stacked: 100% bars of a matrix. Grouped: two waves' percents side by side (wave comparison only).</summary>
public enum ChartKind { Bar, Stacked, Grouped }

public sealed record FigureSpec(ChartKind Chart, string Caption);

public sealed record NotesSpec(string? Title, IReadOnlyList<string> Items);

public enum ComparisonShow { Both, Table, Figure }

/// <summary>
/// A wave comparison part: the report's choice and matrix tables (all, or those of <see cref="Items"/>: item or question
/// codes) again with the previous wave's results beside this wave's. Items the definition diff finds not comparable are
/// footnoted (<see cref="Footnote"/>) or left out. <see cref="Current"/>, <see cref="Previous"/> and <see cref="Caption"/>
/// are templates: {currentYear}, {previousYear} (the year each wave opened), {currentTitle}, {previousTitle}; the caption
/// also {caption} (the report table's own caption).
/// </summary>
public sealed record ComparisonSpec(
    IReadOnlyList<string> Items,
    ComparisonShow Show,
    bool Footnote,
    string Current,
    string Previous,
    string Caption)
{
    public const string DefaultCurrent = "今回（{currentYear}年）";
    public const string DefaultPrevious = "前回（{previousYear}年）";
    public const string DefaultCaption = "{caption}（前回比較）";
    public bool Tables => Show != ComparisonShow.Figure;
    public bool Figures => Show != ComparisonShow.Table;
}

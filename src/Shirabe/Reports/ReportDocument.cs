using Shirabe.Core.Reports;

namespace Shirabe.Reports;

/// <summary>
/// The report laid out and filled in, independent of the output format: HTML, Word and Excel all render this.
/// Numbers are carried as numbers (<see cref="Cell.Value"/>) beside the text printed for them.
/// </summary>
public sealed record ReportDocument(string Title, string SurveyTitle, IReadOnlyList<Block> Blocks)
{
    public IEnumerable<TableBlock> Tables => Blocks.OfType<TableBlock>();
    public IEnumerable<FigureBlock> Figures => Blocks.OfType<FigureBlock>();
    public IEnumerable<HeadingBlock> Headings => Blocks.OfType<HeadingBlock>();
    /// <summary>Free-text answers as edited in curation, by (column, respondent): the raw-responses sheet writes these.</summary>
    public IReadOnlyDictionary<(string Column, string Respondent), string> AnswerEdits { get; init; } =
        new Dictionary<(string Column, string Respondent), string>();
    /// <summary>Charts already drawn for this data (the console's results cache), or null: drawn for each output.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string>? Charts { get; init; }
}

public abstract record Block;

/// <summary>A heading; <see cref="Number"/> is "2.2.1", "（1）", "1）" or "参考資料1"; <see cref="Anchor"/> links the table of contents.</summary>
public sealed record HeadingBlock(int Level, string Number, string Text, string Anchor, bool PageBreak) : Block
{
    public string Full => Number.Length == 0 ? Text : Number.EndsWith('）') ? Number + Text : Number + " " + Text;
}

public sealed record ParagraphBlock(string Text) : Block;

/// <summary>The paragraph above a table: the draft, or the secretariat's edit of it (flagged stale when the numbers changed).</summary>
public sealed record NarrativeBlock(string Key, NarrativeView View) : Block;

public sealed record NotesBlock(string? Title, IReadOnlyList<string> Items) : Block
{
    /// <summary>Whether the Excel workbook lists these notes too (on its contents sheet): the wave comparison's footnotes.</summary>
    public bool InWorkbook { get; init; }

    /// <summary>Whether a note opens with its own marker (「※1 …」, 「・…」), so no bullet is added before it.</summary>
    public static bool HasOwnMarker(string item) => item.Length > 0 && item[0] is '※' or '・' or '＊' or '*' or '●' or '○';
}

public sealed record PageBreakBlock : Block;

/// <summary>Lines of the questionnaire (参考資料1) with their indent (0 = question, 1 = item or option).</summary>
public sealed record QuestionnaireBlock(IReadOnlyList<QuestionnaireLine> Lines) : Block;

public sealed record QuestionnaireLine(int Indent, string Text, bool IsQuestion);

public enum CellFormat { Text, Count, Percent, Value }

/// <summary>A table cell: the text as printed and, for numbers, the number (Excel writes the number).</summary>
public sealed record Cell(string Text, decimal? Value = null, CellFormat Format = CellFormat.Text)
{
    public static Cell Of(string text) => new(text);
    public static Cell Count(long n) => new(n.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture), n, CellFormat.Count);
    public static Cell Percent(decimal p) => new(Reports.Format.Percent(p), p, CellFormat.Percent);
    /// <summary>A percent as the respondent gave it (14.5 → 14.5%).</summary>
    public static Cell Given(decimal v) => new(v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "%", v, CellFormat.Value);
    public bool IsNumber => Value is not null;
    /// <summary>Right-aligned: a number, or a word standing in a column of numbers (「（無回答）」).</summary>
    public bool AlignsRight => Value is not null || Format != CellFormat.Text;
}

public enum RowKind { Body, Total, Group }

/// <summary>
/// A row. <see cref="Continued"/> is what the row prints when a page starts with it, where its own cells leave a label
/// to the row above (the member band of table 2-4).
/// </summary>
public sealed record Row(IReadOnlyList<Cell> Cells, RowKind Kind = RowKind.Body, IReadOnlyList<Cell>? Continued = null);

public sealed record HeaderCell(string Text, int Span = 1);

/// <summary>
/// A table. <see cref="Label"/> is "表 2-5" (null for the appendices); <see cref="Fingerprint"/> identifies the numbers
/// in it, so an edited narrative written against other numbers is flagged. <see cref="Basis"/> is the answer type and
/// base printed under the caption (「単数回答（n=48）」), derived from the items' kinds.
/// </summary>
public sealed record TableBlock(
    string Key,
    string? Label,
    int? Number,
    string Caption,
    TableKind Kind,
    IReadOnlyList<IReadOnlyList<HeaderCell>> Header,
    IReadOnlyList<Row> Rows,
    string? Note,
    string Fingerprint,
    string? Basis = null) : Block
{
    public string FullCaption => Label is null ? Caption : Label + " " + Caption;
    /// <summary>The number of columns (from the last header row).</summary>
    public int Columns => Header.Count > 0 ? Header[^1].Sum(h => h.Span) : Rows.Count > 0 ? Rows[0].Cells.Count : 1;
}

public sealed record FigureBlock(string Key, string Label, int Number, string Caption, Chart Chart, string? Basis = null) : Block
{
    public string FullCaption => Label + " " + Caption;
}

/// <summary>
/// What a chart shows, before drawing. Bar: one series of counts over <see cref="Categories"/>. Stacked: one series per
/// scale point (and 無回答), values in percent of each row, one bar per category. Grouped: one series per wave, values
/// in percent, the waves' bars side by side per category (the wave comparison).
/// </summary>
public sealed record Chart(ChartKind Kind, string Title, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series, string NLabel);

public sealed record ChartSeries(string Name, IReadOnlyList<decimal> Values, IReadOnlyList<string> Labels);

public static class Format
{
    public static string Percent(decimal p) => p.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";
    public static string PercentJa(decimal p) => p.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "％";
}

using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Shirabe.Core.Responses;

namespace Shirabe.Fieldwork;

/// <summary>
/// Writing a roster in the columns it is read in, so that export → edit in Excel → import round trips. Formula-like
/// text (= + - @ …) never runs in Excel: CSV gets a leading apostrophe (removed again on reading), XLSX keeps the text
/// as it is in an inline-string cell marked with Excel's own quote prefix.
/// </summary>
public sealed partial class RosterFile
{
    /// <summary>The sheet name of an exported XLSX.</summary>
    public const string ExportSheet = "名簿";

    /// <summary>
    /// The header of an export: the named columns — the category's under <paramref name="category"/>, the survey's
    /// <see cref="CategoryHeading"/>, left out when that is null — then the attributes.
    /// </summary>
    public static IReadOnlyList<string> ExportHeader(string? category, IReadOnlyList<string> attributes) =>
        [.. Enum.GetValues<Field>().Where(f => f != Field.Category).Select(f => Headings[f]), .. category is null ? Array.Empty<string>() : [category], .. attributes];

    private static string[] ExportFields(RosterEntry e, string? category, IReadOnlyList<string> attributes) =>
    [
        e.Code, e.Name, e.ContactName ?? "", e.Email ?? "", string.Join("; ", e.Cc),
        .. category is null ? Array.Empty<string>() : [e.Category ?? ""],
        .. attributes.Select(a => e.Attributes.TryGetValue(a, out var v) ? v : ""),
    ];

    /// <summary>
    /// CSV: UTF-8 with a BOM (Excel opens it as UTF-8), CRLF, every field quoted, formula-like text neutralised.
    /// <paramref name="category"/> heads the category column (null: none, see <see cref="ExportHeader"/>);
    /// <paramref name="attributes"/> are the attribute columns written, in order (an entry's other attributes are not).
    /// </summary>
    public static void WriteCsv(Stream output, string? category, IReadOnlyList<string> attributes, IEnumerable<RosterEntry> entries)
    {
        using var w = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        w.WriteLine(string.Join(",", ExportHeader(category, attributes).Select(h => Quote(ResponsesCsv.SpreadsheetSafe(h)))));
        foreach (var e in entries)
            w.WriteLine(string.Join(",", ExportFields(e, category, attributes).Select(f => Quote(ResponsesCsv.SpreadsheetSafe(f)))));

        static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
    }

    /// <summary>
    /// XLSX: one sheet 「名簿」, every cell an inline string (so codes such as 001 are not turned into numbers), a bold
    /// frozen header row. The sheet is written with OpenXmlWriter, row by row. <paramref name="output"/> must be seekable.
    /// </summary>
    public static void WriteXlsx(Stream output, string? category, IReadOnlyList<string> attributes, IEnumerable<RosterEntry> entries)
    {
        using var doc = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var book = doc.AddWorkbookPart();
        var styles = book.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new Stylesheet(
            new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
            new Borders(new Border()) { Count = 1 },
            new CellFormats(
                new CellFormat(),
                new CellFormat { FontId = 1, ApplyFont = true },
                new CellFormat { QuotePrefix = true }) { Count = 3 });
        var sheetPart = book.AddNewPart<WorksheetPart>();
        using (var w = OpenXmlWriter.Create(sheetPart))
        {
            w.WriteStartElement(new Worksheet());
            w.WriteElement(new SheetViews(new SheetView(
                new Pane { VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen })
            { TabSelected = true, WorkbookViewId = 0 }));
            w.WriteStartElement(new SheetData());
            w.WriteElement(Row(1, ExportHeader(category, attributes), header: true));
            uint n = 1;
            foreach (var e in entries) w.WriteElement(Row(++n, ExportFields(e, category, attributes), header: false));
            w.WriteEndElement();
            w.WriteEndElement();
        }
        book.Workbook = new Workbook(new Sheets(new Sheet { Id = book.GetIdOfPart(sheetPart), SheetId = 1, Name = ExportSheet }));
    }

    private static Row Row(uint index, IReadOnlyList<string> values, bool header)
    {
        var row = new Row { RowIndex = index };
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i].Length == 0) continue;
            var text = XmlText.Clean(values[i]);
            uint? style = header ? 1 : ResponsesCsv.SpreadsheetSafe(text).Length != text.Length ? 2 : null;
            row.Append(new Cell
            {
                CellReference = ColumnLetters(i + 1) + index.ToString(CultureInfo.InvariantCulture),
                DataType = CellValues.InlineString,
                StyleIndex = style,
                InlineString = new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }),
            });
        }
        return row;
    }
}

using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Shirabe.Core.Responses;

namespace Shirabe.Admin;

/// <summary>The progress list (as filtered on the page) as CSV or XLSX, e.g. the non-respondents to chase.</summary>
public static class RosterExport
{
    private static string[] Header(ConsoleSurvey console) =>
        Columns(console, ["ID", "団体名", console.CategoryLabel ?? "", "担当者", "メールアドレス", "状況", "最終更新", "提出回数"]);

    private static string[] Fields(RosterRow r, ConsoleSurvey console) => Columns(console,
    [
        r.Code, r.Name, r.Category ?? "", r.ContactName ?? "", r.ContactEmail ?? "", Roster.Label(r.Status),
        r.LastActivity is { } at ? console.Local(at) : "", r.Version?.ToString(CultureInfo.InvariantCulture) ?? "",
    ]);

    /// <summary>The third column is the category: left out when the survey has no category item.</summary>
    private static string[] Columns(ConsoleSurvey console, string[] all) => console.HasCategory ? all : [.. all[..2], .. all[3..]];

    /// <summary>UTF-8 with a BOM (Excel opens it as UTF-8), CRLF, every field quoted; formula-like text neutralised.</summary>
    public static async Task WriteCsvAsync(IAsyncEnumerable<RosterRow> rows, ConsoleSurvey console, Stream output, CancellationToken cancel)
    {
        await using var w = new StreamWriter(output, new UTF8Encoding(true), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await w.WriteLineAsync(string.Join(",", Header(console).Select(Quote)));
        await foreach (var r in rows.WithCancellation(cancel))
            await w.WriteLineAsync(string.Join(",", Fields(r, console).Select(f => Quote(ResponsesCsv.SpreadsheetSafe(f)))));
    }

    private static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";

    /// <summary>One sheet, text cells, a bold header row.</summary>
    public static async Task<byte[]> XlsxAsync(IAsyncEnumerable<RosterRow> rows, ConsoleSurvey console, CancellationToken cancel)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var book = doc.AddWorkbookPart();
            book.Workbook = new Workbook();
            var styles = book.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
                new Borders(new Border()) { Count = 1 },
                new CellFormats(new CellFormat(), new CellFormat { FontId = 1, ApplyFont = true }) { Count = 2 });
            var sheetPart = book.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            data.Append(Row(1, Header(console), 1));
            uint n = 1;
            await foreach (var r in rows.WithCancellation(cancel)) data.Append(Row(++n, Fields(r, console), 0));
            sheetPart.Worksheet = new Worksheet(data);
            book.Workbook.AppendChild(new Sheets(new Sheet { Id = book.GetIdOfPart(sheetPart), SheetId = 1, Name = "回収状況" }));
        }
        return ms.ToArray();
    }

    private static Row Row(uint index, string[] values, uint style)
    {
        var row = new Row { RowIndex = index };
        for (var i = 0; i < values.Length; i++)
            row.Append(new Cell
            {
                CellReference = (char)('A' + i) + index.ToString(CultureInfo.InvariantCulture),
                DataType = CellValues.InlineString,
                StyleIndex = style == 0 ? null : style,
                InlineString = new InlineString(new Text(ResponsesCsv.SpreadsheetSafe(XmlText.Clean(values[i]))) { Space = SpaceProcessingModeValues.Preserve }),
            });
        return row;
    }
}

using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Admin;

/// <summary>The progress list (as filtered on the page) as CSV or XLSX, e.g. the non-respondents to chase.</summary>
public static class RosterExport
{
    private static string[] Header(ConsoleSurvey console) => ["ID", "団体名", console.CategoryLabel, "担当者", "メールアドレス", "状況", "最終更新", "提出回数"];

    private static string[] Fields(RosterRow r, ConsoleSurvey console) =>
    [
        r.Code, r.Name, r.Industry ?? "", r.ContactName ?? "", r.ContactEmail ?? "", Roster.Label(r.Status),
        r.LastActivity is { } at ? console.Local(at) : "", r.Version?.ToString(CultureInfo.InvariantCulture) ?? "",
    ];

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
                InlineString = new InlineString(new Text(ResponsesCsv.SpreadsheetSafe(values[i])) { Space = SpaceProcessingModeValues.Preserve }),
            });
        return row;
    }
}

/// <summary>Names of the files the console hands out, and their Content-Disposition (RFC 6266).</summary>
public static class ConsoleFiles
{
    /// <summary>「sc3-2023-報告書-20231215.pdf」: the survey, what it is, the day it was made (in the survey's time zone).</summary>
    public static string Name(Survey survey, string what, DateTimeOffset at, string extension) =>
        $"{survey.Id}-{what}-{TimeZoneInfo.ConvertTime(at, survey.Period.TimeZone):yyyyMMdd}.{extension}";

    /// <summary>
    /// attachment; filename="ASCII fallback"; filename*=UTF-8''percent-encoded — the Japanese name for every current
    /// browser, an ASCII one (non-ASCII as '_') for the rest.
    /// </summary>
    public static string Disposition(string fileName)
    {
        var ascii = new string(fileName.Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_').ToArray());
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }

    /// <summary>「12 KB」「3.4 MB」.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} バイト",
        < 1024 * 1024 => $"{Math.Max(1, (int)Math.Round(bytes / 1024.0)).ToString("#,0", CultureInfo.InvariantCulture)} KB",
        _ => $"{(bytes / 1024.0 / 1024.0).ToString("#,0.0", CultureInfo.InvariantCulture)} MB",
    };
}

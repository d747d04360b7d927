using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using A = DocumentFormat.OpenXml.Drawing;
using Xdr = DocumentFormat.OpenXml.Drawing.Spreadsheet;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace Shirabe.Reports;

/// <summary>
/// The report's numbers as an Excel workbook, written with the OpenXML SDK's streaming writer: a contents sheet, one
/// sheet per numbered table (counts and percents as numbers, the chart beside it), the raw responses in the canonical
/// cells of the responses file (XlsxReport.Responses.cs), and the codebook. Text that a spreadsheet would take for a
/// formula is neutralised.
/// </summary>
public static partial class XlsxReport
{
    private const uint StyleText = 0, StylePercent = 1, StyleBold = 2, StyleCount = 3, StyleWrap = 4, StyleHeader = 5, StyleTitle = 6;

    /// <summary>
    /// Writes the workbook. The raw responses leave out personal items (<see cref="Core.Questionnaire.Item.Personal"/>) unless
    /// <paramref name="includePersonal"/>.
    /// </summary>
    public static void Write(ReportDocument doc, Survey survey, IEnumerable<Response> responses, Stream output, IProgress<string>? progress = null,
        bool includePersonal = false)
    {
        // The SDK keeps every part of a package it writes in memory. The raw-responses sheet (100,000 rows × 70 columns
        // in a benchmark) is therefore written afterwards, streamed straight into the final zip (see Repack).
        using var workbook = new MemoryStream();
        string rawEntry;
        using (var book = SpreadsheetDocument.Create(workbook, SpreadsheetDocumentType.Workbook))
            rawEntry = WriteWorkbook(book, doc, survey, progress);
        progress?.Report("Excel: 回答データを書き出し中…");
        workbook.Position = 0;
        var items = survey.Items.Where(i => includePersonal || !i.Personal).ToList();
        Repack(workbook, output, rawEntry, s => WriteResponses(s, items, responses, doc.AnswerEdits));
    }

    /// <summary>Writes everything but the raw responses; returns the zip entry name of their (empty) sheet.</summary>
    private static string WriteWorkbook(SpreadsheetDocument book, ReportDocument doc, Survey survey, IProgress<string>? progress)
    {
        var wb = book.AddWorkbookPart();
        wb.Workbook = new Workbook();
        AddStyles(wb);
        var sheets = new List<(string Name, WorksheetPart Part)>();

        var tables = doc.Tables.Where(t => t.Label is not null).ToList();
        var figures = doc.Figures.ToDictionary(f => f.Key);
        var index = wb.AddNewPart<WorksheetPart>();
        sheets.Add(("目次", index));
        var entries = new List<(string Sheet, string Caption)>();

        var done = 0;
        foreach (var t in tables)
        {
            progress?.Report($"Excel: {t.Label}（{++done}/{tables.Count}）");
            var name = t.Label!.Replace(" ", "");
            var part = wb.AddNewPart<WorksheetPart>();
            sheets.Add((name, part));
            entries.Add((name, t.FullCaption));
            figures.Remove(t.Key, out var figure);
            WriteTable(part, t, figure);
        }
        // A figure without its table (a wave comparison shown as figures only): a sheet of its own.
        foreach (var f in figures.Values.OrderBy(f => f.Number))
        {
            var name = f.Label.Replace(" ", "");
            var part = wb.AddNewPart<WorksheetPart>();
            sheets.Add((name, part));
            entries.Add((name, f.FullCaption));
            WriteFigure(part, f);
        }
        var notes = doc.Blocks.OfType<NotesBlock>().Where(n => n.InWorkbook).SelectMany(n => n.Items).ToList();

        var raw = wb.AddNewPart<WorksheetPart>();
        sheets.Add(("回答データ", raw));
        entries.Add(("回答データ", "回答データ（回答ファイルの列と値。自由記述は報告書用の編集を反映。空欄は無回答、NA は対象外）"));
        WriteSheet(raw, [], null, _ => { });
        var codebook = wb.AddNewPart<WorksheetPart>();
        sheets.Add(("コードブック", codebook));
        entries.Add(("コードブック", "コードブック（列名・設問・選択肢のコード）"));
        WriteCodebook(codebook, survey);

        WriteSheet(index, [10, 100], null, w =>
        {
            Row(w, 1, [Str(doc.Title, StyleTitle)]);
            Row(w, 2, [Str(doc.SurveyTitle)]);
            Row(w, 4, [Str("シート", StyleHeader), Str("内容", StyleHeader)]);
            var r = 5u;
            foreach (var (sheet, caption) in entries) Row(w, r++, [Str(sheet), Str(caption)]);
            if (notes.Count > 0) r++;
            foreach (var note in notes) Row(w, r++, [Str(note)]);
        });

        var sheetList = new Sheets();
        uint id = 1;
        foreach (var (name, part) in sheets)
            sheetList.Append(new Sheet { Name = name, SheetId = id++, Id = wb.GetIdOfPart(part) });
        wb.Workbook.Append(sheetList);
        wb.Workbook.Save();
        return raw.Uri.OriginalString.TrimStart('/');
    }

    // ------------------------------------------------------------ sheets

    private static void WriteTable(WorksheetPart part, TableBlock t, FigureBlock? figure)
    {
        var columns = t.Columns;
        var widths = Enumerable.Range(0, columns).Select(i => i == 0 ? (t.Kind is Core.Reports.TableKind.Text ? 100.0 : 48.0) : 14.0).ToArray();
        DrawingsPart? drawing = null;
        if (figure is not null)
        {
            drawing = part.AddNewPart<DrawingsPart>();
            AddChart(drawing, figure, column: columns + 1, row: 1);
        }
        WriteSheet(part, widths, drawing is null ? null : part.GetIdOfPart(drawing), w =>
        {
            var r = 1u;
            Row(w, r++, [Str(t.FullCaption, StyleTitle)]);
            if (t.Basis is not null) Row(w, r++, [Str(t.Basis)]);
            foreach (var header in t.Header)
            {
                var cells = new List<XCell>();
                foreach (var h in header)
                {
                    cells.Add(Str(h.Text, StyleHeader));
                    for (var k = 1; k < h.Span; k++) cells.Add(Str("", StyleHeader));
                }
                Row(w, r++, cells);
            }
            foreach (var row in t.Rows)
                Row(w, r++, row.Cells.Select(c => c.Value is { } v
                    ? c.Format is CellFormat.Percent or CellFormat.Value ? Num(v / 100m, StylePercent) : Num(v, StyleCount)
                    : Str(c.Text, row.Kind == RowKind.Body ? StyleWrap : StyleBold)).ToList());
            if (t.Note is not null)
                foreach (var line in t.Note.Split('\n')) Row(w, ++r, [Str(line)]);
        });
    }

    private static void WriteFigure(WorksheetPart part, FigureBlock figure)
    {
        var drawing = part.AddNewPart<DrawingsPart>();
        AddChart(drawing, figure, column: 0, row: figure.Basis is null ? 2 : 3);
        WriteSheet(part, [48.0], part.GetIdOfPart(drawing), w =>
        {
            Row(w, 1, [Str(figure.FullCaption, StyleTitle)]);
            if (figure.Basis is not null) Row(w, 2, [Str(figure.Basis)]);
        });
    }

    private static void WriteCodebook(WorksheetPart part, Survey survey)
    {
        WriteSheet(part, [14, 10, 12, 60, 80], null, w =>
        {
            Row(w, 1, [Str("列名", StyleHeader), Str("設問", StyleHeader), Str("種類", StyleHeader), Str("ラベル", StyleHeader), Str("値", StyleHeader)]);
            var r = 2u;
            Row(w, r++, [Str(ResponsesCsv.IdColumn), Str(""), Str("id"), Str("回答者 ID"), Str("")]);
            Row(w, r++, [Str(ResponsesCsv.SubmittedAtColumn), Str(""), Str("日時"), Str("提出日時（ISO 8601）"), Str("空欄は未提出（下書き）")]);
            foreach (var item in survey.Items)
            {
                var kind = item.Kind switch
                {
                    ItemKind.Text => "自由記述", ItemKind.Single => "単一回答", ItemKind.Multiple => "複数回答",
                    ItemKind.Matrix => "マトリクス", _ => "割合",
                };
                var values = item.Kind switch
                {
                    ItemKind.Single or ItemKind.Matrix => string.Join("、", item.Options.Select(o => $"{o.Code}={o.Label}")) + "（空欄=無回答、NA=対象外）",
                    ItemKind.Multiple => "; 区切り: " + string.Join("、", item.Options.Select(o => $"{o.Code}={o.Label}")) + "（空欄=無回答、NA=対象外）",
                    ItemKind.Split => $"0～{item.Total:0.##} の数（合計 {item.Total:0.##}）",
                    _ => "文字列",
                };
                var columns = item.Kind == ItemKind.Split ? item.Parts.Select(p => (item.ColumnName + "_" + p.Code, item.Label + "：" + p.Label)) : [(item.ColumnName, item.Label)];
                foreach (var (column, label) in columns)
                    Row(w, r++, [Str(column), Str(item.Code), Str(kind), Str(label), Str(values, StyleWrap)]);
            }
        });
    }

    // ------------------------------------------------------------ writing helpers

    private readonly record struct XCell(string? Text, decimal? Number, uint Style);

    private static XCell Str(string text, uint style = StyleText) => new(Neutralise(text), null, style);
    private static XCell Num(decimal value, uint style) => new(null, value, style);

    /// <summary>
    /// Text as a cell: without characters XML cannot hold (<see cref="XmlText.Clean"/>), and text that Excel would read
    /// as a formula stays text (the same rule as the spreadsheet CSV export).
    /// </summary>
    private static string Neutralise(string text) => ResponsesCsv.SpreadsheetSafe(XmlText.Clean(text));

    private static void WriteSheet(WorksheetPart part, double[] widths, string? drawingId, Action<OpenXmlWriter> rows)
    {
        using var w = OpenXmlWriter.Create(part);
        w.WriteStartElement(new Worksheet());
        w.WriteStartElement(new Columns());
        for (var i = 0; i < widths.Length; i++)
            w.WriteElement(new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = widths[i], CustomWidth = true });
        w.WriteEndElement();
        w.WriteStartElement(new SheetData());
        rows(w);
        w.WriteEndElement();
        if (drawingId is not null) w.WriteElement(new Drawing { Id = drawingId });
        w.WriteEndElement();
    }

    private static void Row(OpenXmlWriter w, uint index, IReadOnlyList<XCell> cells)
    {
        w.WriteStartElement(new DocumentFormat.OpenXml.Spreadsheet.Row { RowIndex = index });
        for (var i = 0; i < cells.Count; i++)
        {
            var c = cells[i];
            var reference = ColumnName(i) + index.ToString(CultureInfo.InvariantCulture);
            if (c.Number is { } n)
            {
                w.WriteElement(new S.Cell(new CellValue(n.ToString(CultureInfo.InvariantCulture)))
                    { CellReference = reference, StyleIndex = c.Style });
            }
            else if (!string.IsNullOrEmpty(c.Text))
            {
                w.WriteElement(new S.Cell(new InlineString(new Text(c.Text) { Space = SpaceProcessingModeValues.Preserve }))
                    { CellReference = reference, DataType = CellValues.InlineString, StyleIndex = c.Style });
            }
            else if (c.Style != StyleText)
            {
                w.WriteElement(new S.Cell { CellReference = reference, StyleIndex = c.Style });
            }
        }
        w.WriteEndElement();
    }

    internal static string ColumnName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }

    private static void AddChart(DrawingsPart drawing, FigureBlock figure, int column, int row)
    {
        var image = drawing.AddImagePart(ImagePartType.Png);
        using (var ms = new MemoryStream(Charts.Png(figure.Chart))) image.FeedData(ms);
        long cx = Charts.Width * 9525L, cy = Charts.Height(figure.Chart) * 9525L; // EMU per pixel at 96 dpi
        drawing.WorksheetDrawing = new Xdr.WorksheetDrawing(new Xdr.OneCellAnchor(
            new Xdr.FromMarker(new Xdr.ColumnId(column.ToString(CultureInfo.InvariantCulture)), new Xdr.ColumnOffset("0"),
                new Xdr.RowId(row.ToString(CultureInfo.InvariantCulture)), new Xdr.RowOffset("0")),
            new Xdr.Extent { Cx = cx, Cy = cy },
            new Xdr.Picture(
                new Xdr.NonVisualPictureProperties(
                    new Xdr.NonVisualDrawingProperties { Id = 2U, Name = XmlText.Clean(figure.Label), Description = XmlText.Clean(figure.FullCaption) },
                    new Xdr.NonVisualPictureDrawingProperties(new A.PictureLocks { NoChangeAspect = true })),
                new Xdr.BlipFill(new A.Blip { Embed = drawing.GetIdOfPart(image) }, new A.Stretch(new A.FillRectangle())),
                new Xdr.ShapeProperties(
                    new A.Transform2D(new A.Offset { X = 0, Y = 0 }, new A.Extents { Cx = cx, Cy = cy }),
                    new A.PresetGeometry(new A.AdjustValueList()) { Preset = A.ShapeTypeValues.Rectangle })),
            new Xdr.ClientData()));
        drawing.WorksheetDrawing.Save();
    }

    private static void AddStyles(WorkbookPart wb)
    {
        var part = wb.AddNewPart<WorkbookStylesPart>();
        part.Stylesheet = new Stylesheet(
            new NumberingFormats(new NumberingFormat { NumberFormatId = 164, FormatCode = "0.0%" }) { Count = 1 },
            new Fonts(
                new Font(new FontSize { Val = 11 }, new FontName { Val = "Yu Gothic" }),
                new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "Yu Gothic" }),
                new Font(new Bold(), new FontSize { Val = 13 }, new FontName { Val = "Yu Gothic" })) { Count = 3 },
            new Fills(
                new Fill(new PatternFill { PatternType = PatternValues.None }),
                new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
                new Fill(new PatternFill(new ForegroundColor { Rgb = "FFE8EEF5" }) { PatternType = PatternValues.Solid })) { Count = 3 },
            new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1 },
            new CellStyleFormats(new S.CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
            new CellFormats(
                new S.CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 },
                new S.CellFormat { NumberFormatId = 164, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyNumberFormat = true },
                new S.CellFormat { NumberFormatId = 0, FontId = 1, FillId = 0, BorderId = 0, FormatId = 0, ApplyFont = true },
                new S.CellFormat { NumberFormatId = 3, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyNumberFormat = true },
                new S.CellFormat(new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top }) { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyAlignment = true },
                new S.CellFormat(new Alignment { WrapText = true, Horizontal = HorizontalAlignmentValues.Center, Vertical = VerticalAlignmentValues.Center })
                    { NumberFormatId = 0, FontId = 1, FillId = 2, BorderId = 0, FormatId = 0, ApplyFont = true, ApplyFill = true, ApplyAlignment = true },
                new S.CellFormat { NumberFormatId = 0, FontId = 2, FillId = 0, BorderId = 0, FormatId = 0, ApplyFont = true }) { Count = 7 },
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
        part.Stylesheet.Save();
    }
}

using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;
using A = DocumentFormat.OpenXml.Drawing;
using DW = DocumentFormat.OpenXml.Drawing.Wordprocessing;
using PIC = DocumentFormat.OpenXml.Drawing.Pictures;

namespace Shirabe.Reports;

/// <summary>
/// The report as an editable Word document: real Word tables (with a grid, header rows repeated across pages),
/// captions in the Caption style with SEQ fields (表 2-{SEQ 表}) and the answer type under them, headings with outline
/// levels, TOC fields (contents, and the lists of tables and figures) that Word fills on opening, PNG charts, and page
/// numbers in the footer.
/// </summary>
public static class DocxReport
{
    private const string Font = "Yu Gothic";
    private const string FontEastAsia = "游ゴシック";
    private const int TextWidth = 9638; // twips: A4 less 2 × 20 mm

    public static void Write(ReportDocument doc, Stream output, IProgress<string>? progress = null)
    {
        using var word = WordprocessingDocument.Create(output, WordprocessingDocumentType.Document);
        var main = word.AddMainDocumentPart();
        AddStyles(main);
        var settings = main.AddNewPart<DocumentSettingsPart>();
        settings.Settings = new Settings(new UpdateFieldsOnOpen { Val = true });
        var footer = main.AddNewPart<FooterPart>();
        footer.Footer = new Footer(new Paragraph(new ParagraphProperties(new Justification { Val = JustificationValues.Center }),
            Field(" PAGE ", "1")));
        var body = new Body();

        body.Append(P(doc.SurveyTitle, "Subtitle"), P(doc.Title, "Title"));
        body.Append(P("目次", "TOCHeading"));
        body.Append(TocField(" TOC \\o \"1-4\" \\h \\z \\u ", "（目次は Word でフィールドを更新すると表示されます）"));
        // 図表一覧: tables of figures over the captions' SEQ 表 and SEQ 図 fields, with their pages.
        body.Append(P("図表一覧", "TOCHeading"));
        body.Append(TocField(" TOC \\h \\z \\c \"表\" ", "（表の一覧は Word でフィールドを更新すると表示されます）"));
        body.Append(TocField(" TOC \\h \\z \\c \"図\" ", "（図の一覧は Word でフィールドを更新すると表示されます）"));
        body.Append(new Paragraph(new Run(new Break { Type = BreakValues.Page })));

        var figures = doc.Figures.Count();
        var drawn = 0;
        uint imageId = 0;
        foreach (var block in doc.Blocks)
        {
            switch (block)
            {
                case HeadingBlock h:
                    var hp = P(h.Full, "Heading" + Math.Min(5, h.Level));
                    if (h.PageBreak) hp.ParagraphProperties!.Append(new PageBreakBefore());
                    body.Append(hp);
                    break;
                case PageBreakBlock:
                    body.Append(new Paragraph(new Run(new Break { Type = BreakValues.Page })));
                    break;
                case ParagraphBlock p:
                    body.Append(P(p.Text, "BodyText"));
                    break;
                case NarrativeBlock n:
                    body.Append(P(n.View.Text, "BodyText"));
                    break;
                case NotesBlock nb:
                    if (nb.Title is not null) body.Append(P(nb.Title, "Note"));
                    foreach (var i in nb.Items) body.Append(P(NotesBlock.HasOwnMarker(i) ? i : "・" + i, "Note"));
                    break;
                case QuestionnaireBlock q:
                    foreach (var l in q.Lines)
                    {
                        var para = P(l.Text, l.IsQuestion ? "QuestionLine" : "BodyText");
                        if (l.Indent > 0) para.ParagraphProperties!.Append(new Indentation { Left = (420 * l.Indent).ToString() });
                        body.Append(para);
                    }
                    break;
                case TableBlock t:
                    if (t.Caption.Length > 0) body.Append(Caption(t.Label, "表", t.Number, t.Caption));
                    if (t.Basis is not null) body.Append(Basis(t.Basis));
                    body.Append(Table(t));
                    if (t.Note is not null) body.Append(P(t.Note, "Note"));
                    else body.Append(P("", "BodyText"));
                    break;
                case FigureBlock f:
                    progress?.Report($"図を作成中（{++drawn}/{figures}）");
                    var png = Charts.Png(f.Chart);
                    var image = main.AddImagePart(ImagePartType.Png);
                    using (var ms = new MemoryStream(png)) image.FeedData(ms);
                    var cm = 16.0;
                    var heightCm = cm * Charts.Height(f.Chart) / Charts.Width;
                    body.Append(new Paragraph(new ParagraphProperties(new KeepNext(), new Justification { Val = JustificationValues.Center }),
                        new Run(Image(main.GetIdOfPart(image), ++imageId, f.FullCaption, cm, heightCm))));
                    body.Append(Caption(f.Label, "図", f.Number, f.Caption));
                    if (f.Basis is not null) body.Append(Basis(f.Basis));
                    break;
            }
        }

        body.Append(new SectionProperties(
            new FooterReference { Type = HeaderFooterValues.Default, Id = main.GetIdOfPart(footer) },
            new PageSize { Width = 11906, Height = 16838 },
            new PageMargin { Top = 1134, Right = 1134, Bottom = 1134, Left = 1134, Header = 567, Footer = 567, Gutter = 0 }));
        main.Document = new Document(body);
        main.Document.Save();
    }

    private static Paragraph P(string text, string style)
    {
        var p = new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        AppendText(p, text);
        return p;
    }

    /// <summary>Text with line breaks as &lt;w:br/&gt;; Word escapes nothing itself, the SDK writes XML-escaped text.</summary>
    private static void AppendText(OpenXmlCompositeElement p, string text, RunProperties? props = null)
    {
        var lines = XmlText.Clean(text).Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var run = new Run();
        if (props is not null) run.Append(props);
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0) run.Append(new Break());
            run.Append(new Text(lines[i]) { Space = SpaceProcessingModeValues.Preserve });
        }
        p.Append(run);
    }

    /// <summary>「表 2-」 + SEQ 表 field + caption, in the Caption style, kept with the table that follows.</summary>
    private static Paragraph Caption(string? label, string seq, int? number, string caption)
    {
        var p = new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Caption" }, new KeepNext(),
            new Justification { Val = JustificationValues.Center }));
        if (label is null || number is null)
        {
            AppendText(p, caption);
            return p;
        }
        var prefix = label[..(label.LastIndexOf('-') + 1)]; // "表 2-"
        p.Append(new Run(new Text(prefix) { Space = SpaceProcessingModeValues.Preserve }));
        p.Append(new SimpleField(new Run(new Text(number.Value.ToString()))) { Instruction = $" SEQ {seq} \\* ARABIC " });
        AppendText(p, " " + caption);
        return p;
    }

    /// <summary>「単数回答（n=48）」 under a caption, right-aligned, kept with what follows.</summary>
    private static Paragraph Basis(string text)
    {
        var p = new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Basis" }, new KeepNext(),
            new Justification { Val = JustificationValues.Right }));
        AppendText(p, text);
        return p;
    }

    /// <summary>A TOC field Word fills (with page numbers) when it updates fields on opening.</summary>
    private static Paragraph TocField(string instruction, string placeholder) => new(
        new Run(new FieldChar { FieldCharType = FieldCharValues.Begin, Dirty = true }),
        new Run(new FieldCode(instruction) { Space = SpaceProcessingModeValues.Preserve }),
        new Run(new FieldChar { FieldCharType = FieldCharValues.Separate }),
        new Run(new Text(placeholder)),
        new Run(new FieldChar { FieldCharType = FieldCharValues.End }));

    private static SimpleField Field(string instruction, string value) =>
        new(new Run(new Text(value))) { Instruction = instruction };

    private static Table Table(TableBlock t)
    {
        var columns = t.Columns;
        var widths = Widths(t, columns);
        var table = new Table();
        table.Append(new TableProperties(
            new TableStyle { Val = "ReportTable" },
            new TableWidth { Width = widths.Sum().ToString(), Type = TableWidthUnitValues.Dxa },
            new TableJustification { Val = TableRowAlignmentValues.Center },
            new TableBorders(
                new TopBorder { Val = BorderValues.Single, Size = 4, Color = "808080" },
                new LeftBorder { Val = BorderValues.Single, Size = 4, Color = "808080" },
                new BottomBorder { Val = BorderValues.Single, Size = 4, Color = "808080" },
                new RightBorder { Val = BorderValues.Single, Size = 4, Color = "808080" },
                new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4, Color = "808080" },
                new InsideVerticalBorder { Val = BorderValues.Single, Size = 4, Color = "808080" }),
            new TableLayout { Type = TableLayoutValues.Fixed },
            new TableLook { Val = "04A0", FirstRow = true, FirstColumn = false, NoVerticalBand = true }));
        table.Append(new TableGrid(widths.Select(w => new GridColumn { Width = w.ToString() })));

        foreach (var header in t.Header)
        {
            var tr = new TableRow(new TableRowProperties(new TableHeader()));
            var col = 0;
            foreach (var h in header)
            {
                tr.Append(CellOf(h.Text, widths.Skip(col).Take(h.Span).Sum(), h.Span, header: true, number: false, bold: true, keepNext: true));
                col += h.Span;
            }
            table.Append(tr);
        }
        // Keep with next, as the PDF does: a short table stays on one page, a long one keeps its first rows with the caption.
        var isLong = t.Kind is TableKind.Text or TableKind.Listing or TableKind.Respondents;
        for (var r = 0; r < t.Rows.Count; r++)
        {
            var row = t.Rows[r];
            var keep = isLong ? r < 2 : r < t.Rows.Count - 1;
            var tr = new TableRow(new TableRowProperties(new CantSplit()));
            var col = 0;
            for (var i = 0; i < row.Cells.Count; i++)
            {
                var c = row.Cells[i];
                var span = row.Kind == RowKind.Group && i == row.Cells.Count - 1 ? columns - i : 1;
                tr.Append(CellOf(c.Text, widths.Skip(col).Take(span).Sum(), span, header: false,
                    number: c.AlignsRight, bold: row.Kind != RowKind.Body, keep));
                col += span;
            }
            table.Append(tr);
        }
        return table;
    }

    private static int[] Widths(TableBlock t, int columns)
    {
        if (columns == 1) return [TextWidth];
        double[] share = t.Kind switch
        {
            TableKind.Overview => [0.2, 0.8],
            TableKind.Choice when columns == 5 => [0.44, 0.14, 0.14, 0.14, 0.14], // a wave comparison: two waves' count and percent
            TableKind.Choice => [0.6, 0.18, 0.22],
            TableKind.Respondents => [0.08, 0.6, 0.32],
            TableKind.Listing => [0.17, 0.17, .11, .11, .11, .11, .11, .11],
            _ => [0.34, .. Enumerable.Repeat(0.66 / (columns - 1), columns - 1)],
        };
        if (share.Length != columns) share = Enumerable.Repeat(1.0 / columns, columns).ToArray();
        return share.Select(s => (int)(TextWidth * s)).ToArray();
    }

    private static TableCell CellOf(string text, int width, int span, bool header, bool number, bool bold, bool keepNext)
    {
        var props = new TableCellProperties(new TableCellWidth { Width = width.ToString(), Type = TableWidthUnitValues.Dxa });
        if (span > 1) props.Append(new GridSpan { Val = span });
        if (header) props.Append(new Shading { Val = ShadingPatternValues.Clear, Color = "auto", Fill = "E8EEF5" });
        props.Append(new TableCellVerticalAlignment { Val = header ? TableVerticalAlignmentValues.Center : TableVerticalAlignmentValues.Top });
        var pp = new ParagraphProperties(new ParagraphStyleId { Val = "TableText" });
        if (keepNext) pp.Append(new KeepNext());
        pp.Append(new Justification { Val = header ? JustificationValues.Center : number ? JustificationValues.Right : JustificationValues.Left });
        var p = new Paragraph(pp);
        AppendText(p, text, bold ? new RunProperties(new Bold()) : null);
        return new TableCell(props, p);
    }

    private static Drawing Image(string relId, uint id, string name, double widthCm, double heightCm)
    {
        long cx = (long)(widthCm * 360000), cy = (long)(heightCm * 360000);
        return new Drawing(new DW.Inline(
            new DW.Extent { Cx = cx, Cy = cy },
            new DW.EffectExtent { LeftEdge = 0, TopEdge = 0, RightEdge = 0, BottomEdge = 0 },
            new DW.DocProperties { Id = id, Name = "図 " + id, Description = XmlText.Clean(name) },
            new DW.NonVisualGraphicFrameDrawingProperties(new A.GraphicFrameLocks { NoChangeAspect = true }),
            new A.Graphic(new A.GraphicData(
                new PIC.Picture(
                    new PIC.NonVisualPictureProperties(
                        new PIC.NonVisualDrawingProperties { Id = id, Name = $"chart{id}.png" },
                        new PIC.NonVisualPictureDrawingProperties()),
                    new PIC.BlipFill(new A.Blip { Embed = relId }, new A.Stretch(new A.FillRectangle())),
                    new PIC.ShapeProperties(
                        new A.Transform2D(new A.Offset { X = 0, Y = 0 }, new A.Extents { Cx = cx, Cy = cy }),
                        new A.PresetGeometry(new A.AdjustValueList()) { Preset = A.ShapeTypeValues.Rectangle })))
            { Uri = "http://schemas.openxmlformats.org/drawingml/2006/picture" }))
        { DistanceFromTop = 0, DistanceFromBottom = 0, DistanceFromLeft = 0, DistanceFromRight = 0 });
    }

    private static void AddStyles(MainDocumentPart main)
    {
        var part = main.AddNewPart<StyleDefinitionsPart>();
        var styles = new Styles(new DocDefaults(
            new RunPropertiesDefault(new RunPropertiesBaseStyle(
                new RunFonts { Ascii = Font, HighAnsi = Font, EastAsia = FontEastAsia, ComplexScript = Font },
                new FontSize { Val = "20" }, new FontSizeComplexScript { Val = "20" },
                new Languages { Val = "en-US", EastAsia = "ja-JP" })),
            new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { After = "60", Line = "300", LineRule = LineSpacingRuleValues.Auto }))));
        styles.Append(ParagraphStyle("Normal", "Normal", null, null, null, isDefault: true));
        styles.Append(ParagraphStyle("Title", "Title", null, new StyleParagraphProperties(new SpacingBetweenLines { Before = "2400", After = "1200" }, new Justification { Val = JustificationValues.Center }),
            new StyleRunProperties(new Bold(), new FontSize { Val = "40" })));
        styles.Append(ParagraphStyle("Subtitle", "Subtitle", null, new StyleParagraphProperties(new SpacingBetweenLines { Before = "1200" }, new Justification { Val = JustificationValues.Center }),
            new StyleRunProperties(new FontSize { Val = "24" })));
        styles.Append(ParagraphStyle("TOCHeading", "TOC Heading", null, new StyleParagraphProperties(new SpacingBetweenLines { Before = "240", After = "120" }),
            new StyleRunProperties(new Bold(), new FontSize { Val = "28" })));
        int[] sizes = [32, 28, 26, 22, 21];
        for (var level = 1; level <= 5; level++)
            styles.Append(ParagraphStyle("Heading" + level, "heading " + level, "BodyText",
                new StyleParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = level <= 2 ? "360" : "240", After = "120" },
                    new OutlineLevel { Val = level - 1 }),
                new StyleRunProperties(new Bold(), new FontSize { Val = sizes[level - 1].ToString() })));
        styles.Append(ParagraphStyle("BodyText", "Body Text", null, new StyleParagraphProperties(new SpacingBetweenLines { After = "120" }), null));
        styles.Append(ParagraphStyle("QuestionLine", "Question", null, new StyleParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = "160", After = "40" }),
            new StyleRunProperties(new Bold())));
        styles.Append(ParagraphStyle("Caption", "caption", "BodyText", new StyleParagraphProperties(new SpacingBetweenLines { Before = "120", After = "80" }),
            new StyleRunProperties(new Bold(), new FontSize { Val = "19" })));
        styles.Append(ParagraphStyle("Basis", "Basis", null, new StyleParagraphProperties(new SpacingBetweenLines { After = "20" }),
            new StyleRunProperties(new FontSize { Val = "17" })));
        styles.Append(ParagraphStyle("Note", "Note", null, new StyleParagraphProperties(new SpacingBetweenLines { After = "40" }),
            new StyleRunProperties(new FontSize { Val = "17" })));
        styles.Append(ParagraphStyle("TableText", "Table Text", null, new StyleParagraphProperties(new SpacingBetweenLines { After = "0", Line = "260", LineRule = LineSpacingRuleValues.Auto }),
            new StyleRunProperties(new FontSize { Val = "18" })));
        styles.Append(new Style(new StyleName { Val = "Report Table" }, new BasedOn { Val = "TableNormal" }, new UIPriority { Val = 59 },
            new StyleTableProperties(new TableCellMarginDefault(
                new TopMargin { Width = "30", Type = TableWidthUnitValues.Dxa },
                new TableCellLeftMargin { Width = 80, Type = TableWidthValues.Dxa },
                new BottomMargin { Width = "30", Type = TableWidthUnitValues.Dxa },
                new TableCellRightMargin { Width = 80, Type = TableWidthValues.Dxa })))
        { Type = StyleValues.Table, StyleId = "ReportTable" });
        styles.Append(new Style(new StyleName { Val = "Normal Table" }, new UIPriority { Val = 99 }, new SemiHidden(), new UnhideWhenUsed(),
            new StyleTableProperties(new TableIndentation { Width = 0, Type = TableWidthUnitValues.Dxa }))
        { Type = StyleValues.Table, StyleId = "TableNormal", Default = true });
        part.Styles = styles;
    }

    private static Style ParagraphStyle(string id, string name, string? basedOn, StyleParagraphProperties? p, StyleRunProperties? r, bool isDefault = false)
    {
        var s = new Style { Type = StyleValues.Paragraph, StyleId = id };
        if (isDefault) s.Default = true;
        s.Append(new StyleName { Val = name });
        if (!isDefault) s.Append(new BasedOn { Val = basedOn ?? "Normal" });
        s.Append(new PrimaryStyle());
        if (p is not null) s.Append(p);
        if (r is not null) s.Append(r);
        return s;
    }
}

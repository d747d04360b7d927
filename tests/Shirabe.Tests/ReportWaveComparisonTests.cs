using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Shirabe.Cli;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Reports;
using W = DocumentFormat.OpenXml.Wordprocessing;
using X = DocumentFormat.OpenXml.Spreadsheet;

namespace Shirabe.Tests;

/// <summary>
/// The report's wave comparison (docs/decisions/046): SC3 2023 beside the sc3-2024 sample wave, each wave's numbers as
/// its own report prints them, in all four formats.
/// </summary>
public class ReportWaveComparisonTests
{
    private static readonly string Sample = Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2024");
    private static readonly string SampleResponses = Path.Combine(Sample, "responses-2024-sample.csv");

    private const string ComparisonPart = """

  - heading: 前回（{previousYear}年度）との比較
    level: 2
    number: "2.9"
    text: 比較できる設問について、{currentYear}年度の結果を{previousYear}年度と並べて示す。
    comparison:
      items: [1-6, 2-9-a, 2-11, 3-1]
      current: "{currentYear}年度"
      previous: "{previousYear}年度"

""";

    /// <summary>The SC3 report.yaml made the sample wave's: the same layout, with a comparison part before the appendices.</summary>
    private static ReportDefinition Definition(Survey survey, bool comparison = true)
    {
        var yaml = File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "report.yaml")).Replace("survey: sc3-2023", "survey: " + survey.Id);
        if (comparison)
        {
            var at = yaml.IndexOf("\n  - heading: アンケート調査票", StringComparison.Ordinal);
            Assert.True(at > 0, "the SC3 report.yaml's appendix moved: put the comparison part elsewhere");
            yaml = yaml.Insert(at, ComparisonPart);
        }
        return ReportDefinitionLoader.Load(yaml, survey);
    }

    private static ReportRun Run(bool previous = true, bool comparison = true, string? surveyDir = null)
    {
        var survey = SurveyLoader.LoadFile(surveyDir ?? Sample);
        return new ReportRun
        {
            Survey = survey,
            Definition = Definition(survey, comparison),
            ResponsesPath = SampleResponses,
            Previous = previous ? new PreviousWave(ReportFixtures.Survey(), ReportFixtures.ResponsesPath) : null,
        };
    }

    private static TableBlock Compared(ReportDocument doc, string code) =>
        doc.Tables.Single(t => t.Caption.EndsWith("（前回比較）", StringComparison.Ordinal) && t.Caption.Contains($"設問 {code}）", StringComparison.Ordinal));

    private static TableBlock Own(ReportDocument doc, string code) =>
        doc.Tables.Single(t => !t.Caption.EndsWith("（前回比較）", StringComparison.Ordinal) && t.Caption.EndsWith($"（設問 {code}）", StringComparison.Ordinal));

    [Fact]
    public void ChoiceComparison_HasEachWavesOwnNumbers_AndTheRenamedOptionOnItsRow()
    {
        var doc = Run().Build();
        var now = Run(previous: false, comparison: false).Build();
        var before = ReportFixtures.Run().Build();

        var table = Compared(doc, "1-6");
        Assert.Equal(["", "2024年度", "2023年度"], table.Header[0].Select(h => h.Text));
        Assert.Equal("単数回答（2024年度 n=12、2023年度 n=48）", table.Basis);
        // 業種 (hideZero in the report): every row present in a wave's own table has the same count and percent there.
        var mine = Own(now, "1-6").Rows.ToDictionary(r => r.Cells[0].Text);
        var theirs = Own(before, "1-6").Rows.ToDictionary(r => r.Cells[0].Text);
        var checkedRows = 0;
        foreach (var row in table.Rows)
        {
            var label = row.Cells[0].Text;
            if (mine.TryGetValue(label, out var m)) Assert.Equal(m.Cells.Skip(1).Select(c => c.Text), row.Cells.Skip(1).Take(2).Select(c => c.Text));
            else Assert.Equal("0", row.Cells[1].Text);
            if (theirs.TryGetValue(label, out var t)) { Assert.Equal(t.Cells.Skip(1).Select(c => c.Text), row.Cells.Skip(3).Select(c => c.Text)); checkedRows++; }
            else Assert.Equal("0", row.Cells[3].Text);
        }
        Assert.True(checkedRows >= 5);
        Assert.Equal(["総計", "12", "100.0%", "48", "100.0%"], table.Rows[^1].Cells.Select(c => c.Text));

        // 2-9-a: 特に無し is option 8 now, 6 in 2023 (sameAs): its 2023 count lands on its row. The 2023 table is on
        // mentions; the counts are the same, the comparison's percent is of respondents (as the tabulation's).
        var issues = Compared(doc, "2-9");
        var none2023 = ((Core.Tabulation.ChoiceTable)Core.Tabulation.Tabulate.Survey(ReportFixtures.Survey(),
            Core.Responses.ResponsesCsv.Read(File.OpenRead(ReportFixtures.ResponsesPath), ReportFixtures.Survey()))["2-9-a"])[6];
        var row2 = issues.Rows.Single(r => r.Cells[0].Text == "特に無し");
        Assert.Equal(none2023.Count.ToString(CultureInfo.InvariantCulture), row2.Cells[3].Text);
        Assert.Equal(Format.Percent(none2023.Percent), row2.Cells[4].Text);
        Assert.Equal(Own(before, "2-9").Rows.Single(r => r.Cells[0].Text == "特に無し").Cells[1].Text, row2.Cells[3].Text);
        Assert.Equal(Own(now, "2-9").Rows.Single(r => r.Cells[0].Text == "特に無し").Cells[1].Text, row2.Cells[1].Text);
        Assert.True(none2023.Count > 0, "the test needs 2023 respondents who chose 特に無し");
    }

    [Fact]
    public void MatrixComparison_HasEachWavesRowPercents()
    {
        var doc = Run().Build();
        var now = Own(Run(previous: false, comparison: false).Build(), "2-11");
        var before = Own(ReportFixtures.Run().Build(), "2-11");
        var table = Compared(doc, "2-11");
        Assert.Equal(now.Rows.Count * 2, table.Rows.Count);
        for (var i = 0; i < now.Rows.Count; i++)
        {
            var (a, b) = (table.Rows[2 * i], table.Rows[2 * i + 1]);
            Assert.Equal(now.Rows[i].Cells[0].Text, a.Cells[0].Text);
            Assert.Equal("2024年度", a.Cells[1].Text);
            Assert.Equal("2023年度", b.Cells[1].Text);
            Assert.Equal(now.Rows[i].Cells.Skip(1).Select(c => c.Text), a.Cells.Skip(2).Select(c => c.Text));
            Assert.Equal(before.Rows[i].Cells.Skip(1).Select(c => c.Text), b.Cells.Skip(2).Select(c => c.Text));
        }
        var figure = doc.Figures.Single(f => f.Key == table.Key);
        Assert.Equal(ChartKind.Stacked, figure.Chart.Kind);
    }

    [Fact]
    public void Captions_ContinueTheReportsNumbering_AndTheHeadingNamesThePreviousYear()
    {
        var doc = Run().Build();
        var plain = Run(previous: false).Build();
        Assert.Equal(35, plain.Tables.Count(t => t.Number is not null));
        var compared = doc.Tables.Where(t => t.Caption.EndsWith("（前回比較）", StringComparison.Ordinal)).ToList();
        Assert.Equal(["表 2-36", "表 2-37", "表 2-38", "表 2-39"], compared.Select(t => t.Label));
        Assert.Equal("表 2-36 会員における業種（設問 1-6）（前回比較）", compared[0].FullCaption);
        var figures = doc.Figures.Where(f => f.Caption.EndsWith("（前回比較）", StringComparison.Ordinal)).ToList();
        Assert.Equal(plain.Figures.Count() + 1, figures[0].Number);
        Assert.Equal(ChartKind.Grouped, figures[0].Chart.Kind);
        Assert.Contains(doc.Headings, h => h.Full == "2.9 前回（2023年度）との比較");
        Assert.Contains(doc.Blocks.OfType<ParagraphBlock>(), p => p.Text == "比較できる設問について、2024年度の結果を2023年度と並べて示す。");
    }

    [Fact]
    public async Task WithoutAPreviousWave_TheComparisonPartPrintsNothing_AndTheReportIsAsBefore()
    {
        // The charts' SVG carries ids Skia draws at random: the pages compare without them, the charts as data.
        static string Page(byte[] html) => System.Text.RegularExpressions.Regex.Replace(System.Text.Encoding.UTF8.GetString(html), "<svg.*?</svg>", "<svg/>",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        var with = Page(await ReportFixtures.RenderAsync(Run(previous: false), ReportFormat.Html));
        var without = Page(await ReportFixtures.RenderAsync(Run(previous: false, comparison: false), ReportFormat.Html));
        Assert.Equal(without, with);
        Assert.DoesNotContain("前回", with);
        Assert.Equal(Run(previous: false, comparison: false).Build().Figures.Select(f => f.Chart.Series.SelectMany(s => s.Values)).SelectMany(v => v),
            Run(previous: false).Build().Figures.Select(f => f.Chart.Series.SelectMany(s => s.Values)).SelectMany(v => v));
    }

    [Fact]
    public void AnItemWithAddedOptions_IsFootnotedWithTheReason_OrLeftOut()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-wave-").FullName;
        try
        {
            var yaml = File.ReadAllText(Path.Combine(Sample, "survey.yaml"));
            const string last = "          - 医療，福祉\n          - その他\n";
            Assert.Contains(last, yaml);
            File.WriteAllText(Path.Combine(dir, "survey.yaml"), yaml.Replace(last, last + "          - 分類不能の産業\n"));
            var doc = Run(surveyDir: dir).Build();
            Assert.DoesNotContain(doc.Tables, t => t.Caption.Contains("設問 1-6）（前回比較）", StringComparison.Ordinal));
            var note = Assert.Single(doc.Blocks.OfType<NotesBlock>(), n => n.InWorkbook).Items.Single();
            Assert.Equal("※「会員における業種（設問 1-6）」は、前回と選択肢が異なるため比較していません（設問 1-6: 選択肢 18「分類不能の産業」を追加）。", note);
            // The numbering closes up: the next compared table takes the number.
            Assert.Equal("表 2-36", doc.Tables.First(t => t.Caption.EndsWith("（前回比較）", StringComparison.Ordinal)).Label);

            var omit = SurveyLoader.LoadFile(dir);
            var definition = ReportDefinitionLoader.Load(
                File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "report.yaml")).Replace("survey: sc3-2023", "survey: sc3-2024")
                    .Replace("\n  - heading: アンケート調査票", ComparisonPart.Replace("      items:", "      notComparable: omit\n      items:") + "\n  - heading: アンケート調査票"), omit);
            var left = new ReportRun { Survey = omit, Definition = definition, ResponsesPath = SampleResponses,
                Previous = new PreviousWave(ReportFixtures.Survey(), ReportFixtures.ResponsesPath) }.Build();
            Assert.DoesNotContain(left.Blocks.OfType<NotesBlock>(), n => n.InWorkbook);
            Assert.Equal(3, left.Tables.Count(t => t.Caption.EndsWith("（前回比較）", StringComparison.Ordinal)));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TheDefaultReport_ComparesEveryComparableItem_AndFootnotesTheAddedQuestion()
    {
        var survey = SurveyLoader.LoadFile(Sample);
        Assert.False(File.Exists(Path.Combine(Sample, "report.yaml")), "the sample wave has the default report");
        var run = new ReportRun
        {
            Survey = survey, Definition = ReportDefinitionLoader.LoadFile(Sample, survey, comparison: true), ResponsesPath = SampleResponses,
            Previous = new PreviousWave(ReportFixtures.Survey(), ReportFixtures.ResponsesPath),
        };
        var doc = run.Build();
        Assert.Contains(doc.Headings, h => h.Text == "前回調査（2023年）との比較");
        var note = Assert.Single(doc.Blocks.OfType<NotesBlock>(), n => n.InWorkbook).Items.Single();
        Assert.Contains("（設問 3-4）」は、前回の調査にない設問のため比較していません。", note);
        var choiceAndMatrix = doc.Tables.Count(t => t.Kind is TableKind.Choice or TableKind.Matrix && !t.Caption.EndsWith("（前回比較）", StringComparison.Ordinal));
        Assert.Equal(choiceAndMatrix - 1, doc.Tables.Count(t => t.Caption.EndsWith("（前回比較）", StringComparison.Ordinal)));
        // Without a previous wave the default report has no such section.
        Assert.DoesNotContain(ReportDefinitionLoader.LoadFile(Sample, survey).Parts, p => p.Comparison is not null);
    }

    [Fact]
    public async Task Html_Docx_Xlsx_ContainTheComparison()
    {
        var run = Run();
        var html = System.Text.Encoding.UTF8.GetString(await ReportFixtures.RenderAsync(run, ReportFormat.Html));
        Assert.Contains("表 2-37", html);
        Assert.Contains("表 2-37 団体におけるセキュリティ課題（<span class=\"nw\">設問 2-9</span>）（前回比較）", html);
        Assert.Contains("<span class=\"basis\">複数回答（2024年度 n=12、2023年度 n=48）</span>", html);
        Assert.Contains("<figure class=\"chart\" id=\"fig-", html);
        Assert.Matches(@">\s*2023年度\s*</text>", html); // the grouped chart's legend, as text in the SVG

        using var word = WordprocessingDocument.Open(new MemoryStream(await ReportFixtures.RenderAsync(run, ReportFormat.Docx)), false);
        var errors = new OpenXmlValidator(FileFormatVersions.Office2019).Validate(word).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10).Select(e => $"{e.Path?.XPath}: {e.Description}")));
        var body = word.MainDocumentPart!.Document!.Body!;
        Assert.Contains(body.Elements<W.Paragraph>(), p => p.InnerText.Contains("団体におけるセキュリティ課題（設問 2-9）（前回比較）", StringComparison.Ordinal));
        var tableTexts = body.Elements<W.Table>().Select(t => t.Elements<W.TableRow>().Select(r => r.Elements<W.TableCell>().Select(c => c.InnerText).ToList()).ToList()).ToList();
        Assert.Contains(tableTexts, t => t.Any(r => r.SequenceEqual(["特に無し", "0", "0.0%", "7", "14.6%"])));

        using var excel = SpreadsheetDocument.Open(new MemoryStream(await ReportFixtures.RenderAsync(run, ReportFormat.Xlsx)), false);
        var xerrors = new OpenXmlValidator(FileFormatVersions.Office2019).Validate(excel).ToList();
        Assert.True(xerrors.Count == 0, string.Join("\n", xerrors.Take(10).Select(e => $"{e.Path?.XPath}: {e.Description}")));
        var wb = excel.WorkbookPart!;
        var sheets = wb.Workbook!.Sheets!.Elements<X.Sheet>().ToDictionary(s => s.Name!.Value!, s => (WorksheetPart)wb.GetPartById(s.Id!.Value!));
        var sheet = sheets["表2-37"];
        static string Text(X.Cell c) => c.DataType?.Value == X.CellValues.InlineString ? c.InlineString!.InnerText : c.CellValue?.Text ?? "";
        var rows = sheet.Worksheet!.Descendants<X.Row>().Select(r => r.Elements<X.Cell>().Select(Text).ToList()).ToList();
        Assert.Equal("表 2-37 団体におけるセキュリティ課題（設問 2-9）（前回比較）", rows[0][0]);
        Assert.Contains(rows, r => r.SequenceEqual(["特に無し", "0", "0", "7", "0.146"]));
        Assert.NotNull(sheet.DrawingsPart); // the grouped chart beside the table
    }

    /// <summary>Slow (Chromium prints the whole report): skipped by `scripts/test.sh --fast` like the other PDF tests.</summary>
    [Fact]
    [Trait("Needs", "Chromium")]
    public async Task Pdf_ContainsTheComparisonTables_AndTheirCaptionsInTheContents()
    {
        var path = Path.Combine(Path.GetTempPath(), "shirabe-wave-" + Guid.NewGuid().ToString("N") + ".pdf");
        try
        {
            await File.WriteAllBytesAsync(path, await ReportFixtures.RenderAsync(Run(), ReportFormat.Pdf));
            var text = ReportFixtures.Compact(ReportFixtures.Tool("pdftotext", "-layout", "-enc", "UTF-8", path, "-"));
            // Once in the list of tables and figures, once over the table.
            var caption = ReportFixtures.Compact("表 2-37 団体におけるセキュリティ課題（設問 2-9）（前回比較）");
            Assert.True(text.Split(caption).Length - 1 >= 2, "caption printed in the contents and over the table");
            Assert.Contains("特に無し00.0%714.6%", text);
            Assert.Contains(ReportFixtures.Compact("2.9 前回（2023年度）との比較"), text);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task Xlsx_ListsTheFootnotes_AndFiguresOnlyGetSheetsOfTheirOwn()
    {
        var survey = SurveyLoader.LoadFile(Sample);
        var yaml = File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "report.yaml")).Replace("survey: sc3-2023", "survey: sc3-2024")
            .Replace("\n  - heading: アンケート調査票", ComparisonPart.Replace("      items: [1-6, 2-9-a, 2-11, 3-1]", "      show: figure") + "\n  - heading: アンケート調査票");
        var run = new ReportRun { Survey = survey, Definition = ReportDefinitionLoader.Load(yaml, survey), ResponsesPath = SampleResponses,
            Previous = new PreviousWave(ReportFixtures.Survey(), ReportFixtures.ResponsesPath) };
        var doc = run.Build();
        Assert.DoesNotContain(doc.Tables, t => t.Caption.EndsWith("（前回比較）", StringComparison.Ordinal));
        var figures = doc.Figures.Where(f => f.Caption.EndsWith("（前回比較）", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(figures);
        using var excel = SpreadsheetDocument.Open(new MemoryStream(await ReportFixtures.RenderAsync(run, ReportFormat.Xlsx)), false);
        var names = excel.WorkbookPart!.Workbook!.Sheets!.Elements<X.Sheet>().Select(s => s.Name!.Value!).ToList();
        Assert.All(figures, f => Assert.Contains(f.Label.Replace(" ", ""), names));
        Assert.True(new OpenXmlValidator(FileFormatVersions.Office2019).Validate(excel).Count() == 0);
    }

    [Fact]
    public async Task Cli_Report_TakesThePreviousWave_WithTabulatesMessages()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-wave-cli-").FullName;
        try
        {
            var output = Path.Combine(dir, "out.html");
            var error = new StringWriter();
            var code = await ShirabeCommands.RunAsync(["report", "--survey", Sample, "--responses", SampleResponses, "--format", "html", "--out", output,
                "--previous", ReportFixtures.SurveyDir], TextWriter.Null, error);
            Assert.Equal(2, code);
            Assert.Contains("--previous（前回の調査票）と --previous-responses（前回の回答ファイル）は一緒に指定してください。", error.ToString());

            error = new StringWriter();
            code = await ShirabeCommands.RunAsync(["report", "--survey", Sample, "--responses", SampleResponses, "--format", "html", "--out", output,
                "--previous", ReportFixtures.SurveyDir, "--previous-responses", Path.Combine(dir, "none.csv")], TextWriter.Null, error);
            Assert.Equal(2, code);
            Assert.Contains($"前回の回答ファイル {Path.Combine(dir, "none.csv")} がありません。", error.ToString());

            // A report.yaml without a comparison part: asking for one is an error, not a silent report without it.
            error = new StringWriter();
            code = await ShirabeCommands.RunAsync(["report", "--survey", ReportFixtures.SurveyDir, "--responses", ReportFixtures.ResponsesPath,
                "--format", "html", "--out", output, "--previous", Sample, "--previous-responses", SampleResponses], TextWriter.Null, error);
            Assert.Equal(2, code);
            Assert.Contains("前回比較の part（comparison:）がありません", error.ToString());
            Assert.False(File.Exists(output));

            code = await ShirabeCommands.RunAsync(["report", "--survey", Sample, "--responses", SampleResponses, "--format", "html", "--out", output,
                "--previous", ReportFixtures.SurveyDir, "--previous-responses", ReportFixtures.ResponsesPath], TextWriter.Null, TextWriter.Null);
            Assert.Equal(0, code);
            var html = await File.ReadAllTextAsync(output);
            Assert.Contains("前回調査（2023年）との比較", html);
            Assert.Contains("会員の業種（<span class=\"nw\">設問 1-6</span>）（前回比較）", html);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Definition_ChecksTheComparisonPart()
    {
        var survey = SurveyLoader.LoadFile(Sample);
        var yaml = File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "report.yaml")).Replace("survey: sc3-2023", "survey: sc3-2024")
            + "\n  - comparison: { items: [9-9, 1-3-x, 2-2], show: pie, notComparable: drop }\n";
        var e = Assert.Throws<ReportDefinitionException>(() => ReportDefinitionLoader.Load(yaml, survey));
        Assert.Contains(e.Problems, p => p.Contains("comparison.items: 設問 9-9 は調査票にありません。", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("comparison.items: 設問 2-2 は報告書の choice・matrix の表にありません", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("comparison.show は both（表と図）、table、figure のいずれかです。", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("comparison.notComparable は note（注記で理由を示す）か omit（載せない）です。", StringComparison.Ordinal));
    }
}

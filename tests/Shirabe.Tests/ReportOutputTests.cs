using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Shirabe.Reports;
using W = DocumentFormat.OpenXml.Wordprocessing;
using X = DocumentFormat.OpenXml.Spreadsheet;

namespace Shirabe.Tests;

/// <summary>
/// The numbers of chapter 2 as the 2023 SC3 report prints them (the printed report; not kept in this repository), transcribed here,
/// to be found in every output format. Where the report contradicts itself, docs/known-issues-sc3-2023.md decides.
/// </summary>
public static class PrintedNumbers
{
    /// <summary>Every caption of chapter 2, in order, spelled once and correctly (図 2-2 without the typo).</summary>
    public static readonly string[] Captions =
    [
        "表 2-1 アンケート調査概要", "表 2-2 会員数（設問 1-3）", "図 2-1 会員数（設問 1-3）", "表 2-3 会員における業種（設問 1-6）",
        "図 2-2 会員における業種（設問 1-6）", "表 2-4 企業規模の割合（設問 1-4）および製造業とサービス業の割合（設問 1-5）",
        "表 2-5 脅威・インシデント等の情報共有に関する実施状況（設問 2-1）", "図 2-3 脅威・インシデント等の情報共有に関する実施状況（設問 2-1）",
        "表 2-6 脅威・インシデント等の情報共有に関する具体的な内容（設問 2-2）",
        "表 2-7 サイバーセキュリティ対策事例の共有に関する実施状況（設問 2-3）", "図 2-4 サイバーセキュリティ対策事例の共有に関する実施状況（設問 2-3）",
        "表 2-8 サイバーセキュリティ対策事例の共有に関する具体的な取り組み内容（設問 2-4）",
        "表 2-9 サイバーセキュリティ人材育成に関する実施状況（設問 2-5）", "図 2-5 サイバーセキュリティ人材育成に関する実施状況（設問 2-5）",
        "表 2-10 サイバーセキュリティ人材育成に関する具体的な内容（設問 2-6）",
        "表 2-11 業界のセキュリティ向上に関する検討に関わる活動（設問 2-7）", "図 2-6 業界のセキュリティ向上に関する検討に関わる活動（設問 2-7）",
        "表 2-12 業界のセキュリティ向上に関する検討に関わる具体的な内容（設問 2-8）",
        "表 2-13 団体におけるセキュリティ課題（設問 2-9）", "図 2-7 団体におけるセキュリティ課題（設問 2-9）",
        "表 2-14 セキュリティ課題の具体的な内容（設問 2-10）",
        "表 2-15 業界セキュリティガイドライン等や文書の作成状況（設問 2-11）", "図 2-8 業界セキュリティガイドライン等や文書の作成状況（設問 2-11）",
        "表 2-16 業界セキュリティガイドライン等や文書の作成状況「その他」の詳細",
        "表 2-17 「作成中」、「作成・公表済」のガイドラインや文書の名称（設問 2-12）",
        "表 2-18 「作成中」、「作成・公表済」のガイドライン・文書で参考にした文書（設問 2-13）",
        "図 2-9 「作成中」、「作成・公表済」のガイドライン・文書で参考にした文書（設問 2-13）",
        "表 2-19 ガイドライン・文書で参考にした文書 「その他」の場合の詳細",
        "表 2-20 ガイドライン・文書作成の際の参考文書を参考にした理由（設問 2-14）",
        "表 2-21 「中小企業のセキュリティ対策ガイドライン（第 3.1版）」の認知状況（設問 3-1）",
        "図 2-10 「中小企業のセキュリティ対策ガイドライン（第 3.1版）」の認知状況（設問 3-1）",
        "表 2-22 「中小企業のセキュリティ対策ガイドライン（第 3.1版）」を認知できた経緯（設問 3-2）",
        "図 2-11 「中小企業のセキュリティ対策ガイドライン（第 3.1版）」を認知できた経緯（設問 3-2）",
        "表 2-23 「中小企業のセキュリティ対策ガイドライン」を認知できた経緯 「その他」の詳細",
        "表 2-24 「中小企業のセキュリティ対策ガイドライン（第 3.1版）」の活用状況（設問 3-3）",
        "図 2-12 「中小企業のセキュリティ対策ガイドライン（第 3.1版）」の活用状況（設問 3-3）",
        "表 2-25 業界セキュリティガイドライン等や文書の作成または改訂の意向（設問 4-1）",
        "図 2-13 業界セキュリティガイドライン等や文書の作成または改訂の意向（設問 4-1）",
        "表 2-26 業界セキュリティガイドライン等や文書の作成または改訂 「意向無し」の理由",
        "表 2-27 業界セキュリティガイドライン等や文書の作成または改訂 「その他」の詳細",
        "表 2-28 業界団体内での業界セキュリティガイドライン等の作成/改訂可否（設問 4-2）",
        "図 2-14 業界団体内での業界セキュリティガイドライン等の作成/改訂可否（設問 4-2）",
        "表 2-29 IPAで実施予定の「中小企業の情報セキュリティガイドライン(第 3.1版)をもとにした業界セキュリティガイドラインの策定支援」の活用意向（設問 4-3）",
        "図 2-15 IPAで実施予定の「中小企業の情報セキュリティガイドライン(第 3.1版)をもとにした業界セキュリティガイドラインの策定支援」の活用意向（設問 4-3）",
        "表 2-30 業界セキュリティガイドラインの策定支援の活用意向 「意向無し」の理由",
        "表 2-31 業界セキュリティガイドラインの策定支援の活用意向 「その他」の詳細",
        "表 2-32 IPAで実施予定の「業界団体加盟の中小企業に対してセキュリティ専門家を派遣し、規程や体制を構築するための支援」の活用意向（設問 4-4）",
        "図 2-16 IPAで実施予定の「業界団体加盟の中小企業に対してセキュリティ専門家を派遣し、規程や体制を構築するための支援」の活用意向（設問 4-4）",
        "表 2-33 専門家を派遣し規程や体制を構築するための支援 「意向無し」の場合の理由",
        "表 2-34 専門家を派遣し規程や体制を構築するための支援 「その他」の詳細",
        "表 2-35 業界におけるセキュリティガイドラインの普及を促進するにあたり、必要と思われる事項（設問 4-5）",
    ];

    /// <summary>
    /// Count tables: (label, count, percent) rows as printed (percents of the base, worked out by hand where the report
    /// prints them only in its charts and text, never by the code under test); the base of the percent column.
    /// </summary>
    public static readonly (int Table, (string Label, long Count, string Pct)[] Rows, long Base)[] Counts =
    [
        (2, [("10社未満", 1, "2.1%"), ("10社～50社未満", 12, "25.0%"), ("50社～100社未満", 8, "16.7%"), ("100社～500社未満", 24, "50.0%"), ("500社～1,000社未満", 0, "0.0%"), ("1000社以上", 2, "4.2%"), ("無回答", 1, "2.1%"), ("総計", 48, "100.0%")], 48),
        (3, [("製造業", 25, "52.1%"), ("電気・ガス・熱供給・水道業", 2, "4.2%"), ("情報通信業", 1, "2.1%"), ("卸売業，小売業", 4, "8.3%"), ("金融業，保険業", 2, "4.2%"), ("生活関連サービス業，娯楽業", 1, "2.1%"), ("医療，福祉", 3, "6.3%"), ("その他", 8, "16.7%"), ("無回答", 2, "4.2%"), ("総計", 48, "100.0%")], 48),
        (13, [("会員企業のセキュリティの実態が把握できていない", 32, "23.4%"), ("会員企業における共通のセキュリティ課題が明確にできていない", 28, "20.4%"),
              ("業界団体にセキュリティに関する活動を推進するための知識・知見が不足している", 24, "17.5%"), ("会員企業の実態を把握した上で、業界としてのガイドライン・指針等を策定するのが難しい", 21, "15.3%"),
              ("会員企業に対して具体的なセキュリティ対策を示せていない", 22, "16.1%"), ("特に無し", 7, "5.1%"), ("その他", 3, "2.2%")], 137),
        (18, [("サイバーセキュリティ経営ガイドライン", 2, "5.0%"), ("中小企業の情報セキュリティ対策ガイドライン", 4, "10.0%"), ("サイバー・フィジカル・セキュリティ・対策フレームワーク", 3, "7.5%"),
              ("IoTセキュリティガイドライン", 2, "5.0%"), ("ISO/IEC27000シリーズ", 7, "17.5%"), ("NISTサイバーセキュリティフレームワーク", 5, "12.5%"), ("NISTSP800シリーズ", 6, "15.0%"), ("IEC62443シリーズ", 4, "10.0%"), ("その他", 7, "17.5%")], 40),
        (21, [("ガイドラインについて認知していて、内容についても確認している", 16, "33.3%"), ("ガイドラインについて認知しているが、内容までは確認できていない", 17, "35.4%"), ("本アンケートで初めて知った", 14, "29.2%"), ("無回答", 1, "2.1%"), ("総計", 48, "100.0%")], 48),
        (22, [("他業界団体からの案内", 2, "6.7%"), ("経済産業省の HP", 17, "56.7%"), ("セミナーでの案内", 4, "13.3%"), ("社内の上司・同僚等からの情報共有", 0, "0.0%"), ("その他", 7, "23.3%"), ("総計", 30, "100.0%")], 30),
        (25, [("作成/改訂の意向あり", 13, "27.1%"), ("作成/改訂の意向無し", 25, "52.1%"), ("その他", 4, "8.3%"), ("無回答", 6, "12.5%"), ("総計", 48, "100.0%")], 48),
        (28, [("自団体・協会で作成/改訂可", 12, "25.0%"), ("外部の支援があれば自団体・協会で作成/改訂可", 16, "33.3%"), ("外部の支援があっても作成/改訂不可", 10, "20.8%"), ("無回答", 10, "20.8%"), ("総計", 48, "100.0%")], 48),
        (29, [("活用の意向あり", 14, "29.2%"), ("活用の意向無し", 18, "37.5%"), ("その他", 10, "20.8%"), ("無回答", 6, "12.5%"), ("総計", 48, "100.0%")], 48),
        (32, [("活用の意向あり", 11, "22.9%"), ("活用の意向無し", 16, "33.3%"), ("その他", 15, "31.3%"), ("無回答", 6, "12.5%"), ("総計", 48, "100.0%")], 48),
    ];

    /// <summary>Matrix tables: per row 未実施 / 一部実施 / 実施済み / 無回答 / 全体 as printed, and the row's n.</summary>
    public static readonly (int Table, (string[] Percents, long N)[] Rows)[] Matrices =
    [
        (5, [(["4.2", "50.0", "45.8", "0.0", "100.0"], 48), (["35.4", "39.6", "25.0", "0.0", "100.0"], 48), (["52.1", "29.2", "14.6", "4.2", "100.0"], 48),
             (["43.8", "35.4", "14.6", "6.3", "100.0"], 48), (["50.0", "6.3", "8.3", "35.4", "100.0"], 48)]),
        (7, [(["60.4", "25.0", "8.3", "6.3", "100.0"], 48), (["54.2", "35.4", "4.2", "6.3", "100.0"], 48), (["77.1", "16.7", "2.1", "4.2", "100.0"], 48),
             (["52.1", "6.3", "2.1", "39.6", "100.0"], 48)]),
        (9, [(["47.9", "33.3", "16.7", "2.1", "100.0"], 48), (["81.3", "8.3", "6.3", "4.2", "100.0"], 48), (["87.5", "4.2", "4.2", "4.2", "100.0"], 48),
             (["85.4", "6.3", "4.2", "4.2", "100.0"], 48), (["85.4", "8.3", "2.1", "4.2", "100.0"], 48), (["64.6", "25.0", "8.3", "2.1", "100.0"], 48),
             (["57.8", "2.2", "0.0", "40.0", "100.0"], 45)]),
        (11, [(["52.1", "22.9", "22.9", "2.1", "100.0"], 48), (["64.6", "14.6", "18.8", "2.1", "100.0"], 48), (["83.3", "8.3", "4.2", "4.2", "100.0"], 48),
              (["70.8", "10.4", "14.6", "4.2", "100.0"], 48), (["66.7", "20.8", "10.4", "2.1", "100.0"], 48), (["58.3", "0.0", "2.1", "39.6", "100.0"], 48)]),
        (15, [(["72.9", "2.1", "18.8", "6.3", "100.0"], 48), (["79.2", "6.3", "6.3", "8.3", "100.0"], 48), (["83.3", "0.0", "8.3", "8.3", "100.0"], 48),
              (["77.1", "6.3", "8.3", "8.3", "100.0"], 48), (["56.3", "0.0", "8.3", "35.4", "100.0"], 48)]),
        (24, [(["52.1", "18.8", "16.7", "12.5", "100.0"], 48), (["75.0", "6.3", "2.1", "16.7", "100.0"], 48), (["64.6", "20.8", "0.0", "14.6", "100.0"], 48)]),
    ];

    /// <summary>Rows of table 2-4 (大企業 中小企業 その他 製造業 サービス業 その他) as printed, and its group headings.</summary>
    public static readonly string[] ListingRows =
    [
        "20%80%0%0%0%100%", "85%15%0%91%9%0%", "14.5%85.5%0%80%20%0%", "43%30%27%18%55%27%", "95%0%5%0%100%0%",
        "（無回答）0%0%100%", "51%41%8%28%43%29%",
    ];

    public static readonly string[] ListingGroups =
        ["電気・ガス・熱供給・水道業（2）", "製造業（25）※無回答2件", "金融業，保険業（2）※無回答1件", "その他（8）※無回答1件"];

}

/// <summary>Collects the text of each caption's region: from the caption to the next other caption (a table continued on the next page is one region).</summary>
internal static class Regions
{
    public static Dictionary<string, string> ByCaption(string compactBody)
    {
        var labels = Regex.Matches(compactBody, @"(表|図)2-\d+(?!\d)").Cast<Match>().ToList();
        var result = new Dictionary<string, string>();
        for (var i = 0; i < labels.Count; i++)
        {
            var next = labels.Skip(i + 1).FirstOrDefault(l => l.Value != labels[i].Value);
            result.TryAdd(labels[i].Value, compactBody[labels[i].Index..(next?.Index ?? compactBody.Length)]);
        }
        return result;
    }
}

/// <summary>What the answer type under each caption must be, from the kinds of the items in survey.yaml (not from the report code).</summary>
internal static class AnswerTypes
{
    public static Dictionary<string, string> ByLabel()
    {
        var survey = ReportFixtures.Survey();
        var definition = ReportFixtures.Definition(survey);
        var result = new Dictionary<string, string>();
        int tables = 0, figures = 0;
        foreach (var part in definition.Parts)
        {
            if (part.Table is not { IsNumbered: true } spec) continue;
            tables++;
            if (spec.Kind == Shirabe.Core.Reports.TableKind.Overview) continue;
            var type = survey[spec.Items[0]].Kind switch
            {
                Shirabe.Core.Questionnaire.ItemKind.Multiple => "複数回答",
                Shirabe.Core.Questionnaire.ItemKind.Text => "自由記述",
                Shirabe.Core.Questionnaire.ItemKind.Split => "数値回答",
                _ => "単数回答",
            };
            result[$"表2-{tables}"] = type;
            if (part.Figure is not null) result[$"図2-{++figures}"] = type;
        }
        return result;
    }
}

/// <summary>The Word and Excel files open with the OpenXML SDK, validate, and hold the same numbers.</summary>
public class ReportOfficeTests
{
    [Fact]
    public async Task Docx_IsValid_WithCaptionsAsSeqFields_AndThePrintedNumbers()
    {
        var bytes = await ReportFixtures.RenderAsync(ReportFixtures.Run(), ReportFormat.Docx);
        using var word = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        var errors = new OpenXmlValidator(FileFormatVersions.Office2019).Validate(word).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10).Select(e => $"{e.Path?.XPath}: {e.Description}")));

        var body = word.MainDocumentPart!.Document!.Body!;
        var captions = body.Elements<W.Paragraph>().Where(p => p.ParagraphProperties?.ParagraphStyleId?.Val?.Value == "Caption").ToList();
        var numbered = captions.Where(p => p.Descendants<W.SimpleField>().Any()).Select(p => p.InnerText).ToList();
        Assert.Equal(PrintedNumbers.Captions.Length, numbered.Count);
        for (var i = 0; i < numbered.Count; i++) Assert.Equal(ReportFixtures.Compact(PrintedNumbers.Captions[i]), ReportFixtures.Compact(numbered[i]));
        Assert.All(captions.SelectMany(p => p.Descendants<W.SimpleField>()), f => Assert.Matches(@"^ SEQ (表|図) ", f.Instruction!.Value!));

        var tables = body.Elements<W.Table>().ToList();
        Assert.All(tables, t => Assert.NotNull(t.GetFirstChild<W.TableGrid>()));
        string CellsOf(int tableNumber)
        {
            var caption = captions.First(p => ReportFixtures.Compact(p.InnerText).StartsWith($"表2-{tableNumber}", StringComparison.Ordinal));
            var table = caption.ElementsAfter().OfType<W.Table>().First();
            return string.Concat(table.Descendants<W.TableCell>().Select(c => c.InnerText));
        }
        foreach (var (table, rows, _) in PrintedNumbers.Counts)
            foreach (var (label, count, pct) in rows)
                Assert.Contains(ReportFixtures.Compact(label) + count + pct, ReportFixtures.Compact(CellsOf(table)));
        foreach (var (table, rows) in PrintedNumbers.Matrices)
            foreach (var (percents, n) in rows)
                Assert.Contains(string.Concat(percents.Select(p => p + "%")) + n, CellsOf(table));
        Assert.NotEmpty(word.MainDocumentPart.ImageParts);
        Assert.Equal(16, word.MainDocumentPart.ImageParts.Count());
    }

    [Fact]
    public async Task Docx_HasContentsAndFigureListFields_RepeatedHeaders_AndAnswerTypesUnderCaptions()
    {
        var bytes = await ReportFixtures.RenderAsync(ReportFixtures.Run(), ReportFormat.Docx);
        using var word = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        Assert.Empty(new OpenXmlValidator(FileFormatVersions.Office2019).Validate(word));
        var body = word.MainDocumentPart!.Document!.Body!;

        var fields = body.Descendants<W.FieldCode>().Select(f => f.Text.Trim()).ToList();
        Assert.Contains(fields, f => f.StartsWith("TOC \\o \"1-4\"", StringComparison.Ordinal));
        Assert.Contains(fields, f => f.Contains("\\c \"表\"", StringComparison.Ordinal));
        Assert.Contains(fields, f => f.Contains("\\c \"図\"", StringComparison.Ordinal));
        Assert.True(word.MainDocumentPart.DocumentSettingsPart!.Settings!.GetFirstChild<W.UpdateFieldsOnOpen>()!.Val!.Value);

        // Header rows repeat on each page; the caption keeps with the table, and so do its first rows.
        foreach (var table in body.Elements<W.Table>().Where(t => t.Elements<W.TableRow>().Any(r => r.TableRowProperties?.GetFirstChild<W.TableHeader>() is not null)))
        {
            var rows = table.Elements<W.TableRow>().ToList();
            var header = rows.TakeWhile(r => r.TableRowProperties?.GetFirstChild<W.TableHeader>() is not null).Count();
            Assert.InRange(header, 1, 2);
            Assert.All(rows.Skip(header).Take(Math.Min(2, rows.Count - header - 1)),
                r => Assert.All(r.Descendants<W.ParagraphProperties>(), p => Assert.NotNull(p.GetFirstChild<W.KeepNext>())));
        }
        var types = AnswerTypes.ByLabel();
        var paragraphs = body.Elements<W.Paragraph>().ToList();
        var checkedCount = 0;
        for (var i = 0; i < paragraphs.Count - 1; i++)
        {
            if (paragraphs[i].ParagraphProperties?.ParagraphStyleId?.Val?.Value != "Caption") continue;
            Assert.NotNull(paragraphs[i].ParagraphProperties!.GetFirstChild<W.KeepNext>());
            var label = Regex.Match(ReportFixtures.Compact(paragraphs[i].InnerText), @"^(表|図)2-\d+").Value;
            if (!types.TryGetValue(label, out var type)) continue;
            Assert.StartsWith(type + "（n", paragraphs[i + 1].InnerText);
            checkedCount++;
        }
        Assert.Equal(types.Count, checkedCount);
        // Notes that carry their own marker (※1) get no second one.
        Assert.Contains(paragraphs, p => p.InnerText.StartsWith("※1 ", StringComparison.Ordinal));
        Assert.DoesNotContain(paragraphs, p => p.InnerText.StartsWith("・※", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Xlsx_IsValid_WithNumbersAsNumbers_RawResponses_AndCodebook()
    {
        var bytes = await ReportFixtures.RenderAsync(ReportFixtures.Run(), ReportFormat.Xlsx);
        using var book = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var errors = new OpenXmlValidator(FileFormatVersions.Office2019).Validate(book).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(10).Select(e => $"{e.Path?.XPath}: {e.Description}")));

        var wb = book.WorkbookPart!;
        var sheets = wb.Workbook!.Sheets!.Elements<X.Sheet>().ToDictionary(s => s.Name!.Value!, s => (WorksheetPart)wb.GetPartById(s.Id!.Value!));
        for (var t = 1; t <= 35; t++) Assert.Contains($"表2-{t}", sheets.Keys);
        Assert.Contains("回答データ", sheets.Keys);
        Assert.Contains("コードブック", sheets.Keys);

        List<List<X.Cell>> Rows(string sheet) =>
            sheets[sheet].Worksheet!.Descendants<X.Row>().Select(r => r.Elements<X.Cell>().ToList()).ToList();
        static string Text(X.Cell c) => c.DataType?.Value == X.CellValues.InlineString ? c.InlineString!.InnerText : c.CellValue?.Text ?? "";
        static bool IsNumber(X.Cell c) => c.DataType is null && c.CellValue is not null;

        foreach (var (table, printed, _) in PrintedNumbers.Counts)
        {
            var rows = Rows($"表2-{table}").Where(r => r.Count == 3 && IsNumber(r[1])).ToList();
            foreach (var (label, count, pct) in printed)
            {
                var row = rows.Single(r => Text(r[0]) == label);
                Assert.Equal(count, decimal.Parse(Text(row[1]), System.Globalization.CultureInfo.InvariantCulture));
                var expected = decimal.Parse(pct.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture) / 100m;
                Assert.Equal(expected, decimal.Parse(Text(row[2]), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        foreach (var (table, printed) in PrintedNumbers.Matrices)
        {
            var rows = Rows($"表2-{table}").Where(r => r.Count == 7 && IsNumber(r[1])).ToList();
            Assert.Equal(printed.Length, rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var values = rows[i].Skip(1).Take(5).Select(c => decimal.Parse(Text(c), System.Globalization.CultureInfo.InvariantCulture) * 100).ToArray();
                Assert.Equal(printed[i].Percents.Select(p => decimal.Parse(p, System.Globalization.CultureInfo.InvariantCulture)), values);
                Assert.Equal(printed[i].N, long.Parse(Text(rows[i][6])));
            }
        }
        var raw = Rows("回答データ");
        Assert.Equal(49, raw.Count);
        Assert.Equal("id", Text(raw[0][0]));
        Assert.Equal("R01", Text(raw[1][0]));
        var header = raw[0].Select(Text).ToList();
        Assert.Contains("q1_2_a", header);
        Assert.DoesNotContain("q1_1_a", header); // personal items stay out unless asked for
        var codebook = Rows("コードブック");
        Assert.Contains(codebook, r => Text(r[0]) == "q2_9_a" && Text(r[4]).Contains("6=特に無し"));
        Assert.NotNull(sheets["表2-5"].DrawingsPart);
    }
}

public class ReportHtmlTests
{
    [Fact]
    public async Task Html_NotesWithTheirOwnMarker_GetNoBullet_AndCaptionsSayTheAnswerType()
    {
        var html = System.Text.Encoding.UTF8.GetString(await ReportFixtures.RenderAsync(ReportFixtures.Run(), ReportFormat.Html));
        Assert.Contains("<li class=\"marked\">※1 「No.」は、回答日が早い順である。</li>", html);
        Assert.Matches(@"\.notes li\.marked \{ list-style: none; \}", html);
        Assert.Contains("<li>各設問の回答方法には、", html); // a note without a marker of its own keeps its bullet
        Assert.Contains("<span class=\"basis\">複数回答（n=", html);
        Assert.DoesNotContain("（続き）</span>", html.Replace("<span class=\"cont hidden\">（続き）</span>", "")); // no page, no continuation
    }
}

/// <summary>Free text that would run as script or as a formula comes out as plain text in every format.</summary>
public class ReportEscapingTests
{
    private const string Script = "<script>alert(1)</script>";
    private const string Formula = "=HYPERLINK(\"http://x\")";

    private static string Hostile() => ReportFixtures.ResponsesWith((r, s) => r.Id switch
    {
        "R01" => ReportFixtures.WithText(r, s, "2-2", Script),
        "R02" => ReportFixtures.WithText(r, s, "2-2", Formula),
        "R03" => ReportFixtures.WithText(ReportFixtures.WithText(r, s, "4-5", "@SUM(A1:A2)"), s, "1-2-a", "+cmd|' /C calc'!A0"),
        _ => r,
    });

    [Fact]
    public async Task Html_EscapesFreeText()
    {
        var path = Hostile();
        try
        {
            var html = System.Text.Encoding.UTF8.GetString(await ReportFixtures.RenderAsync(ReportFixtures.Run(path), ReportFormat.Html));
            Assert.DoesNotContain(Script, html);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
            Assert.Contains("=HYPERLINK(&quot;http://x&quot;)", html);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    [Trait("Needs", "Chromium")]
    public async Task Pdf_ShowsTheScriptAsText()
    {
        var path = Hostile();
        var pdfPath = path + ".pdf";
        try
        {
            await File.WriteAllBytesAsync(pdfPath, await ReportFixtures.RenderAsync(ReportFixtures.Run(path), ReportFormat.Pdf));
            var text = ReportFixtures.Tool("pdftotext", "-enc", "UTF-8", pdfPath, "-");
            Assert.Contains(Script, text);
            Assert.Contains(Formula, text);
        }
        finally { File.Delete(path); File.Delete(pdfPath); }
    }

    [Fact]
    public async Task Docx_HoldsTheTextAsText()
    {
        var path = Hostile();
        try
        {
            using var word = WordprocessingDocument.Open(new MemoryStream(await ReportFixtures.RenderAsync(ReportFixtures.Run(path), ReportFormat.Docx)), false);
            var body = word.MainDocumentPart!.Document!.Body!;
            Assert.Contains(body.Descendants<W.Text>(), t => t.Text == Script);
            Assert.Contains(body.Descendants<W.Text>(), t => t.Text == Formula);
            // No field other than the report's own (TOC, SEQ) exists.
            Assert.All(body.Descendants<W.SimpleField>(), f => Assert.Matches(@"^ SEQ ", f.Instruction!.Value!));
            Assert.DoesNotContain(word.MainDocumentPart.Document.Descendants<W.FieldCode>(), f => !f.Text.Contains("TOC"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task Xlsx_NeutralisesFormulaLikeText()
    {
        var path = Hostile();
        try
        {
            using var book = SpreadsheetDocument.Open(new MemoryStream(await ReportFixtures.RenderAsync(ReportFixtures.Run(path), ReportFormat.Xlsx)), false);
            var cells = book.WorkbookPart!.WorksheetParts.SelectMany(p => p.Worksheet!.Descendants<X.Cell>()).ToList();
            Assert.DoesNotContain(cells, c => c.CellFormula is not null);
            var texts = cells.Where(c => c.InlineString is not null).Select(c => c.InlineString!.InnerText).ToList();
            Assert.Contains("'" + Formula, texts);
            Assert.Contains("'@SUM(A1:A2)", texts);
            Assert.Contains("'+cmd|' /C calc'!A0", texts);
            Assert.Contains(Script, texts);
            Assert.DoesNotContain(texts, t => t.Length > 0 && t[0] is '=' or '+' or '-' or '@');
        }
        finally { File.Delete(path); }
    }
}

/// <summary>The base (n) of a table is said once, in the line under its caption, in every format (issue 8 item 16).</summary>
public class ReportBaseOnceTests
{
    private static readonly Regex OldNote = new(@"n = \d"); // the note 「n = 48」 that once repeated the base under each table

    [Fact]
    public async Task Html_Docx_Xlsx_SayTheBaseOnlyUnderTheCaption()
    {
        var run = ReportFixtures.Run();
        var html = System.Text.Encoding.UTF8.GetString(await ReportFixtures.RenderAsync(run, ReportFormat.Html));
        Assert.Contains("<span class=\"basis\">単数回答（n=48）</span>", html);
        Assert.DoesNotMatch(OldNote, html);
        Assert.Contains("<p class=\"note\">割合は回答数の合計に対する比率。</p>", html); // what the note still says

        using var word = WordprocessingDocument.Open(new MemoryStream(await ReportFixtures.RenderAsync(run, ReportFormat.Docx)), false);
        var paragraphs = word.MainDocumentPart!.Document!.Body!.Elements<W.Paragraph>()
            .Select(p => (Style: p.ParagraphProperties?.ParagraphStyleId?.Val?.Value, Text: p.InnerText)).ToList();
        Assert.Contains(paragraphs, p => p is { Style: "Basis", Text: "単数回答（n=48）" });
        Assert.DoesNotContain(paragraphs, p => p.Style != "Basis" && Regex.IsMatch(p.Text, @"n\s*=\s*\d"));

        using var excel = SpreadsheetDocument.Open(new MemoryStream(await ReportFixtures.RenderAsync(run, ReportFormat.Xlsx)), false);
        var texts = excel.WorkbookPart!.WorksheetParts.SelectMany(w => w.Worksheet!.Descendants<X.Cell>()).Select(c => c.InnerText)
            .Concat(excel.WorkbookPart.SharedStringTablePart?.SharedStringTable!.Elements<X.SharedStringItem>().Select(s => s.InnerText) ?? []).ToList();
        Assert.Contains("単数回答（n=48）", texts);
        Assert.DoesNotContain(texts, t => OldNote.IsMatch(t));
    }
}

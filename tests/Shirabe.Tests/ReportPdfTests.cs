using System.Text.RegularExpressions;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>The SC3 report rendered to PDF by Chromium and read back with pdftotext.</summary>
public sealed class ReportPdfFixture : IAsyncLifetime
{
    public byte[] Pdf { get; private set; } = [];
    public string Text { get; private set; } = "";
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shirabe-report-" + Guid.NewGuid().ToString("N") + ".pdf");

    public async Task InitializeAsync()
    {
        Pdf = await ReportFixtures.RenderAsync(ReportFixtures.Run(), ReportFormat.Pdf);
        await File.WriteAllBytesAsync(Path, Pdf);
        Text = ReportFixtures.Tool("pdftotext", "-layout", "-enc", "UTF-8", Path, "-");
    }

    public Task DisposeAsync()
    {
        File.Delete(Path);
        return Task.CompletedTask;
    }
}

/// <summary>Slow (the whole report printed by Chromium once, ≈ 10 s): apart from the millisecond tests, skipped by `scripts/test.sh --fast`.</summary>
[Trait("Needs", "Chromium")]
public class ReportPdfTests(ReportPdfFixture pdf) : IClassFixture<ReportPdfFixture>
{
    /// <summary>The body: after the list of tables and figures that opens the report.</summary>
    private string Body
    {
        get
        {
            var text = ReportFixtures.Compact(pdf.Text);
            // The contents list every caption first; the body begins after its last entry.
            var toc = text.IndexOf(ReportFixtures.Compact(PrintedNumbers.Captions[^1]), StringComparison.Ordinal);
            var start = text.IndexOf("2.1調査方針", toc + 1, StringComparison.Ordinal);
            Assert.True(start > 0, "the body starts with 2.1 調査方針");
            return text[start..];
        }
    }

    [Fact]
    public void Pdf_IsA4_WithPageNumbers()
    {
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(pdf.Pdf, 0, 4));
        var info = ReportFixtures.Tool("pdfinfo", pdf.Path);
        Assert.Matches(@"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info);
        var pages = int.Parse(Regex.Match(info, @"Pages:\s+(\d+)").Groups[1].Value);
        Assert.True(pages > 20, $"{pages} pages");
        Assert.Contains($"1 / {pages}", pdf.Text);
        Assert.Contains($"{pages} / {pages}", pdf.Text);
    }

    [Fact]
    public void Pdf_HasEveryCaption_InOrder()
    {
        var body = Body;
        var at = 0;
        foreach (var caption in PrintedNumbers.Captions)
        {
            var i = body.IndexOf(ReportFixtures.Compact(caption), at, StringComparison.Ordinal);
            Assert.True(i >= 0, $"「{caption}」 is missing or out of order");
            at = i;
        }
        Assert.DoesNotContain("おおける", pdf.Text);
    }

    [Fact]
    public void Pdf_HasTableOfContents()
    {
        var toc = ReportFixtures.Compact(pdf.Text[..pdf.Text.IndexOf("図表一覧", StringComparison.Ordinal)]);
        Assert.Contains("目次", toc);
        Assert.Contains("2.2.1回答者属性", toc);
        Assert.Contains("参考資料2アンケート回答団体一覧表", toc);
    }

    [Fact]
    public void Pdf_CountTables_HoldThePrintedNumbers()
    {
        var regions = Regions.ByCaption(Body);
        foreach (var (table, rows, _) in PrintedNumbers.Counts)
        {
            var region = regions[$"表2-{table}"];
            var at = 0;
            foreach (var (label, count, pct) in rows)
            {
                // The row: its label (a long one wraps below its numbers), then the count and the percent.
                var start = ReportFixtures.Compact(label);
                start = start[..Math.Min(12, start.Length)];
                var m = new Regex(Regex.Escape(start) + "[^%]*?" + count + Regex.Escape(pct)).Match(region, at);
                Assert.True(m.Success, $"表 2-{table}: {label} {count} {pct}");
                at = m.Index + m.Length;
            }
        }
    }

    [Fact]
    public void Pdf_MatrixTables_HoldThePrintedPercents()
    {
        var regions = Regions.ByCaption(Body);
        foreach (var (table, rows) in PrintedNumbers.Matrices)
        {
            var region = regions[$"表2-{table}"];
            var at = 0;
            foreach (var (percents, n) in rows)
            {
                var cells = string.Concat(percents.Select(p => p + "%")) + n;
                var i = region.IndexOf(cells, at, StringComparison.Ordinal);
                Assert.True(i >= 0, $"表 2-{table}: {cells}");
                at = i;
            }
        }
    }

    [Fact]
    public void Pdf_Table2_4_ListsTheSplits()
    {
        var region = Regions.ByCaption(Body)["表2-4"];
        foreach (var row in PrintedNumbers.ListingRows) Assert.Contains(row, region);
        foreach (var g in PrintedNumbers.ListingGroups) Assert.Contains(g, region);
    }

    [Fact]
    public void Pdf_Table2_1_CountsTheResponses()
    {
        var region = Regions.ByCaption(Body)["表2-1"];
        Assert.Contains("有効回答数48件", region);
        Assert.Contains("発送数57件", region);
        Assert.Contains("調査期間2023年10月19日～2023年12月15日", region);
    }

    [Fact]
    public void Pdf_FiguresAreText_WithKanjiNotRadicals()
    {
        // Chart labels are SVG text: searchable, with no Kangxi radical look-alikes.
        var region = Regions.ByCaption(Body)["表2-5"]; // holds 図 2-3's chart, which follows the table
        Assert.Contains("n=48", region);
        Assert.DoesNotMatch("[\u2E80-\u2FD5]", pdf.Text);
        Assert.Contains("会員間の情報共有の仕組みの構築・運営", region);
    }

    [Fact]
    public void Pdf_Appendices_ListRespondentsInSubmissionOrder_AndTheQuestionnaire()
    {
        var text = ReportFixtures.Compact(pdf.Text);
        var list = text[text.LastIndexOf("参考資料2アンケート回答団体一覧表", StringComparison.Ordinal)..];
        Assert.Contains("1一般社団法人日本化学工業協会製造業", list);
        Assert.Contains("16一般社団法人保健医療福祉情報システム工業会‐", list);
        Assert.Contains("48公益社団法人日本訪問販売協会卸売業，小売業", list);
        var questionnaire = text[text.LastIndexOf("参考資料1アンケート調査票", StringComparison.Ordinal)..];
        Assert.Contains("設問1-3)貴団体・協会の会員数をお選びください。", questionnaire);
        Assert.Contains("6.1000社以上", questionnaire);
    }
}

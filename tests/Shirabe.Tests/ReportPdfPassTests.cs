using Shirabe.Pdf;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>The report PDF's first pass only measures (docs/decisions/020, 076): it must measure what the printed pass lays out.</summary>
[Trait("Needs", "Chromium")]
public class ReportPdfPassTests
{
    /// <summary>
    /// The first pass paints nothing and is printed untagged; every heading, caption and table row must land exactly
    /// where a painted, tagged print of the same HTML puts it, or the contents' pages and the continued tables would be
    /// those of another layout.
    /// </summary>
    [Fact]
    public async Task TheMeasuringPass_PutsEveryDestinationWhereAPaintedPrintPutsIt_AndPaintsNothing()
    {
        var doc = ReportFixtures.Run().Build();
        var measure = HtmlReport.Render(doc, null, new PageLayout());
        Assert.Contains(HtmlReport.MeasureOnlyCss, measure);
        await using var chromium = new ChromiumPdf();
        var unseen = await chromium.RenderPassesAsync(new PdfPass(measure, MeasureOnly: true), _ => Task.FromResult<PdfPass?>(null),
            ChromiumPdf.PageNumberFooter);
        var painted = await chromium.RenderPassesAsync(new PdfPass(measure.Replace(HtmlReport.MeasureOnlyCss, "")),
            _ => Task.FromResult<PdfPass?>(null), ChromiumPdf.PageNumberFooter);

        var measured = PdfDestinations.Read(unseen);
        var printed = PdfDestinations.Read(painted);
        Assert.True(printed.Count > 300, $"{printed.Count} destinations");
        Assert.Equal(printed.OrderBy(d => d.Key), measured.OrderBy(d => d.Key));
        Assert.True(unseen.Length * 10 < painted.Length, $"measuring pass {unseen.Length} bytes, printed {painted.Length}");
        var path = Path.Combine(Path.GetTempPath(), "shirabe-measure-" + Guid.NewGuid().ToString("N") + ".pdf");
        try
        {
            await File.WriteAllBytesAsync(path, unseen);
            var text = ReportFixtures.Tool("pdftotext", "-enc", "UTF-8", path, "-");
            Assert.DoesNotContain("表", text); // no caption painted: the text is the footer's page numbers at most
        }
        finally
        {
            File.Delete(path);
        }
    }
}

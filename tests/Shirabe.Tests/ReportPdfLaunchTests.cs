using Shirabe.Pdf;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>`shirabe report --format pdf` starts Chromium while it tabulates, and ends it on every path (issue 12 item 5).</summary>
[Trait("Needs", "Chromium")]
public class ReportPdfLaunchTests
{
    private static ReportRun Watched(string? responses, Action<ChromiumPdf> made)
    {
        var run = ReportFixtures.Run(responses);
        return new ReportRun
        {
            Survey = run.Survey, Definition = run.Definition, ResponsesPath = run.ResponsesPath, Edits = run.Edits,
            NewChromium = () =>
            {
                var chromium = new ChromiumPdf();
                made(chromium);
                return chromium;
            },
        };
    }

    /// <summary>Calls back synchronously, so nothing after the message runs until it returns.</summary>
    private sealed class OnMessage(string prefix, Action act) : IProgress<string>
    {
        public void Report(string value)
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal)) act();
        }
    }

    [Fact]
    public async Task Pdf_ChromiumIsStartingWhenTheTablesAreDone_AndEndsWithTheRun()
    {
        ChromiumPdf? chromium = null;
        string? profile = null;
        var run = Watched(null, c => chromium = c);
        // When tabulation is done nothing has rendered yet: a browser starting now was launched alongside the tabulation.
        var progress = new OnMessage("集計完了", () =>
        {
            for (var waited = 0; waited < 3000 && chromium?.Profile is null; waited++) Thread.Sleep(10);
            profile = chromium?.Profile;
        });
        using var pdf = new MemoryStream();
        await run.WriteAsync(ReportFormat.Pdf, pdf, progress);

        Assert.NotNull(profile);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(pdf.ToArray(), 0, 4));
        Assert.Null(chromium!.Profile); // the run's browser ended with it …
        Assert.False(Directory.Exists(profile)); // … and its profile is gone
        Assert.Equal(1, chromium.Renders); // one page slot for all the passes
    }

    [Fact]
    public async Task Pdf_WhenTabulationFails_TheBrowserStartedMeanwhileEnds()
    {
        var broken = Path.Combine(Path.GetTempPath(), "shirabe-broken-" + Guid.NewGuid().ToString("N") + ".csv");
        await File.WriteAllTextAsync(broken, "not,a,responses,file\n1,2,3,4\n");
        try
        {
            ChromiumPdf? chromium = null;
            var run = Watched(broken, c => chromium = c);
            await Assert.ThrowsAnyAsync<Exception>(() => run.WriteAsync(ReportFormat.Pdf, new MemoryStream()));
            Assert.NotNull(chromium);
            Assert.Null(chromium!.Profile); // disposed after the launch in progress: no browser or profile left behind
            Assert.Equal(0, chromium.Renders);
        }
        finally
        {
            File.Delete(broken);
        }
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Shirabe.Pdf;

namespace Shirabe.Tests;

/// <summary>Issue 12 item 5: the server starts its Chromium in the background, so the first PDF does not wait for it.</summary>
[Trait("Needs", "Chromium")]
public class ChromiumWarmUpTests
{
    [Fact]
    public async Task WarmUp_StartsTheBrowserInTheBackground_WithoutRendering_AndTheFirstPdfUsesIt()
    {
        await using var pdf = new ChromiumPdf();
        Assert.True(pdf.Available);
        var started = DateTime.UtcNow;
        pdf.WarmUp(NullLogger.Instance);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "WarmUp must return at once");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (pdf.Profile is null || !Directory.Exists(pdf.Profile))
        {
            Assert.True(DateTime.UtcNow < deadline, "the browser did not start");
            await Task.Delay(100);
        }
        var profile = pdf.Profile;
        Assert.Equal(0, pdf.Renders);
        var bytes = await pdf.RenderAsync("<!DOCTYPE html><html lang=\"ja\"><body><p>試験</p></body></html>");
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        Assert.Equal(profile, pdf.Profile); // the same browser, not a second one
    }

    [Fact]
    public async Task WithoutChromium_NothingIsStarted()
    {
        await using var pdf = new ChromiumPdf(executable: "/nonexistent/chromium");
        Assert.False(pdf.Available);
    }
}

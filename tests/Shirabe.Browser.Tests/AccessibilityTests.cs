using System.Text.Json;
using PuppeteerSharp;

namespace Shirabe.Browser.Tests;

/// <summary>axe-core (npm, tests/Shirabe.Browser.Tests/node_modules) run inside the page.</summary>
public static class Axe
{
    public static readonly string Script = Path.Combine(ShirabePaths.Root, "tests", "Shirabe.Browser.Tests", "node_modules", "axe-core", "axe.min.js");
    public static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    /// <summary>
    /// Injects axe into the current document and returns its violations as "id [impact] help → selectors".
    /// The page must bypass CSP (<see cref="IPage.SetBypassCSPAsync"/>): the app allows no script but its own.
    /// </summary>
    public static async Task<List<string>> ScanAsync(IPage page)
    {
        Assert.True(File.Exists(Script), $"{Script} がありません。npm ci --prefix tests/Shirabe.Browser.Tests を実行してください（scripts/test.sh が行います）。");
        await page.AddScriptTagAsync(new AddTagOptions { Path = Script });
        var found = await page.EvaluateFunctionAsync<JsonElement>(@"async tags => {
            const r = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
            return r.violations.map(v => ({ id: v.id, impact: v.impact || '', help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')) }));
        }", (object)Tags);
        return found.EnumerateArray().Select(v =>
            $"{v.GetProperty("id").GetString()} [{v.GetProperty("impact").GetString()}] {v.GetProperty("help").GetString()} → "
            + string.Join(", ", v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()))).ToList();
    }
}

/// <summary>JIS X 8341-3:2016 level AA as far as a machine can check it: axe-core, and a 375 px wide phone screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(ShirabeSite site)
{
    [Fact]
    public async Task EveryPage_HasNoAxeViolationsOfWcag21AA()
    {
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        await page.SetBypassCSPAsync(true);
        var violations = new List<string>();
        var pages = 0;
        await PageTour.VisitEveryPageAsync(site, page, async name =>
        {
            pages++;
            violations.AddRange((await Axe.ScanAsync(page)).Select(v => $"{name}: {v}"));
        });
        Assert.True(pages >= 18, $"only {pages} pages were scanned");
        Assert.True(violations.Count == 0, "axe-core violations:\n" + string.Join("\n", violations));
    }

    /// <summary>The scan itself works: a page with a known violation is reported, with its rule and element.</summary>
    [Fact]
    public async Task AxeScan_ReportsAnUnlabelledInput()
    {
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        await page.SetContentAsync("<!DOCTYPE html><html lang=\"ja\"><head><title>t</title></head><body><main><input type=\"text\" id=\"x\"></main></body></html>");
        var violations = await Axe.ScanAsync(page);
        Assert.Contains(violations, v => v.StartsWith("label [critical]", StringComparison.Ordinal) && v.EndsWith("#x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryPage_FitsA375PixelScreenWithoutHorizontalScrolling()
    {
        var (context, page) = await site.NewPageAsync(375, 812);
        await using var _ = context;
        var tooWide = new List<string>();
        var pages = 0;
        await PageTour.VisitEveryPageAsync(site, page, async name =>
        {
            pages++;
            var (scroll, inner) = (await page.EvaluateExpressionAsync<int>("document.scrollingElement.scrollWidth"),
                await page.EvaluateExpressionAsync<int>("innerWidth"));
            Assert.Equal(375, inner);
            if (scroll > inner) tooWide.Add($"{name}: scrollWidth {scroll} > innerWidth {inner}");
        });
        Assert.True(pages >= 18, $"only {pages} pages were checked");
        Assert.True(tooWide.Count == 0, string.Join("\n", tooWide));
    }
}

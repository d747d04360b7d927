using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;
using Shirabe.Admin;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Surveys;

namespace Shirabe.Browser.Tests;

/// <summary>The demo's two waves in a real browser: the console's 前回比較 page reached from the menu (docs/decisions/056).</summary>
[Collection(BrowserCollection.Name)]
public sealed class WaveComparisonTests(ShirabeSite site)
{
    [Fact]
    public async Task TheDemosComparisonPage_ShowsBothWaves_WithItsCharts_OnAPhoneScreen_WithoutAxeViolations()
    {
        var (context, page) = await site.NewPageAsync(375, 812);
        await using var _ = context;
        await using var server = await ShirabeServer.StartAsync(new DateTimeOffset(2024, 11, 15, 18, 0, 0, TimeSpan.FromHours(9)));
        var clock = server.Services.GetRequiredService<TimeProvider>();
        var database = server.Services.GetRequiredService<Database>();
        await DemoSeed.SeedWavesAsync(database, server.Services.GetRequiredService<SurveyCatalog>(),
            Path.Combine(AppContext.BaseDirectory, "surveys"), clock, server.Services.GetRequiredService<Shirabe.Fieldwork.LinkKeys>());
        await using (var db = database.CreateContext())
            await new AdminUsers(db, new PasswordHasher<AdminUser>(), clock).AddAsync(ConsoleSite.Name, ConsoleSite.Password);
        var refused = new List<string>(); // a CSP refusal (e.g. an inline style in the SVG) shows as a console error
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error && e.Message.Text.Contains("Content Security Policy")) refused.Add(e.Message.Text);
        };
        var console = new ConsoleSite(server, page);
        await console.SignInAsync();

        await console.OpenAsync("/admin?survey=sc3-2024");
        Assert.Contains("サンプル", await console.TextAsync(".site-owner"));
        await console.ClickAsync("nav.admin-nav a[href='/admin/results/compare']");
        Assert.Equal("8", await console.TextAsync("#current-n"));
        Assert.Equal("48", await console.TextAsync("#previous-n"));
        var charts = await page.EvaluateExpressionAsync<int>(
            "[...document.querySelectorAll('figure.chart-inline svg')].filter(s => s.getBoundingClientRect().width > 300).length");
        Assert.True(charts >= 10, $"{charts} charts drawn");
        Assert.Contains("3-4", await console.TextAsync("#not-compared"));
        Assert.True(await page.EvaluateExpressionAsync<int>("document.scrollingElement.scrollWidth") <= 375,
            "the page scrolls sideways: " + await page.EvaluateExpressionAsync<string>(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')"));

        await page.SelectAsync("#item", "2-9-a");
        await console.ClickAsync("form.results-form button");
        Assert.Equal(1, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('table.data').length"));
        Assert.Contains("特に無し", await console.TextAsync("table.data"));
        Assert.True(refused.Count == 0, string.Join("\n", refused));

        // axe-core is injected as a script, which the CSP forbids: scanned with the CSP bypassed, after the check above.
        await page.SetBypassCSPAsync(true);
        var violations = new List<string>();
        foreach (var path in new[] { "/admin/results/compare", "/admin/results/compare?item=3-4" })
        {
            await console.OpenAsync(path);
            violations.AddRange((await Axe.ScanAsync(page)).Select(v => $"{path}: {v}"));
        }
        Assert.True(violations.Count == 0, "axe-core violations:\n" + string.Join("\n", violations));
    }
}

using PuppeteerSharp;
using PuppeteerSharp.Media;

namespace Shirabe.Pdf;

/// <summary>
/// Renders HTML to A4 PDF with the system's headless Chromium (Debian package `chromium`). One browser is started on
/// first use and shared; each render gets its own page. Japanese text comes from the system fonts (fonts-noto-cjk).
/// </summary>
public sealed class ChromiumPdf : IAsyncDisposable
{
    public const string DefaultExecutable = "/usr/bin/chromium";
    private readonly string _executable;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IBrowser? _browser;

    public ChromiumPdf(string? executable = null) =>
        _executable = executable ?? Environment.GetEnvironmentVariable("SHIRABE_CHROMIUM") ?? DefaultExecutable;

    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    /// <summary>Starts (once) and returns the shared browser; browser tests use it too.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        if (_browser is { IsConnected: true }) return _browser;
        await _gate.WaitAsync();
        try
        {
            if (_browser is { IsConnected: true }) return _browser;
            if (!File.Exists(_executable))
                throw new Core.UserError($"Chromium が見つかりません（{_executable}）。scripts/install.sh を実行してください。");
            _browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = _executable,
                Headless = true,
                Args = Arguments,
                UserDataDir = Path.Combine(Path.GetTempPath(), "shirabe-chromium-" + Guid.NewGuid().ToString("N")),
            });
            return _browser;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Renders <paramref name="html"/> (a whole document; relative URLs resolve against <paramref name="baseUrl"/>)
    /// to PDF. Header/footer templates may use Chromium's pageNumber / totalPages classes.
    /// </summary>
    public async Task<byte[]> RenderAsync(string html, string? footerTemplate = null, CancellationToken cancel = default,
        TimeSpan? timeout = null)
    {
        var browser = await BrowserAsync();
        await using var page = await browser.NewPageAsync();
        // Puppeteer's default (30 s) is too short for long documents, e.g. a report over 100,000 responses.
        if (timeout is { } t) page.DefaultTimeout = (int)t.TotalMilliseconds;
        await page.SetJavaScriptEnabledAsync(false); // the documents are static; nothing in them may run
        await page.SetContentAsync(html, new SetContentOptions { WaitUntil = [WaitUntilNavigation.Load] });
        cancel.ThrowIfCancellationRequested();
        return await page.PdfDataAsync(new PdfOptions
        {
            Format = PaperFormat.A4,
            PrintBackground = true,
            PreferCSSPageSize = true,
            DisplayHeaderFooter = footerTemplate is not null,
            HeaderTemplate = "<span></span>",
            FooterTemplate = footerTemplate ?? "",
            MarginOptions = new MarginOptions { Top = "18mm", Bottom = "18mm", Left = "16mm", Right = "16mm" },
        });
    }

    /// <summary>
    /// Renders <paramref name="html"/>, then gives the PDF to <paramref name="next"/>, which returns the next version of
    /// the document (or null: this PDF is the one), all on one page of the shared browser: a layout that depends on
    /// where the pages broke (the report's page numbers) costs a render, not a new page or browser.
    /// </summary>
    public async Task<byte[]> RenderPassesAsync(string html, Func<byte[], string?> next, string? footerTemplate = null,
        CancellationToken cancel = default, TimeSpan? timeout = null)
    {
        var browser = await BrowserAsync();
        await using var page = await browser.NewPageAsync();
        if (timeout is { } t) page.DefaultTimeout = (int)t.TotalMilliseconds;
        await page.SetJavaScriptEnabledAsync(false);
        while (true)
        {
            await page.SetContentAsync(html, new SetContentOptions { WaitUntil = [WaitUntilNavigation.Load] });
            cancel.ThrowIfCancellationRequested();
            // The same options as RenderAsync.
            var pdf = await page.PdfDataAsync(new PdfOptions
            {
                Format = PaperFormat.A4,
                PrintBackground = true,
                PreferCSSPageSize = true,
                DisplayHeaderFooter = footerTemplate is not null,
                HeaderTemplate = "<span></span>",
                FooterTemplate = footerTemplate ?? "",
                MarginOptions = new MarginOptions { Top = "18mm", Bottom = "18mm", Left = "16mm", Right = "16mm" },
            });
            cancel.ThrowIfCancellationRequested();
            if (next(pdf) is not { } again) return pdf;
            html = again;
        }
    }

    /// <summary>A footer with "n / N" centred, in the report's font.</summary>
    public const string PageNumberFooter =
        "<div style=\"width:100%;text-align:center;font-size:9px;font-family:'Noto Sans CJK JP',sans-serif;color:#444\">"
        + "<span class=\"pageNumber\"></span> / <span class=\"totalPages\"></span></div>";

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _gate.Dispose();
    }
}

using System.Diagnostics;
using PuppeteerSharp;
using PuppeteerSharp.Media;

namespace Shirabe.Pdf;

/// <summary>
/// Renders HTML to A4 PDF with the system's headless Chromium (Debian package `chromium`). One browser is started on
/// first use and shared; each render gets its own page, and at most <see cref="Pages"/> pages render at once (memory
/// and CPU stay bounded whatever the number of requests). Japanese text comes from the system fonts (fonts-noto-cjk).
/// The browser's profile folder is deleted when the browser ends; the browser's process tree ends with this process.
/// </summary>
public sealed class ChromiumPdf : IAsyncDisposable
{
    public const string DefaultExecutable = "/usr/bin/chromium";
    public const int DefaultPages = 2;
    public const int DefaultQueue = 8;
    /// <summary>How long a request that may be refused waits for a page before it is refused.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);
    private const string ProfilePrefix = "shirabe-chromium-";

    private readonly string _executable;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _pages;
    private readonly int _queue;
    private int _admitted;
    private int _renders;
    private IBrowser? _browser;
    private string? _profile;
    /// <summary>Set when the process or this renderer is ending: no browser may be launched after that.</summary>
    private volatile bool _ending;

    public ChromiumPdf(string? executable = null, int pages = DefaultPages, int queue = DefaultQueue)
    {
        _executable = executable ?? Environment.GetEnvironmentVariable("SHIRABE_CHROMIUM") ?? DefaultExecutable;
        Pages = Math.Max(1, pages);
        _queue = Math.Max(0, queue);
        _pages = new SemaphoreSlim(Pages, Pages);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Pages rendering at once.</summary>
    public int Pages { get; }

    /// <summary>The running browser's profile folder (deleted when the browser ends), or null.</summary>
    public string? Profile => _profile;

    /// <summary>Renders started since this renderer was made (tests: the blank questionnaire is rendered once).</summary>
    public int Renders => Volatile.Read(ref _renders);

    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    /// <summary>Whether the browser can be started here (its executable exists).</summary>
    public bool Available => File.Exists(_executable);

    /// <summary>
    /// Starts the browser in the background (the server at start, so the first PDF does not wait for it): returns at
    /// once; a failure is logged, and the first render tries again and reports it.
    /// </summary>
    public void WarmUp(ILogger log) => _ = Task.Run(async () =>
    {
        try
        {
            await BrowserAsync();
            log.LogInformation("Chromium started for PDFs ({Executable})", _executable);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Chromium could not be started in advance; the first PDF will try again");
        }
    });

    /// <summary>Starts (once) and returns the shared browser; browser tests use it too.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        if (_browser is { IsConnected: true }) return _browser;
        await _gate.WaitAsync();
        try
        {
            if (_browser is { IsConnected: true }) return _browser;
            // A render cut short by the shutdown must not start a new browser (and profile) that nothing would end.
            ObjectDisposedException.ThrowIf(_ending, this);
            if (!File.Exists(_executable))
                throw new Core.UserError($"Chromium が見つかりません（{_executable}）。scripts/install.sh を実行してください。");
            await CloseBrowserAsync(); // a crashed browser: end what is left of it and its profile
            StaleProfiles.Value.Wait();
            // The process id in the name tells a later start whether the profile's owner is still running.
            _profile = Path.Combine(Path.GetTempPath(), $"{ProfilePrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            _browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = _executable,
                Headless = true,
                Args = Arguments,
                UserDataDir = _profile,
                // DevTools over the process's own pipes, not a localhost port: no other local user can drive the
                // browser (it runs as Shirabe's user and could read its data folder through file://).
                Pipe = true,
            });
            return _browser;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A page to render in, held until disposed. With <paramref name="refuseWhenBusy"/> (requests from the web), a
    /// request finding <see cref="Pages"/> pages busy and the queue full, or waiting longer than <see cref="MaxWait"/>,
    /// gets <see cref="PdfBusyException"/> (the server answers 503); otherwise (report jobs) it waits its turn.
    /// </summary>
    public async Task<IDisposable> EnterAsync(bool refuseWhenBusy, CancellationToken cancel)
    {
        // Every holder or waiter counts, report jobs included; only web requests are refused when the count is full.
        if (Interlocked.Increment(ref _admitted) > Pages + _queue && refuseWhenBusy)
        {
            Interlocked.Decrement(ref _admitted);
            throw new PdfBusyException();
        }
        try
        {
            if (!refuseWhenBusy) await _pages.WaitAsync(cancel);
            else if (!await _pages.WaitAsync(MaxWait, cancel)) throw new PdfBusyException();
        }
        catch
        {
            Interlocked.Decrement(ref _admitted);
            throw;
        }
        return new Slot(this);
    }

    private sealed class Slot(ChromiumPdf owner) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            owner._pages.Release();
            Interlocked.Decrement(ref owner._admitted);
        }
    }

    /// <summary>
    /// Renders <paramref name="html"/> (a whole document; relative URLs resolve against <paramref name="baseUrl"/>)
    /// to PDF. Header/footer templates may use Chromium's pageNumber / totalPages classes.
    /// </summary>
    public Task<byte[]> RenderAsync(string html, string? footerTemplate = null, CancellationToken cancel = default,
        TimeSpan? timeout = null, bool refuseWhenBusy = false) =>
        RenderPassesAsync(new PdfPass(html), _ => Task.FromResult<PdfPass?>(null), footerTemplate, cancel, timeout, refuseWhenBusy);

    /// <summary>
    /// Renders <paramref name="first"/>, then gives the PDF to <paramref name="next"/>, which returns the next version of
    /// the document (or null: this PDF is the one), all on one page of the shared browser: a layout that depends on
    /// where the pages broke (the report's page numbers) costs a render, not a new page or browser. Every render takes
    /// one of the bounded page slots (docs/decisions/015).
    /// </summary>
    public async Task<byte[]> RenderPassesAsync(PdfPass first, Func<byte[], Task<PdfPass?>> next, string? footerTemplate = null,
        CancellationToken cancel = default, TimeSpan? timeout = null, bool refuseWhenBusy = false)
    {
        using var slot = await EnterAsync(refuseWhenBusy, cancel);
        Interlocked.Increment(ref _renders);
        var browser = await BrowserAsync();
        var page = await PageAsync(browser);
        var done = false;
        try
        {
            // Puppeteer's default (30 s) is too short for long documents, e.g. a report over 100,000 responses.
            page.DefaultTimeout = timeout is { } t ? (int)t.TotalMilliseconds : DefaultTimeoutMs;
            var pdf = await RenderOnPageAsync(page, first, next, footerTemplate, cancel);
            done = true;
            return pdf;
        }
        finally
        {
            // A page that rendered is kept for the next render (opening one costs more than a small PDF's layout);
            // one that failed or was cut short is closed.
            if (done) _idle.Add((browser, page));
            else await ClosePageAsync(page);
        }
    }

    private const int DefaultTimeoutMs = 30_000;

    /// <summary>Idle pages of the browser, at most one per page slot (<see cref="Pages"/>), taken before opening one.</summary>
    private readonly System.Collections.Concurrent.ConcurrentBag<(IBrowser Browser, IPage Page)> _idle = [];

    private async Task<IPage> PageAsync(IBrowser browser)
    {
        while (_idle.TryTake(out var idle))
        {
            if (idle.Browser == browser && browser.IsConnected && !idle.Page.IsClosed) return idle.Page;
            await ClosePageAsync(idle.Page); // of a browser that ended
        }
        var page = await browser.NewPageAsync();
        await page.SetJavaScriptEnabledAsync(false); // the documents are static; nothing in them may run
        return page;
    }

    private static async Task ClosePageAsync(IPage page)
    {
        try
        {
            await page.CloseAsync();
        }
        catch (Exception e) when (e is PuppeteerException or ObjectDisposedException or InvalidOperationException)
        {
            // its browser is gone
        }
    }

    private static async Task<byte[]> RenderOnPageAsync(IPage page, PdfPass pass, Func<byte[], Task<PdfPass?>> next, string? footerTemplate,
        CancellationToken cancel)
    {
        while (true)
        {
            await page.SetContentAsync(pass.Html, new SetContentOptions { WaitUntil = [WaitUntilNavigation.Load] });
            cancel.ThrowIfCancellationRequested();
            var pdf = await page.PdfDataAsync(new PdfOptions
            {
                Format = PaperFormat.A4,
                PrintBackground = true,
                PreferCSSPageSize = true,
                DisplayHeaderFooter = footerTemplate is not null,
                HeaderTemplate = "<span></span>",
                FooterTemplate = footerTemplate ?? "",
                MarginOptions = new MarginOptions { Top = "18mm", Bottom = "18mm", Left = "16mm", Right = "16mm" },
                // A pass that only measures needs no structure tree for screen readers (it is never kept).
                Tagged = !pass.MeasureOnly,
            });
            cancel.ThrowIfCancellationRequested();
            if (await next(pdf) is not { } again) return pdf;
            pass = again;
        }
    }

    /// <summary>A footer with "n / N" centred, in the report's font.</summary>
    public const string PageNumberFooter =
        "<div style=\"width:100%;text-align:center;font-size:9px;font-family:'Noto Sans CJK JP',sans-serif;color:#444\">"
        + "<span class=\"pageNumber\"></span> / <span class=\"totalPages\"></span></div>";

    /// <summary>
    /// Ends the browser's whole process tree at once (a profile is throwaway, nothing needs a graceful close) and
    /// deletes its profile. The fields are cleared last, so a process exit meanwhile still finds both.
    /// </summary>
    private async Task CloseBrowserAsync()
    {
        var browser = _browser;
        var profile = _profile;
        if (browser is not null)
        {
            Kill(browser.Process);
            KillUsing(profile);
            try
            {
                await browser.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is TimeoutException or PuppeteerException or ObjectDisposedException or InvalidOperationException)
            {
                // the process is gone already
            }
        }
        DeleteProfile(profile);
        _browser = null;
        _profile = null;
    }

    private static void Kill(Process? process)
    {
        try
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
            process?.WaitForExit(5000);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
    }

    private static void DeleteProfile(string? profile)
    {
        if (profile is null) return;
        DeleteSocketFolder(profile);
        // Chromium may still be flushing for a moment after its process ended.
        for (var attempt = 0; attempt < 10 && Directory.Exists(profile); attempt++)
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Chromium keeps its singleton socket in a folder of its own in the temp folder (org.chromium.Chromium.XXXXXX, linked
    /// from the profile's SingletonSocket) and deletes it only when it closes normally, never when it is killed.
    /// </summary>
    private static void DeleteSocketFolder(string profile)
    {
        try
        {
            if (new FileInfo(Path.Combine(profile, "SingletonSocket")).LinkTarget is not { } socket
                || Path.GetDirectoryName(socket) is not { } folder
                || !Path.GetFileName(folder).StartsWith("org.chromium.Chromium.", StringComparison.Ordinal)) return;
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // gone already, or not ours to delete
        }
    }

    /// <summary>The server is going away (SIGTERM, Ctrl+C, the end of a command): its Chromium tree goes with it.</summary>
    private void OnProcessExit(object? sender, EventArgs e)
    {
        _ending = true;
        Kill(_browser?.Process);
        KillUsing(_profile); // also a browser still being launched, whose process object we do not have yet
        DeleteProfile(_profile);
    }

    /// <summary>Kills every process started with this profile (Linux: from /proc), whoever its parent is now.</summary>
    private static void KillUsing(string? profile)
    {
        if (profile is null || !OperatingSystem.IsLinux()) return;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(profile, StringComparison.Ordinal)) continue;
                using var process = Process.GetProcessById(pid);
                Kill(process);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // gone meanwhile, or not ours
            }
        }
    }

    /// <summary>Once per process, before the first browser starts: profiles left by Shirabe processes that are gone.</summary>
    private static readonly Lazy<Task> StaleProfiles = new(() => Task.Run(() => DeleteStaleProfiles(Path.GetTempPath())));

    /// <summary>
    /// Deletes shirabe-chromium-* folders in <paramref name="temp"/> whose owner is not running: the process id in the
    /// name, or for older names the one in Chromium's SingletonLock ("host-pid"). Returns how many were deleted.
    /// </summary>
    public static int DeleteStaleProfiles(string temp)
    {
        var deleted = 0;
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories(temp, ProfilePrefix + "*").ToList();
        }
        catch (IOException)
        {
            return 0;
        }
        foreach (var dir in dirs)
        {
            var rest = Path.GetFileName(dir)[ProfilePrefix.Length..];
            int? owner = rest.Split('-') is [var pid, _] && int.TryParse(pid, out var p) ? p : LockOwner(dir);
            if (owner is { } o && IsRunning(o)) continue;
            // A server ended by SIGKILL (the OOM killer, a service manager's last resort) leaves its browser running,
            // reparented, its DevTools port still open on localhost: it goes with its profile.
            KillUsing(dir);
            DeleteProfile(dir);
            if (!Directory.Exists(dir)) deleted++;
        }
        return deleted;
    }

    private static int? LockOwner(string profile)
    {
        try
        {
            var target = new FileInfo(Path.Combine(profile, "SingletonLock")).LinkTarget;
            return target is not null && int.TryParse(target[(target.LastIndexOf('-') + 1)..], out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _ending = true;
        await _gate.WaitAsync();
        try
        {
            await CloseBrowserAsync();
        }
        finally
        {
            _gate.Release();
        }
        // Only now: a process that exits while this waits (for a launch, or for the browser to end) still ends the
        // browser and deletes its profile in OnProcessExit.
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        _gate.Dispose();
    }
}

/// <summary>
/// One print of a document. <see cref="MeasureOnly"/>: the PDF is read for where things landed and thrown away, so it is
/// printed untagged (the HTML of such a pass paints nothing either; the layout is the same).
/// </summary>
public sealed record PdfPass(string Html, bool MeasureOnly = false);

/// <summary>Every page is busy and the queue is full: the server answers 503 with Retry-After.</summary>
public sealed class PdfBusyException() : Exception("PDF の作成が混み合っています。");

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Shirabe.Pdf;

namespace Shirabe.Tests;

/// <summary>Issue 7, finding 12: no Chromium profile folder or process outlives its use or its server.</summary>
[Trait("Needs", "Chromium")] // scripts/install.sh installs it; CI has it, and a missing one fails
public class ChromiumLifetimeTests
{
    [Fact]
    public async Task TheProfileFolder_IsDeletedWhenTheBrowserEnds()
    {
        string profile, socket;
        await using (var pdf = new ChromiumPdf())
        {
            var bytes = await pdf.RenderAsync("<!DOCTYPE html><html lang=\"ja\"><body><p>試験</p></body></html>");
            Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
            profile = pdf.Profile!;
            Assert.True(Directory.Exists(profile));
            Assert.Contains($"shirabe-chromium-{Environment.ProcessId}-", profile);
            socket = Path.GetDirectoryName(new FileInfo(Path.Combine(profile, "SingletonSocket")).LinkTarget)!;
            Assert.StartsWith("org.chromium.Chromium.", Path.GetFileName(socket));
            Assert.True(Directory.Exists(socket));
        }
        Assert.False(Directory.Exists(profile), profile);
        Assert.False(Directory.Exists(socket), socket); // Chromium's own folder, which a killed browser leaves behind
    }

    [Fact]
    public void StaleProfiles_OfProcessesThatAreGone_AreDeleted_AndLiveOnesKept()
    {
        var temp = Directory.CreateTempSubdirectory("shirabe-stale-").FullName;
        try
        {
            var gone = Directory.CreateDirectory(Path.Combine(temp, "shirabe-chromium-999999999-0123abcd")).FullName; // above any pid
            File.WriteAllBytes(Path.Combine(gone, "Cookies"), new byte[2048]);
            var legacy = Directory.CreateDirectory(Path.Combine(temp, "shirabe-chromium-" + Guid.NewGuid().ToString("N"))).FullName;
            var live = Directory.CreateDirectory(Path.Combine(temp, $"shirabe-chromium-{Environment.ProcessId}-0123abcd")).FullName;
            var other = Directory.CreateDirectory(Path.Combine(temp, "someone-else")).FullName;

            Assert.Equal(2, ChromiumPdf.DeleteStaleProfiles(temp));
            Assert.False(Directory.Exists(gone));
            Assert.False(Directory.Exists(legacy));
            Assert.True(Directory.Exists(live));
            Assert.True(Directory.Exists(other));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public void StaleProfiles_ABrowserThatOutlivedItsServer_IsKilledWithItsProfile()
    {
        var temp = Directory.CreateTempSubdirectory("shirabe-stale-").FullName;
        // Stands in for the orphaned Chromium: a process whose command line names the profile (as --user-data-dir does).
        var profile = Directory.CreateDirectory(Path.Combine(temp, "shirabe-chromium-999999999-4567cdef")).FullName;
        using var orphan = Process.Start(new ProcessStartInfo("/bin/sh")
            { ArgumentList = { "-c", "sleep 120; true", "chromium", "--user-data-dir=" + profile } })!;
        try
        {
            Assert.False(orphan.WaitForExit(200));

            Assert.Equal(1, ChromiumPdf.DeleteStaleProfiles(temp));

            Assert.True(orphan.WaitForExit(5000), "the browser of a server that is gone still runs");
            Assert.False(Directory.Exists(profile));
        }
        finally
        {
            if (!orphan.HasExited) orphan.Kill(entireProcessTree: true);
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// `shirabe serve` as its own process (its Chromium warm by default), stopped with SIGTERM or Ctrl+C's SIGINT while
    /// it renders the blank questionnaire: it stops as its host stops (exit code 0), and nothing of Chromium is left.
    /// </summary>
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task AServerStoppedWhileRendering_EndsItsChromiumTree_AndLeavesNoFolder(string signal)
    {
        await using var serve = ServeProcess.Start();
        using var http = serve.Client();
        await WaitForAsync(async () => (await Try(() => http.GetAsync("/")))?.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        var pdf = http.GetAsync("/survey/blank.pdf");
        await WaitForAsync(() => Task.FromResult(serve.Chromium().Count >= 2 || pdf.IsCompleted), TimeSpan.FromSeconds(60));
        Assert.NotEmpty(serve.Seen);
        await serve.StopAndAssertCleanAsync(signal);
    }

    /// <summary>
    /// `serve` starts one Chromium in the background without being asked for a PDF, and answers before it is up; a
    /// SIGTERM while that browser is still starting leaves nothing either.
    /// </summary>
    [Fact]
    public async Task AServer_StartsItsChromiumWithoutAPdf_AndAStopDuringTheLaunchLeavesNothing()
    {
        await using var serve = ServeProcess.Start();
        await WaitForAsync(() => Task.FromResult(serve.Chromium().Count > 0 || serve.Process.HasExited), TimeSpan.FromSeconds(60));
        Assert.NotEmpty(serve.Seen); // no request was made: the warm browser
        await serve.StopAndAssertCleanAsync("TERM");
    }

    /// <summary>With Shirabe:PdfWarm=false the server starts no browser until a PDF is asked for.</summary>
    [Fact]
    public async Task AServer_WithPdfWarmOff_StartsNoChromium()
    {
        await using var serve = ServeProcess.Start(("Shirabe__PdfWarm", "false"));
        using var http = serve.Client();
        await WaitForAsync(async () => (await Try(() => http.GetAsync("/")))?.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(serve.Chromium());
        await serve.StopAndAssertCleanAsync("TERM");
    }

    /// <summary>A `shirabe serve` process with a database, data folder and temp folder of its own.</summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly string _dir;
        public Process Process { get; }
        public int Port { get; }
        /// <summary>Every Chromium process seen below the server.</summary>
        public HashSet<int> Seen { get; } = [];
        private readonly System.Text.StringBuilder _log = new();

        private ServeProcess(string dir, int port, Process process)
        {
            _dir = dir;
            Port = port;
            Process = process;
        }

        private string Temp => Path.Combine(_dir, "tmp");

        public static ServeProcess Start(params (string Name, string Value)[] environment)
        {
            var dir = Directory.CreateTempSubdirectory("shirabe-sigterm-").FullName;
            var port = FreePort();
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList =
                {
                    Path.Combine(AppContext.BaseDirectory, "shirabe.dll"), "serve", "--urls", $"http://127.0.0.1:{port}",
                    "--db", "Data Source=" + Path.Combine(dir, "s.db"), "--now", "2023-11-01",
                },
                // A temp folder of its own: other processes on the machine make profiles in the shared one.
                Environment = { ["Shirabe__DataDir"] = dir, ["TMPDIR"] = Directory.CreateDirectory(Path.Combine(dir, "tmp")).FullName },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var (name, value) in environment) start.Environment[name] = value;
            var serve = new ServeProcess(dir, port, Process.Start(start)!);
            serve.Process.OutputDataReceived += (_, e) => { lock (serve._log) serve._log.AppendLine(e.Data); };
            serve.Process.ErrorDataReceived += (_, e) => { lock (serve._log) serve._log.AppendLine(e.Data); };
            serve.Process.BeginOutputReadLine();
            serve.Process.BeginErrorReadLine();
            return serve;
        }

        public HttpClient Client() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromMinutes(2) };

        /// <summary>The Chromium processes below the server now (and remembered in <see cref="Seen"/>).</summary>
        public List<int> Chromium()
        {
            var now = Descendants(Process.Id).Where(IsChromium).ToList();
            Seen.UnionWith(now);
            return now;
        }

        public async Task StopAndAssertCleanAsync(string signal)
        {
            Chromium();
            Process.Start("kill", [$"-{signal}", Process.Id.ToString()])!.WaitForExit();
            Assert.True(Process.WaitForExit(TimeSpan.FromSeconds(60)), "the server did not stop");
            Process.WaitForExit(); // the output read to its end
            string log;
            lock (_log) log = _log.ToString();
            Assert.True(Process.ExitCode == 0, $"exit code {Process.ExitCode}:\n{log}");
            await WaitForAsync(() => Task.FromResult(!Seen.Any(IsChromium)), TimeSpan.FromSeconds(10));
            var left = Seen.Where(IsChromium).Select(p => $"{p} {Describe(p)}").ToList();
            Assert.True(left.Count == 0, "still running: " + string.Join("\n", left));
            // Neither the profile nor Chromium's own socket folder (org.chromium.Chromium.*) is left in the temp folder.
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Temp).Select(Path.GetFileName),
                name => name!.StartsWith("shirabe-chromium-", StringComparison.Ordinal) || name.StartsWith("org.chromium.", StringComparison.Ordinal));
        }

        public ValueTask DisposeAsync()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            foreach (var pid in Seen.Where(IsChromium)) Try(() => System.Diagnostics.Process.GetProcessById(pid).Kill());
            Process.Dispose();
            Directory.Delete(_dir, recursive: true);
            return ValueTask.CompletedTask;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task WaitForAsync(Func<Task<bool>> done, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (!await done() && DateTime.UtcNow < until) await Task.Delay(50);
    }

    private static async Task<T?> Try<T>(Func<Task<T>> f) where T : class
    {
        try { return await f(); } catch (HttpRequestException) { return null; }
    }

    private static void Try(Action a)
    {
        try { a(); } catch (Exception e) when (e is ArgumentException or InvalidOperationException) { }
    }

    private static string Describe(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')[..200]; }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException) { return "?"; }
    }

    private static bool IsChromium(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim().StartsWith("chrom", StringComparison.Ordinal); }
        catch (IOException) { return false; }
    }

    /// <summary>Every process below <paramref name="root"/>, from /proc/*/stat (field 4 is the parent).</summary>
    private static List<int> Descendants(int root)
    {
        var parent = new Dictionary<int, int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(d, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parent[pid] = int.Parse(fields[1]);
            }
            catch (IOException) { }
        }
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            var p = queue.Dequeue();
            foreach (var (child, _) in parent.Where(kv => kv.Value == p))
            {
                result.Add(child);
                queue.Enqueue(child);
            }
        }
        return result;
    }
}

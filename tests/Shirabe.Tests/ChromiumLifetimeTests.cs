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
        string profile;
        await using (var pdf = new ChromiumPdf())
        {
            var bytes = await pdf.RenderAsync("<!DOCTYPE html><html lang=\"ja\"><body><p>試験</p></body></html>");
            Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
            profile = pdf.Profile!;
            Assert.True(Directory.Exists(profile));
            Assert.Contains($"shirabe-chromium-{Environment.ProcessId}-", profile);
        }
        Assert.False(Directory.Exists(profile), profile);
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

    /// <summary>`shirabe serve` as its own process, stopped with SIGTERM while it renders the blank questionnaire.</summary>
    [Fact]
    public async Task AServerStoppedWithSigtermWhileRendering_EndsItsChromiumTree()
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
        using var server = Process.Start(start)!;
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var chromium = new HashSet<int>();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            await WaitForAsync(async () => (await Try(() => http.GetAsync("/")))?.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
            var pdf = http.GetAsync("/survey/blank.pdf");
            await WaitForAsync(() =>
            {
                chromium.UnionWith(Descendants(server.Id).Where(IsChromium));
                return Task.FromResult(chromium.Count >= 2 || pdf.IsCompleted);
            }, TimeSpan.FromSeconds(60));
            Assert.NotEmpty(chromium);
            Process.Start("kill", ["-TERM", server.Id.ToString()])!.WaitForExit();
            Assert.True(server.WaitForExit(TimeSpan.FromSeconds(60)), "the server did not stop");
            await WaitForAsync(() => Task.FromResult(!chromium.Any(IsChromium)), TimeSpan.FromSeconds(10));
            var left = chromium.Where(IsChromium).Select(p => $"{p} {Describe(p)}").ToList();
            Assert.True(left.Count == 0, "still running: " + string.Join("\n", left));
            Assert.Empty(Directory.EnumerateDirectories(Path.Combine(dir, "tmp"), "shirabe-chromium-*"));
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            foreach (var pid in chromium.Where(IsChromium)) Try(() => Process.GetProcessById(pid).Kill());
            Directory.Delete(dir, recursive: true);
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

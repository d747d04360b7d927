using System.Diagnostics;
using MimeKit;

namespace Shirabe.Tests.Mail;

/// <summary>
/// A real SMTP server process (tests/Shirabe.Tests/Mail/smtp_server.py on Debian's python3-aiosmtpd) on a free loopback
/// port, owned by one test: recipients starting with <c>reject</c> get 550, those starting with <c>busy</c> get 451
/// once. Delivered messages are read back from its folder.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly Process _process;

    public int Port { get; }
    public string Folder { get; }

    private SmtpTestServer(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    public static async Task<SmtpTestServer> StartAsync()
    {
        var folder = Path.Combine(Directory.CreateTempSubdirectory("shirabe-smtp-").FullName, "mail");
        var script = Path.Combine(ShirabePaths.Root, "tests", "Shirabe.Tests", "Mail", "smtp_server.py");
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { script, "--folder", folder, "--reject", "^reject", "--tempfail", "^busy" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        process.ErrorDataReceived += (_, _) => { }; // aiosmtpd logs to stderr: drained, not shown
        process.BeginErrorReadLine();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (!int.TryParse(line, out var port))
        {
            process.Kill(true);
            throw new InvalidOperationException($"smtp_server.py did not start (is python3-aiosmtpd installed?): {line}");
        }
        return new SmtpTestServer(process, port, folder);
    }

    /// <summary>The delivered messages in the order the server accepted them.</summary>
    public List<MimeMessage> Messages() => Directory.Exists(Folder)
        ? Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList()
        : [];

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill(true);
            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
            try { Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true); } catch (IOException) { }
        }
    }
}

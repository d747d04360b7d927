using System.Globalization;

namespace Shirabe;

/// <summary>
/// Shirabe's configuration (docs/web.md): keys under <c>Shirabe:</c> from appsettings, the command line
/// (<c>--Shirabe:Db=…</c>) or environment (<c>Shirabe__Db</c>); <c>SHIRABE_DB</c> is accepted for the database too.
/// Read when first needed, so tests can set them through WebApplicationFactory.
/// </summary>
public sealed class ShirabeSettings
{
    public required string? Db { get; init; }
    public required string DataDir { get; init; }
    public required string SurveyPath { get; init; }
    /// <summary>A fixed start time for the clock (demo and testing); null in production: the real clock.</summary>
    public DateTimeOffset? Now { get; init; }
    public bool MigrateOnStart { get; init; } = true;
    /// <summary>Wrong or expired links accepted per client IP per minute before lookups are refused (429).</summary>
    public int FailedLookupsPerMinute { get; init; } = 20;
    /// <summary>PDF pages rendering at once, and requests that may wait for one; beyond them 503.</summary>
    public int PdfPages { get; init; } = Pdf.ChromiumPdf.DefaultPages;
    public int PdfQueue { get; init; } = Pdf.ChromiumPdf.DefaultQueue;
    /// <summary>answers.pdf downloads per link per minute before 429.</summary>
    public int AnswersPdfPerLinkPerMinute { get; init; } = 3;
    /// <summary>
    /// Start Chromium in the background when the server starts, so the first PDF does not wait for it. `serve` and
    /// `demo` set it unless configured (docs/decisions/076); a host embedding the app (the tests) leaves it off.
    /// </summary>
    public bool PdfWarm { get; init; }
    /// <summary>Proxies whose X-Forwarded-For / -Proto are believed (IP addresses, CIDR networks); none by default.</summary>
    public IReadOnlyList<string> KnownProxies { get; init; } = [];
    public IReadOnlyList<string> KnownNetworks { get; init; } = [];

    public static ShirabeSettings From(IConfiguration config)
    {
        var s = config.GetSection("Shirabe");
        return new ShirabeSettings
        {
            Db = s["Db"] ?? config["SHIRABE_DB"],
            DataDir = Path.GetFullPath(s["DataDir"] ?? Path.Combine(ShirabePaths.Root, "data")),
            SurveyPath = Path.GetFullPath(s["Survey"] ?? ShirabePaths.DefaultSurvey),
            Now = s["Now"] is { Length: > 0 } now ? ParseNow(now) : null,
            MigrateOnStart = !string.Equals(s["MigrateOnStart"], "false", StringComparison.OrdinalIgnoreCase),
            FailedLookupsPerMinute = int.TryParse(s["FailedLookupsPerMinute"], out var n) && n > 0 ? n : 20,
            PdfPages = int.TryParse(s["PdfPages"], out var pages) && pages > 0 ? pages : Pdf.ChromiumPdf.DefaultPages,
            PdfQueue = int.TryParse(s["PdfQueue"], out var queue) && queue >= 0 ? queue : Pdf.ChromiumPdf.DefaultQueue,
            AnswersPdfPerLinkPerMinute = int.TryParse(s["AnswersPdfPerLinkPerMinute"], out var perLink) && perLink > 0 ? perLink : 3,
            PdfWarm = string.Equals(s["PdfWarm"], "true", StringComparison.OrdinalIgnoreCase),
            KnownProxies = List(s.GetSection("KnownProxies")),
            KnownNetworks = List(s.GetSection("KnownNetworks")),
        };
    }

    /// <summary>A list key: array items (KnownProxies:0, …) or one value separated by commas or semicolons.</summary>
    private static string[] List(IConfigurationSection section) =>
        (section.Value is { } one ? one.Split([',', ';']) : section.GetChildren().Select(c => c.Value ?? ""))
        .Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();

    /// <summary>"2023-11-01" (noon in Japan) or a full ISO 8601 time with offset.</summary>
    public static DateTimeOffset ParseNow(string text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return new DateTimeOffset(d.ToDateTime(new TimeOnly(12, 0)), TimeSpan.FromHours(9));
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        throw new Core.UserError($"時刻「{text}」は YYYY-MM-DD か ISO 8601（例: 2023-11-01T10:00:00+09:00）で指定してください。");
    }
}

/// <summary>Where the repository's files are, wherever the program is started from.</summary>
public static class ShirabePaths
{
    /// <summary>The nearest folder above the program holding surveys/ (the repository), else the working directory.</summary>
    public static readonly string Root = FindRoot();

    public static string DefaultSurvey => Path.Combine(Root, "surveys", "sc3-2023");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "surveys")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>A clock that starts at a given time and then runs at real speed (the demo's and tests' "now").</summary>
public sealed class ShiftedTimeProvider(DateTimeOffset start, TimeProvider? inner = null) : TimeProvider
{
    private readonly TimeProvider _inner = inner ?? System;
    private TimeSpan _offset = start - (inner ?? System).GetUtcNow();

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow() + _offset;

    /// <summary>Moves the clock to <paramref name="now"/> (tests).</summary>
    public void Set(DateTimeOffset now) => _offset = now - _inner.GetUtcNow();
}

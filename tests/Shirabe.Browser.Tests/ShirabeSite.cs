using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PuppeteerSharp;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Pdf;

namespace Shirabe.Browser.Tests;

/// <summary>The project's own copies of the SC3 2023 questionnaire and reconstructed responses.</summary>
public static class Sc3
{
    public static readonly string SurveyDir = Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2023");
    public static readonly string ResponsesPath = Path.Combine(SurveyDir, "responses-2023.csv");

    private static readonly Lazy<Survey> LazySurvey = new(() => SurveyLoader.LoadFile(SurveyDir));
    public static Survey Survey => LazySurvey.Value;
    /// <summary>The web form's pages (a long section is several pages).</summary>
    public static IReadOnlyList<Shirabe.Respond.FormPage> Pages => Shirabe.Respond.FormPages.Of(Survey);

    /// <summary>A reconstructed respondent's row, read with the app's own reader (so the form must express it).</summary>
    public static Response Respondent(string id)
    {
        using var stream = File.OpenRead(ResponsesPath);
        return ResponsesCsv.Read(stream, Survey).Single(r => r.Id == id);
    }

    /// <summary>In the 2023 survey period (19 Oct – 15 Dec 2023): 1 Nov 2023, 10:00 in Japan.</summary>
    public static readonly DateTimeOffset DuringPeriod = new(2023, 11, 1, 10, 0, 0, TimeSpan.FromHours(9));
    public static readonly DateTimeOffset AfterClose = new(2023, 12, 20, 10, 0, 0, TimeSpan.FromHours(9));
    public static readonly DateTimeOffset BeforeOpen = new(2023, 10, 1, 10, 0, 0, TimeSpan.FromHours(9));
}

/// <summary>
/// The real app on a free loopback port (Kestrel, as `shirabe serve` runs it) with its own fresh SQLite file and a
/// clock that starts at a fixed time.
/// </summary>
public sealed class ShirabeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _next;

    private ShirabeServer(WebApplication app, string dir, string dbFile, string baseUrl)
    {
        _app = app;
        Directory = dir;
        DbFile = dbFile;
        BaseUrl = baseUrl;
    }

    public string Directory { get; }
    public string DbFile { get; }
    public string DbConnection => "Data Source=" + DbFile;
    public string BaseUrl { get; }
    public IServiceProvider Services => _app.Services;

    /// <param name="survey">The survey folder to serve (default: SC3 2023).</param>
    public static async Task<ShirabeServer> StartAsync(DateTimeOffset now, string? survey = null)
    {
        var dir = System.IO.Directory.CreateDirectory(
            Path.Combine(Path.GetTempPath(), "shirabe-browser-" + Guid.NewGuid().ToString("N"))).FullName;
        var dbFile = Path.Combine(dir, "shirabe.db");
        var app = ShirabeApp.Build(["--urls", "http://127.0.0.1:0"], b =>
        {
            b.Configuration["Shirabe:Db"] = "Data Source=" + dbFile;
            b.Configuration["Shirabe:DataDir"] = dir;
            b.Configuration["Shirabe:Survey"] = survey ?? Sc3.SurveyDir;
            b.Configuration["Shirabe:Now"] = now.ToString("O");
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ShirabeServer(app, dir, dbFile, address.TrimEnd('/'));
    }

    /// <summary>Invites a new organisation and returns its personal link's token (each test gets its own).</summary>
    /// <param name="surveyId">A stored survey (default: the served folder's).</param>
    public async Task<string> InviteAsync(string? code = null, string? name = null, string? surveyId = null)
    {
        code ??= "T" + Interlocked.Increment(ref _next).ToString("D3");
        var token = InvitationTokens.NewToken();
        var now = Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        await using var db = Services.GetRequiredService<Database>().CreateContext();
        var survey = surveyId ?? Services.GetRequiredService<Shirabe.Surveys.ServedSurvey>().Survey.Id;
        var series = await db.Surveys.Where(s => s.Id == survey).Select(s => s.SeriesId).SingleAsync();
        db.AccessLinks.Add(new AccessLink
        {
            Invitation = new Invitation
            {
                Organisation = new Organisation { SeriesId = series, Code = code, Name = name ?? $"一般社団法人試験団体{code}", CreatedAt = now },
                SurveyId = survey,
                CreatedAt = now,
            },
            TokenHash = InvitationTokens.Hash(token),
            CreatedAt = now,
        });
        await db.SaveChangesAsync();
        return token;
    }

    /// <summary>Imports reconstructed rows as already submitted (through `shirabe import`'s code) and returns their tokens.</summary>
    public async Task<IReadOnlyList<ResponsesTransfer.Imported>> ImportAsync(params string[] ids)
    {
        var lines = File.ReadAllText(Sc3.ResponsesPath);
        // Keep the header and the requested records (records end with CRLF; line breaks inside fields are LF).
        var records = lines.Split("\r\n");
        var text = string.Join("\r\n", records.Where((r, i) => i == 0 || ids.Any(id => r.StartsWith(id + ",", StringComparison.Ordinal)))) + "\r\n";
        await using var db = Services.GetRequiredService<Database>().CreateContext();
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        return await ResponsesTransfer.ImportAsync(db, Services.GetRequiredService<Shirabe.Surveys.ServedSurvey>().Survey, stream,
            Services.GetRequiredService<TimeProvider>());
    }

    public string Url(string path) => BaseUrl + path;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// One headless Chromium (with <see cref="ChromiumPdf.Arguments"/>) and the app in three phases of the survey:
/// open, closed and not yet open. Tests take their own incognito context and their own invitation.
/// </summary>
public sealed class ShirabeSite : IAsyncLifetime
{
    private readonly ChromiumPdf _chromium = new();
    public IBrowser Browser { get; private set; } = null!;
    public ShirabeServer Open { get; private set; } = null!;
    public ShirabeServer Closed { get; private set; } = null!;
    public ShirabeServer NotYetOpen { get; private set; } = null!;
    /// <summary>R16's submission, imported into the closed survey: the read-only view after the close.</summary>
    public string ClosedSubmittedToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var browser = _chromium.BrowserAsync();
        var open = ShirabeServer.StartAsync(Sc3.DuringPeriod);
        var closed = ShirabeServer.StartAsync(Sc3.AfterClose);
        var notYet = ShirabeServer.StartAsync(Sc3.BeforeOpen);
        Browser = await browser;
        Open = await open;
        Closed = await closed;
        NotYetOpen = await notYet;
        ClosedSubmittedToken = (await Closed.ImportAsync("R16")).Single().Token;
    }

    /// <summary>A fresh incognito context (no cookies, no storage shared with other tests) and a page in it.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        page.DefaultTimeout = 30_000; // generous: CI machines are shared
        page.DefaultNavigationTimeout = 30_000;
        await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = height });
        return (context, page);
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { Open, Closed, NotYetOpen })
            if (server is not null) await server.DisposeAsync();
        await _chromium.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ShirabeSite>
{
    public const string Name = "browser";
}

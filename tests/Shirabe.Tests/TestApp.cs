using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>
/// One test's own Shirabe: a fresh database (an SQLite file in a temporary folder, or a new PostgreSQL database on the
/// server of SHIRABE_TEST_PG), its own data folder, clock and rate limiter. Nothing is shared between tests.
/// </summary>
public sealed partial class TestApp : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    /// <summary>The link key of every test app (docs/decisions/042): 32 fixed bytes, so derived links are reproducible.</summary>
    public static readonly string LinkKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i)).ToArray());

    /// <summary>The test apps' link key, as the server loads it.</summary>
    public static Shirabe.Fieldwork.LinkKeys Keys => Shirabe.Fieldwork.LinkKeys.From(Convert.FromBase64String(LinkKey), "Shirabe:LinkKey");

    /// <summary>Every test that touches the database runs once per provider; PostgreSQL only when a server is given.</summary>
    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string> { Sqlite };
        if (PgServer is not null) data.Add(Postgres);
        return data;
    }

    public static string? PgServer => Environment.GetEnvironmentVariable("SHIRABE_TEST_PG") is { Length: > 0 } s ? s : null;

    /// <summary>Mid-fieldwork: 2023-11-01 10:00 in Japan.</summary>
    public static readonly DateTimeOffset DuringFieldwork = new(2023, 11, 1, 10, 0, 0, TimeSpan.FromHours(9));

    private readonly string _dir;
    private readonly string? _pgDatabase;
    private readonly Factory _factory;

    public ShiftedTimeProvider Clock { get; }
    public Database Database { get; }
    public Survey Survey => _factory.Services.GetRequiredService<Shirabe.Surveys.ServedSurvey>().Survey;

    /// <summary>The app's services (singletons such as limiters and the PDF renderer).</summary>
    public IServiceProvider Services => _factory.Services;

    private TestApp(string dir, string connectionString, string? pgDatabase, DateTimeOffset now, int failedLookups, bool migrate,
        Action<IServiceCollection>? services, string? survey)
    {
        _dir = dir;
        _pgDatabase = pgDatabase;
        Clock = new ShiftedTimeProvider(now);
        _factory = new Factory(connectionString, dir, Clock, failedLookups, migrate, services, survey);
        Database = _factory.Services.GetRequiredService<Database>(); // starts the host: migrations applied
    }

    /// <param name="survey">The survey folder to serve (default: SC3 2023).</param>
    /// <param name="services">Replaces services after the app's own (e.g. a counting password hasher).</param>
    /// <param name="prepare">Runs on the new, empty database (its connection string and data folder) before the app starts.</param>
    public static async Task<TestApp> StartAsync(string provider, DateTimeOffset? now = null, int failedLookups = 20, bool migrate = true,
        Action<IServiceCollection>? services = null, string? survey = null, Func<string, string, Task>? prepare = null)
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-test-").FullName;
        string cs;
        string? pgDb = null;
        if (provider == Postgres)
        {
            pgDb = "shirabe_t_" + Guid.NewGuid().ToString("N");
            await using (var c = new NpgsqlConnection(PgServer))
            {
                await c.OpenAsync();
                await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{pgDb}\"", c);
                await cmd.ExecuteNonQueryAsync();
            }
            cs = new NpgsqlConnectionStringBuilder(PgServer) { Database = pgDb }.ConnectionString;
        }
        else cs = "Data Source=" + Path.Combine(dir, "test.db");
        if (prepare is not null) await prepare(cs, dir);
        return new TestApp(dir, cs, pgDb, now ?? DuringFieldwork, failedLookups, migrate, services, survey);
    }

    /// <summary>
    /// A second server on the same database and data folder (its key ring, so form tokens of one are valid on the other):
    /// two instances behind one load balancer. Disposing it leaves the database and the folder to the first.
    /// </summary>
    public TestApp SecondInstance() => new(_dir, Database.ConnectionString, null, Clock.GetUtcNow(), 20, false, null, null) { _second = true };

    private bool _second;

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (tests look at them).</summary>
    public HttpClient Client() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public ShirabeDb Db() => Database.CreateContext();

    /// <summary>Invites a new organisation to the served survey; returns its link's token.</summary>
    public async Task<string> InviteAsync(string code = "T01", string name = "一般社団法人テスト工業会",
        DateTime? expiresAt = null, DateTime? revokedAt = null)
    {
        await using var db = Db();
        return await InviteAsync(db, Survey.Id, code, name, expiresAt, revokedAt);
    }

    /// <summary>Invites a new organisation (in the survey's series) to a stored survey; returns its link's token.</summary>
    public static async Task<string> InviteAsync(ShirabeDb db, string surveyId, string code, string name,
        DateTime? expiresAt = null, DateTime? revokedAt = null)
    {
        var token = InvitationTokens.NewToken();
        var series = await db.Surveys.Where(s => s.Id == surveyId).Select(s => s.SeriesId).SingleAsync();
        db.AccessLinks.Add(new AccessLink
        {
            Invitation = new Invitation
            {
                Organisation = new Organisation { SeriesId = series, Code = code, Name = name, CreatedAt = DateTime.UtcNow },
                SurveyId = surveyId,
                CreatedAt = DateTime.UtcNow,
                ExpiresAt = expiresAt,
            },
            TokenHash = InvitationTokens.Hash(token),
            CreatedAt = DateTime.UtcNow,
            RevokedAt = revokedAt,
        });
        await db.SaveChangesAsync();
        return token;
    }

    /// <summary>The organisation's draft cells (column → cell), or null when nothing was saved.</summary>
    public async Task<Dictionary<string, string>?> DraftAsync(string code)
    {
        await using var db = Db();
        var d = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(x => x.Invitation.Organisation.Code == code);
        return d is null ? null : StoredAnswers.Parse(d.Answers);
    }

    public async Task<List<Submission>> SubmissionsAsync(string code)
    {
        await using var db = Db();
        return await db.Submissions.AsNoTracking().Where(x => x.Invitation.Organisation.Code == code).ToListAsync();
    }

    public async Task<int> HistoryCountAsync(string code)
    {
        await using var db = Db();
        var ids = db.Invitations.Where(i => i.Organisation.Code == code).Select(i => i.Id);
        return await db.AnswerHistory.CountAsync(h => ids.Contains(h.InvitationId));
    }

    // ---- driving the pages

    public static async Task<string> CsrfTokenAsync(HttpClient client, string path)
    {
        var page = await client.GetStringAsync(path);
        return CsrfField().Match(page).Groups[1].Value;
    }

    /// <summary>Opens a section (for its form token) and posts it with the given fields and button.</summary>
    public static async Task<HttpResponseMessage> PostSectionAsync(HttpClient client, string token, string section,
        IEnumerable<(string Name, string Value)> fields, string action = "next", bool csrf = true)
    {
        var path = $"/a/{token}/s/{section}";
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        if (csrf) form.Add(new("__RequestVerificationToken", await CsrfTokenAsync(client, path)));
        form.Add(new("action", action));
        return await client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string token)
    {
        var page = await client.GetStringAsync($"/a/{token}/review");
        var version = DraftVersionField().Match(page).Groups[1].Value;
        return await client.PostAsync($"/a/{token}/review", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", CsrfField().Match(page).Groups[1].Value),
            new("draftVersion", version),
        ]));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    public static partial Regex CsrfField();

    [GeneratedRegex("name=\"draftVersion\" value=\"(\\d+)\"")]
    public static partial Regex DraftVersionField();

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        if (_pgDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(PgServer);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_pgDatabase}\" WITH (FORCE)", c);
            await cmd.ExecuteNonQueryAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!_second)
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private sealed class Factory(string db, string dataDir, TimeProvider clock, int failedLookups, bool migrate,
        Action<IServiceCollection>? services, string? survey) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production"); // error pages as a respondent sees them
            builder.UseSetting("Shirabe:Db", db);
            builder.UseSetting("Shirabe:DataDir", dataDir);
            builder.UseSetting("Shirabe:LinkKey", LinkKey); // never the embedded default's file in the home folder
            builder.UseSetting("Shirabe:FailedLookupsPerMinute", failedLookups.ToString());
            builder.UseSetting("Shirabe:MigrateOnStart", migrate ? "true" : "false");
            if (survey is not null) builder.UseSetting("Shirabe:Survey", survey);
            builder.ConfigureTestServices(s =>
            {
                s.AddSingleton(clock);
                services?.Invoke(s);
            });
        }
    }
}

public static class HttpAssert
{
    public static async Task<string> StatusAsync(HttpStatusCode expected, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 3000)]}");
        return body;
    }
}

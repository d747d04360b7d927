using System.CommandLine;
using Microsoft.Data.Sqlite;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Cli;

/// <summary>`serve`, `demo`, `db migrate`: the web application and its database (docs/cli.md).</summary>
public static class WebCommands
{
    internal static Option<string?> DbOption() => new("--db")
    {
        Description = "データベースの接続文字列（Host=… は PostgreSQL、それ以外は SQLite のファイル）。省略時は SHIRABE_DB、なければ data/shirabe.db",
    };

    internal static Option<string?> SurveyOption() => new("--survey")
    {
        Description = "調査票の定義（survey.yaml のあるフォルダ）。省略時は surveys/sc3-2023",
    };

    public static IEnumerable<Command> Commands()
    {
        yield return Serve();
        yield return Demo();
        yield return Db();
    }

    /// <summary>`serve` and `demo` run a web host, which handles SIGTERM and Ctrl+C itself and ends when it has stopped.</summary>
    internal static bool HostsOwnStop(Command command) => command.Name is "serve" or "demo" && command.Parents.Any(p => p is RootCommand);

    private static Command Serve()
    {
        var db = DbOption();
        var survey = SurveyOption();
        var urls = new Option<string?>("--urls") { Description = "待ち受けるアドレス（既定 http://localhost:5000）" };
        var now = new Option<string?>("--now") { Description = "デモ・試験用: 時計をこの日時から始める（例: 2023-11-01）。本番では指定しない" };
        var cmd = new Command("serve", "回答者用 Web アンケートを起動します") { db, survey, urls, now };
        cmd.SetAction(async (r, cancel) =>
        {
            var app = ShirabeApp.Build(HostArgs(r.GetValue(urls)), b => Configure(b.Configuration, r.GetValue(db), r.GetValue(survey), r.GetValue(now)));
            await RunAsync(app, cancel);
            return 0;
        });
        return cmd;
    }

    private static Command Demo()
    {
        var urls = new Option<string?>("--urls") { Description = "待ち受けるアドレス（既定 http://localhost:5000）" };
        var now = new Option<string?>("--now")
            { Description = "デモの時計の開始日時（既定 2024-11-15T18:00:00+09:00: 2023 年度は受付終了、2024 年度サンプルは受付中）" };
        var cmd = new Command("demo", "デモ用データベース data/demo.db を作り直し、2 回分の調査（2023 年度と 2024 年度サンプル）を登録して起動します") { urls, now };
        cmd.SetAction(async (r, cancel) =>
        {
            var file = Path.Combine(ShirabePaths.Root, "data", "demo.db");
            var start = ShirabeSettings.ParseNow(r.GetValue(now) ?? "2024-11-15T18:00:00+09:00");
            var address = (r.GetValue(urls) ?? "http://localhost:5000").Split(';')[0].TrimEnd('/');
            foreach (var f in new[] { file, file + "-wal", file + "-shm", file + "-journal" })
                if (File.Exists(f)) File.Delete(f);
            SqliteConnection.ClearAllPools();
            var app = ShirabeApp.Build(HostArgs(address), b => Configure(b.Configuration, "Data Source=" + file, null, start.ToString("O")));
            var database = app.Services.GetRequiredService<Database>();
            var clock = app.Services.GetRequiredService<TimeProvider>();
            await database.MigrateAsync(cancel);
            var (first, next) = await DemoSeed.SeedWavesAsync(database, app.Services.GetRequiredService<Surveys.SurveyCatalog>(),
                Path.Combine(ShirabePaths.Root, "surveys"), clock, app.Services.GetRequiredService<LinkKeys>(), cancel);
            Console.WriteLine($"デモ: {file} に同じシリーズの 2 回分の調査を登録しました。時計: {start:yyyy-MM-dd HH:mm zzz} から");
            foreach (var wave in new[] { first, next })
            {
                var survey = wave.Stored.Survey;
                var links = wave.Links;
                var phase = survey.Period.PhaseAt(start) switch
                {
                    SurveyPhase.Open => "受付中", SurveyPhase.Closed => "受付終了", _ => "受付前",
                };
                Console.WriteLine();
                Console.WriteLine($"■ {survey.Id}「{survey.Title}」");
                Console.WriteLine($"  受付期間 {survey.Period.Opens:yyyy-MM-dd} ～ {survey.Period.Closes:yyyy-MM-dd}（{phase}）"
                                  + (wave.Stored.Record.PreviousSurveyId is { } previous ? $"、前回: {previous}" : ""));
                Console.WriteLine($"  {links.Count} 団体を招待（提出済み {links.Count(l => l.Submitted)}、下書き {wave.Drafts}、"
                                  + $"未回答 {links.Count - links.Count(l => l.Submitted) - wave.Drafts}）");
                var done = links.First(l => l.Submitted);
                Console.WriteLine($"  提出済みの団体: {done.Code} {done.Name}: {address}{InvitationTokens.Path(done.Token)}");
                if (links.FirstOrDefault(l => l.Drafted) is { } drafted)
                    Console.WriteLine($"  回答中（下書き）の団体: {drafted.Code} {drafted.Name}: {address}{InvitationTokens.Path(drafted.Token)}");
                Console.WriteLine("  未回答の団体の回答用リンク:");
                foreach (var l in links.Where(l => !l.Submitted && !l.Drafted).TakeLast(2))
                    Console.WriteLine($"    {l.Code} {l.Name}: {address}{InvitationTokens.Path(l.Token)}");
            }
            Console.WriteLine();
            Console.WriteLine($"白紙の調査票: {address}/survey/blank");
            var password = Admin.AdminAuth.NewPassword();
            await using (var ctx = database.CreateContext())
                await new Admin.AdminUsers(ctx, new Microsoft.AspNetCore.Identity.PasswordHasher<AdminUser>(), clock)
                    .AddAsync("admin", password, cancel: cancel);
            Console.WriteLine($"管理画面: {address}/admin  ユーザー名 admin  パスワード {password}");
            Console.WriteLine($"前回比較（{next.Stored.Record.Id} と {first.Stored.Record.Id}）: {address}/admin/results/compare?survey={next.Stored.Record.Id}");
            await RunAsync(app, cancel);
            return 0;
        });
        return cmd;
    }

    private static Command Db()
    {
        var db = DbOption();
        var migrate = new Command("migrate", "データベースを最新の構造にします（serve も起動時に行います）") { db };
        migrate.SetAction(async (r, cancel) =>
        {
            var (database, _) = Open(r.GetValue(db), null);
            await database.MigrateAsync(cancel);
            Console.WriteLine($"{database.Describe()}: 最新の構造になりました。");
            return 0;
        });
        return new Command("db", "データベースを管理します") { migrate };
    }

    /// <summary>Runs the server until it is stopped; a SIGTERM or Ctrl+C that comes while it is still starting is a stop too.</summary>
    private static async Task RunAsync(WebApplication app, CancellationToken cancel)
    {
        var stopping = app.Lifetime.ApplicationStopping; // the app's services are disposed when RunAsync ends
        try
        {
            await app.RunAsync(cancel);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            // stopped before it listened
        }
    }

    private static string[] HostArgs(string? urls) => ["--urls", urls ?? "http://localhost:5000"];

    private static void Configure(IConfigurationManager config, string? db, string? survey, string? now)
    {
        if (db is not null) config["Shirabe:Db"] = db;
        if (survey is not null) config["Shirabe:Survey"] = survey;
        if (now is not null) config["Shirabe:Now"] = now;
        // `serve` and `demo` keep one Chromium warm for PDFs unless Shirabe:PdfWarm=false (docs/decisions/076); a host
        // embedding the app (the tests' servers) starts it on the first PDF.
        config["Shirabe:PdfWarm"] ??= "true";
    }

    /// <summary>The database and survey for a command, from the same configuration sources as `serve`.</summary>
    internal static (Database, Survey) Open(string? db, string? survey)
    {
        var config = new ConfigurationManager();
        config.AddEnvironmentVariables();
        Configure(config, db, survey, null);
        var settings = ShirabeSettings.From(config);
        return (new Database(settings.Db, settings.DataDir), SurveyLoader.LoadFile(settings.SurveyPath));
    }
}

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
            await app.RunAsync(cancel);
            return 0;
        });
        return cmd;
    }

    private static Command Demo()
    {
        var urls = new Option<string?>("--urls") { Description = "待ち受けるアドレス（既定 http://localhost:5000）" };
        var now = new Option<string?>("--now") { Description = "デモの時計の開始日時（既定 2023-12-15T18:00:00+09:00、受付期間中）" };
        var cmd = new Command("demo", "デモ用データベース data/demo.db を作り直し、57 団体と回答を登録して起動します") { urls, now };
        cmd.SetAction(async (r, cancel) =>
        {
            var file = Path.Combine(ShirabePaths.Root, "data", "demo.db");
            var start = ShirabeSettings.ParseNow(r.GetValue(now) ?? "2023-12-15T18:00:00+09:00");
            var address = (r.GetValue(urls) ?? "http://localhost:5000").Split(';')[0].TrimEnd('/');
            foreach (var f in new[] { file, file + "-wal", file + "-shm", file + "-journal" })
                if (File.Exists(f)) File.Delete(f);
            SqliteConnection.ClearAllPools();
            var app = ShirabeApp.Build(HostArgs(address), b => Configure(b.Configuration, "Data Source=" + file, null, start.ToString("O")));
            var database = app.Services.GetRequiredService<Database>();
            await database.MigrateAsync(cancel);
            List<DemoSeed.Link> links;
            await using (var ctx = database.CreateContext())
                links = await DemoSeed.SeedAsync(ctx, app.Services.GetRequiredService<Surveys.ServedSurvey>().Survey,
                    Path.Combine(ShirabePaths.DefaultSurvey, "responses-2023.csv"), app.Services.GetRequiredService<TimeProvider>(), cancel);
            Console.WriteLine($"デモ: {links.Count} 団体（回答済み {links.Count(l => l.Submitted)}、未回答 {links.Count(l => !l.Submitted)}）を {file} に登録しました。");
            Console.WriteLine($"時計: {start:yyyy-MM-dd HH:mm zzz} から（受付期間 2023-10-19 ～ 2023-12-15）");
            Console.WriteLine("未回答の団体の回答用リンク:");
            foreach (var l in links.Where(l => !l.Submitted).Take(3))
                Console.WriteLine($"  {l.Code} {l.Name}: {address}{InvitationTokens.Path(l.Token)}");
            var done = links.First(l => l.Submitted);
            Console.WriteLine("回答済みの団体（提出済み回答の確認・修正）:");
            Console.WriteLine($"  {done.Code} {done.Name}: {address}{InvitationTokens.Path(done.Token)}");
            Console.WriteLine($"白紙の調査票: {address}/survey/blank");
            var password = Admin.AdminAuth.NewPassword();
            await using (var ctx = database.CreateContext())
                await new Admin.AdminUsers(ctx, new Microsoft.AspNetCore.Identity.PasswordHasher<AdminUser>(),
                    app.Services.GetRequiredService<TimeProvider>()).AddAsync("admin", password, cancel: cancel);
            Console.WriteLine($"管理画面: {address}/admin  ユーザー名 admin  パスワード {password}");
            await app.RunAsync(cancel);
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

    private static string[] HostArgs(string? urls) => ["--urls", urls ?? "http://localhost:5000"];

    private static void Configure(IConfigurationManager config, string? db, string? survey, string? now)
    {
        if (db is not null) config["Shirabe:Db"] = db;
        if (survey is not null) config["Shirabe:Survey"] = survey;
        if (now is not null) config["Shirabe:Now"] = now;
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

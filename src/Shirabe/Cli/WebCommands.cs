using System.CommandLine;
using Microsoft.Data.Sqlite;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Cli;

/// <summary>`serve`, `demo`, `db migrate`, `import`, `export`: the web application and its database (docs/cli.md).</summary>
public static class WebCommands
{
    private static Option<string?> DbOption() => new("--db")
    {
        Description = "データベースの接続文字列（Host=… は PostgreSQL、それ以外は SQLite のファイル）。省略時は SHIRABE_DB、なければ data/shirabe.db",
    };

    private static Option<string?> SurveyOption() => new("--survey")
    {
        Description = "調査票の定義（survey.yaml のあるフォルダ）。省略時は surveys/sc3-2023",
    };

    public static IEnumerable<Command> Commands()
    {
        yield return Serve();
        yield return Demo();
        yield return Db();
        yield return Import();
        yield return Export();
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
                links = await DemoSeed.SeedAsync(ctx, app.Services.GetRequiredService<Survey>(),
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

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "回答ファイル（CSV、docs/codebook-sc3-2023.md の形式）" };
        var db = DbOption();
        var survey = SurveyOption();
        var encoding = new Option<string?>("--encoding") { Description = "文字コード（utf-8 または cp932）" };
        var cmd = new Command("import", "回答ファイルを回答済みの団体として取り込みます（全件か、何もしないか）") { file, db, survey, encoding };
        cmd.SetAction(async (r, cancel) =>
        {
            try
            {
                var (database, s) = Open(r.GetValue(db), r.GetValue(survey));
                await database.MigrateAsync(cancel);
                await using var ctx = database.CreateContext();
                await using var stream = File.OpenRead(r.GetValue(file)!);
                var options = r.GetValue(encoding) is { } e ? new ResponsesReadOptions { Encoding = ResponsesReadOptions.ParseEncoding(e) } : null;
                ResponsesTransfer.ImportCounts imported;
                using (var progress = ImportProgressLines.ToStandardError())
                    imported = await ResponsesTransfer.ImportEachAsync(ctx, s, stream, TimeProvider.System, null, options, progress, cancel);
                Console.WriteLine($"{imported.Total} 件（提出済み {imported.Submitted}、下書き {imported.Drafts}）を取り込みました。");
                return 0;
            }
            catch (Exception e) when (ShirabeCommands.IsUserError(e))
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });
        return cmd;
    }

    private static Command Export()
    {
        var output = new Option<string>("--responses") { Description = "書き出す回答ファイル（CSV）", Required = true };
        var db = DbOption();
        var survey = SurveyOption();
        var forExcel = new Option<bool>("--for-excel")
        {
            Description = "Excel で開くためのファイルにする（= + - @ で始まる文字列の先頭に ' を付け、数式として実行されないようにする）",
        };
        var cmd = new Command("export", "提出済みの回答を回答ファイル（CSV）に書き出します") { output, db, survey, forExcel };
        cmd.SetAction(async (r, cancel) =>
        {
            try
            {
                var (database, s) = Open(r.GetValue(db), r.GetValue(survey));
                await using var ctx = database.CreateContext();
                var path = r.GetValue(output)!;
                var temp = path + ".tmp";
                int count;
                await using (var stream = File.Create(temp))
                    count = await ResponsesTransfer.ExportAsync(ctx, s, stream, cancel, r.GetValue(forExcel));
                File.Move(temp, path, overwrite: true);
                Console.WriteLine($"{count} 件を {path} に書き出しました。");
                return 0;
            }
            catch (Exception e) when (ShirabeCommands.IsUserError(e))
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });
        return cmd;
    }

    private static string[] HostArgs(string? urls) => ["--urls", urls ?? "http://localhost:5000"];

    private static void Configure(IConfigurationManager config, string? db, string? survey, string? now)
    {
        if (db is not null) config["Shirabe:Db"] = db;
        if (survey is not null) config["Shirabe:Survey"] = survey;
        if (now is not null) config["Shirabe:Now"] = now;
    }

    /// <summary>The database and survey for a command, from the same configuration sources as `serve`.</summary>
    private static (Database, Survey) Open(string? db, string? survey)
    {
        var config = new ConfigurationManager();
        config.AddEnvironmentVariables();
        Configure(config, db, survey, null);
        var settings = ShirabeSettings.From(config);
        return (new Database(settings.Db, settings.DataDir), SurveyLoader.LoadFile(settings.SurveyPath));
    }
}

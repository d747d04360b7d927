using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Data;
using Shirabe.Surveys;

namespace Shirabe.Cli;

/// <summary>`shirabe survey add`, `survey list` and `survey export ID`: survey definitions stored in the database (docs/cli.md).</summary>
public static class StoredSurveyCommands
{
    /// <summary>The database of --db, else SHIRABE_DB / Shirabe:Db, else data/shirabe.db.</summary>
    internal static Database OpenDatabase(string? db)
    {
        var config = new ConfigurationManager();
        config.AddEnvironmentVariables();
        if (db is not null) config["Shirabe:Db"] = db;
        var settings = ShirabeSettings.From(config);
        return new Database(settings.Db, settings.DataDir);
    }

    /// <summary>The survey stored as <paramref name="id"/> (its published version, else the latest), or a clear error.</summary>
    internal static async Task<StoredSurvey> FindAsync(SurveyCatalog catalog, string id, CancellationToken cancel) =>
        await catalog.GetAsync(id, cancel)
        ?? throw new UserError($"調査「{id}」はデータベースに登録されていません（`shirabe survey list` で一覧を表示できます）。");

    public static Command Add()
    {
        var path = new Argument<string>("survey") { Description = "調査票の定義（survey.yaml のあるフォルダ、.yaml または .xlsx のファイル）" };
        var db = WebCommands.DbOption();
        var cmd = new Command("add", "調査票の定義をデータベースに登録します（新しい調査、または回答のない調査・文言だけの変更は新しい版）") { path, db };
        cmd.SetAction(async (r, cancel) =>
        {
            var file = r.GetValue(path)!;
            var (_, yaml) = SurveyFiles.Load(file);
            // A folder's report.yaml goes with it; a single file has none (the default report).
            var report = Directory.Exists(file) && File.Exists(Path.Combine(file, ReportDefinitionLoader.FileName))
                ? await File.ReadAllTextAsync(Path.Combine(file, ReportDefinitionLoader.FileName), cancel) : null;
            var database = OpenDatabase(r.GetValue(db));
            await database.MigrateAsync(cancel);
            var catalog = new SurveyCatalog(database, TimeProvider.System);
            var (stored, change) = await catalog.AddAsync(yaml, report, note: "survey add " + Path.GetFileName(Path.GetFullPath(file).TrimEnd('/')),
                cancel: cancel);
            r.Out().WriteLine($"{stored.Record.Id}\t第{stored.Version.Number}版");
            r.Err().WriteLine(change switch
            {
                CatalogChange.NewSurvey => $"新しい調査「{stored.Survey.Title}」を登録しました（シリーズ {stored.Record.SeriesId}）。",
                CatalogChange.NewVersion => $"調査「{stored.Survey.Title}」の新しい版を登録しました。",
                _ => "登録済みの版と同じ内容のため、何も変えていません。",
            });
            return 0;
        });
        return cmd.OnFailure("何も登録していません。");
    }

    public static Command List()
    {
        var db = WebCommands.DbOption();
        var cmd = new Command("list", "データベースに登録された調査を一覧にします") { db };
        cmd.SetAction(async (r, cancel) =>
        {
            var database = OpenDatabase(r.GetValue(db));
            var catalog = new SurveyCatalog(database, TimeProvider.System);
            await using var ctx = database.CreateContext();
            var rows = await ctx.Surveys.AsNoTracking().OrderBy(s => s.SeriesId).ThenBy(s => s.CreatedAt).ThenBy(s => s.Id)
                .Select(s => new
                {
                    s.Id, s.SeriesId, s.Title, s.PublishedVersionId,
                    Versions = ctx.SurveyVersions.Count(v => v.SurveyId == s.Id),
                    Invitations = ctx.Invitations.Count(i => i.SurveyId == s.Id),
                    Submissions = ctx.Submissions.Count(x => x.Valid && ctx.Invitations.Any(i => i.Id == x.InvitationId && i.SurveyId == s.Id)),
                }).ToListAsync(cancel);
            var output = r.Out();
            output.WriteLine("ID\tシリーズ\t題名\t版\t状態\t招待\t提出");
            var now = DateTimeOffset.UtcNow;
            foreach (var s in rows)
            {
                var stored = await catalog.GetAsync(ctx, s.Id, cancel);
                var state = stored is null ? "定義なし"
                    : (s.PublishedVersionId is null ? "" : "公開中・") + stored.Survey.Period.PhaseAt(now) switch
                    {
                        SurveyPhase.NotYetOpen => "開始前",
                        SurveyPhase.Open => "回答受付中",
                        _ => "締切後",
                    };
                output.WriteLine($"{s.Id}\t{s.SeriesId}\t{s.Title}\t{s.Versions}\t{state}\t{s.Invitations}\t{s.Submissions}");
            }
            if (rows.Count == 0) r.Err().WriteLine("登録された調査はありません（`shirabe survey add` で登録します）。");
            return 0;
        });
        return cmd.OnFailure("一覧を表示できませんでした。");
    }

    /// <summary>`survey export ID`: the stored definition (its survey.yaml text as stored, or the workbook).</summary>
    internal static async Task<(Survey Survey, string Yaml)> LoadStoredAsync(string id, string? db, CancellationToken cancel)
    {
        var database = OpenDatabase(db);
        var stored = await FindAsync(new SurveyCatalog(database, TimeProvider.System), id, cancel);
        return (stored.Survey, stored.Version.SurveyYaml);
    }
}

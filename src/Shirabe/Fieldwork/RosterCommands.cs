using System.CommandLine;
using System.Text;
using Shirabe.Cli;
using Shirabe.Core;
using Shirabe.Core.Responses;
using Shirabe.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace Shirabe.Fieldwork;

/// <summary>`roster import|export` and `invite create`: a survey's roster and personal links in the database (docs/cli.md).</summary>
public static class RosterCommands
{
    public static IEnumerable<Command> Commands()
    {
        yield return new Command("roster", "調査の名簿（招待する団体と連絡先）をデータベースに取り込み・書き出します") { Import(), Export() };
        yield return new Command("invite", "回答用リンクを作成します") { CreateLinks() };
    }

    private static Option<string> SurveyId() => new("--survey")
    {
        Description = "調査の ID（survey.yaml の id、例: sc3-2023）。データベースに登録済みのもの", Required = true,
    };

    /// <summary>
    /// The database of --db (else Shirabe:Db / SHIRABE_DB / data/shirabe.db), migrated, and the configuration read as
    /// `mail` reads it (appsettings.json next to the program, then the environment), so both find the same link key.
    /// </summary>
    private static async Task<(Database, IConfiguration)> OpenAsync(string? db, CancellationToken cancel)
    {
        var config = Mail.MailCommands.Configuration(db);
        var settings = ShirabeSettings.From(config);
        var database = new Database(settings.Db, settings.DataDir);
        await database.MigrateAsync(cancel);
        return (database, config);
    }

    private static bool Terminal(TextWriter err) => err == Console.Error && !Console.IsErrorRedirected;

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "名簿ファイル（CSV または XLSX、docs/roster-format.md の形式）" };
        var survey = SurveyId();
        var db = WebCommands.DbOption();
        var encoding = new Option<string?>("--encoding") { Description = "CSV の文字コード（utf-8 または cp932）。省略時は自動判定" };
        var cmd = new Command("import", "名簿を調査に取り込みます。コードで照合して追加・更新し、削除はしません（全件か、何もしないか）")
            { file, survey, db, encoding };
        cmd.SetAction(async (r, cancel) =>
        {
            var (database, config) = await OpenAsync(r.GetValue(db), cancel);
            var options = RosterReadOptions.From(config);
            if (r.GetValue(encoding) is { } e) options = options with { Encoding = ResponsesReadOptions.ParseEncoding(e) };
            var path = r.GetValue(file)!;
            await using var ctx = database.CreateContext();
            await using var stream = File.OpenRead(path);
            RosterImportResult result;
            var err = r.Err();
            using (var progress = new ImportProgressLines(err, Terminal(err)))
                result = await RosterImport.ImportAsync(ctx, r.GetValue(survey)!, stream, Path.GetFileName(path), options,
                    TimeProvider.System, null, progress, cancel);
            foreach (var warning in result.Warnings) err.WriteLine("注意: " + warning);
            var o = r.Out();
            o.WriteLine(Summary(result));
            if (result.MissingCount > 0)
                o.WriteLine(MissingLine(result));
            return 0;
        });
        return cmd.OnFailure("何も取り込んでいません。");
    }

    /// <summary>「57 件を取り込みました: 新規 57 件、更新 0 件、変更なし 0 件（新しい団体 57 件）。」</summary>
    public static string Summary(RosterImportResult r) =>
        $"{r.Rows:#,0} 件を取り込みました: 新規 {r.NewInvitations:#,0} 件、更新 {r.Updated:#,0} 件、変更なし {r.Unchanged:#,0} 件"
        + $"（新しい団体 {r.NewOrganisations:#,0} 件）。" + (r.Warnings.Count > 0 ? $"注意 {r.Warnings.Count:#,0} 件。" : "");

    /// <summary>The invitees kept although the file no longer lists them.</summary>
    public static string MissingLine(RosterImportResult r) =>
        $"この名簿にない団体が {r.MissingCount:#,0} 件あります（削除していません）: {string.Join(", ", r.Missing)}"
        + (r.MissingCount > r.Missing.Count ? $" …ほか {r.MissingCount - r.Missing.Count:#,0} 件" : "");

    private static Command Export()
    {
        var output = new Option<string>("--out") { Description = "書き出すファイル（.csv または .xlsx）", Required = true };
        var survey = SurveyId();
        var db = WebCommands.DbOption();
        var cmd = new Command("export", "調査の名簿を取り込みと同じ形式（CSV または XLSX）で書き出します") { survey, output, db };
        cmd.SetAction(async (r, cancel) =>
        {
            var path = r.GetValue(output)!;
            var format = RosterDownload.Format(path)
                ?? throw new UserError($"--out「{path}」の拡張子は .csv か .xlsx にしてください。");
            var (database, _) = await OpenAsync(r.GetValue(db), cancel);
            await using var ctx = database.CreateContext();
            var temp = path + ".tmp";
            int count;
            try
            {
                await using (var stream = File.Create(temp))
                    count = await RosterDownload.WriteAsync(ctx, r.GetValue(survey)!, format, stream, TimeProvider.System, null, cancel);
                File.Move(temp, path, overwrite: true);
            }
            finally { File.Delete(temp); }
            r.Out().WriteLine($"{count:#,0} 団体の名簿を {path} に書き出しました（個人情報を含みます。取り扱いに注意してください）。");
            return 0;
        });
        return cmd.OnFailure("名簿は書き出していません。");
    }

    private static Command CreateLinks()
    {
        var survey = SurveyId();
        var output = new Option<string?>("--out") { Description = "書き出すファイル（CSV: code,name,email,link）。省略時は標準出力" };
        var baseUrl = new Option<string?>("--base-url")
        {
            Description = "回答者が開く公開アドレス（例: https://survey.example.jp）。リンクはこのアドレス + /a/… になります。"
                + "省略時は Shirabe:PublicUrl（メールと同じアドレス）",
        };
        var db = WebCommands.DbOption();
        var cmd = new Command("create", "リンクのない招待すべてに回答用リンクを作り、code,name,email,link を書き出します。"
            + "個人リンクの鍵があれば、Shirabe の依頼・督促メールも同じリンクを載せます") { survey, output, baseUrl, db };
        cmd.SetAction(async (r, cancel) =>
        {
            var path = r.GetValue(output);
            if (path is not null && File.Exists(path))
                throw new UserError($"{path} は既にあります。前に作ったリンクが失われないよう、別のファイル名を指定してください。");
            var (database, config) = await OpenAsync(r.GetValue(db), cancel);
            var err = r.Err();
            var site = r.GetValue(baseUrl) is { } text ? InviteLinks.BaseUrl(text) : Mail.PublicSite.ForCommandLine(config, database.Provider, err);
            var keys = LinkKeys.For(config, ShirabeSettings.From(config).DataDir, database, NullLogger.Instance);
            err.WriteLine(keys.CanRecover
                ? $"個人リンクの鍵（{keys.Source}）からリンクを作ります。Shirabe の依頼・督促メール（mail invite、mail remind）も同じリンクを載せます。"
                : LinkKeys.NoKeyNotice + "このリンクはこの出力でしか見られません。");
            await using var ctx = database.CreateContext();
            int made;
            if (path is null)
            {
                using (var progress = new ImportProgressLines(err, Terminal(err), "作成中", ""))
                    made = await InviteLinks.CreateAsync(ctx, r.GetValue(survey)!, site, keys, r.Out(), TimeProvider.System, null, progress, cancel);
                err.WriteLine($"{made:#,0} 件の回答用リンクを作成しました。" + Kept(keys, "この出力"));
                return 0;
            }
            var temp = path + ".tmp";
            try
            {
                await using var writer = new StreamWriter(temp, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)) { NewLine = "\r\n" };
                using var progress = new ImportProgressLines(err, Terminal(err), "作成中", "");
                made = await InviteLinks.CreateAsync(ctx, r.GetValue(survey)!, site, keys, writer, TimeProvider.System, null, progress, cancel);
            }
            catch
            {
                File.Delete(temp); // not committed: no link exists that this file would have held
                throw;
            }
            if (made == 0) File.Delete(temp);
            else
                try { File.Move(temp, path); }
                catch (IOException e) // committed: the temporary file is now the only copy, so it is kept
                {
                    err.WriteLine($"{made:#,0} 件の回答用リンクを作成し、{temp} に書き出しました（{path} に改名できませんでした: {e.Message}）。" + Kept(keys, "このファイル"));
                    return 2;
                }
            r.Out().WriteLine(made == 0
                ? "リンクのない招待はありません。新しいリンクは作成していません（ファイルも作っていません。作成済みのリンクは変わりません）。"
                : $"{made:#,0} 件の回答用リンクを作成し、{path} に書き出しました。" + Kept(keys, "このファイル"));
            return 0;
        });
        return cmd.OnFailure("回答用リンクは作成していません。");
    }

    /// <summary>Where a link made now can be had again: from Shirabe's mail (derived) or nowhere but a reissue (random).</summary>
    private static string Kept(LinkKeys keys, string where) => keys.CanRecover
        ? $"データベースにはハッシュだけを保存しています。{where}をなくしても、Shirabe の依頼メール（mail invite --all、"
          + "管理画面の「依頼メールを送る」）や督促メールは同じリンクを載せます。再発行すると古いリンクは使えなくなります。"
        : $"リンクは{where}にしか残りません（データベースにはハッシュだけを保存しています）。なくした場合は管理画面で再発行してください"
          + "（古いリンクは使えなくなります）。Shirabe の督促メールにはこのリンクを載せられず、"
          + "Shirabe から依頼メール（mail invite）を送ると、まだ回答の始まっていない招待のリンクは新しいリンクに置き換わります。";
}

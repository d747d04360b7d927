using System.CommandLine;
using Shirabe.Cli;
using Shirabe.Core.Responses;

namespace Shirabe.Fieldwork;

/// <summary>`import` and `export`: responses files into and out of the database (docs/cli.md).</summary>
public static class TransferCommands
{
    public static IEnumerable<Command> Commands()
    {
        yield return Import();
        yield return Export();
    }

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "回答ファイル（CSV、docs/codebook-sc3-2023.md の形式）" };
        var db = WebCommands.DbOption();
        var survey = WebCommands.SurveyOption();
        var encoding = new Option<string?>("--encoding") { Description = "文字コード（utf-8 または cp932）" };
        var cmd = new Command("import", "回答ファイルを回答済みの団体として取り込みます（全件か、何もしないか）") { file, db, survey, encoding };
        cmd.SetAction(async (r, cancel) =>
        {
            var (database, s) = WebCommands.Open(r.GetValue(db), r.GetValue(survey));
            await database.MigrateAsync(cancel);
            await using var ctx = database.CreateContext();
            await using var stream = File.OpenRead(r.GetValue(file)!);
            var options = r.GetValue(encoding) is { } e ? new ResponsesReadOptions { Encoding = ResponsesReadOptions.ParseEncoding(e) } : null;
            ResponsesTransfer.ImportCounts imported;
            var err = r.Err();
            using (var progress = new ImportProgressLines(err, err == Console.Error && !Console.IsErrorRedirected))
                imported = await ResponsesTransfer.ImportEachAsync(ctx, s, stream, TimeProvider.System, null, options, progress, cancel);
            r.Out().WriteLine($"{imported.Total} 件（提出済み {imported.Submitted}、下書き {imported.Drafts}）を取り込みました。");
            return 0;
        });
        return cmd.OnFailure("何も取り込んでいません。");
    }

    private static Command Export()
    {
        var output = new Option<string>("--responses") { Description = "書き出す回答ファイル（CSV）", Required = true };
        var db = WebCommands.DbOption();
        var survey = WebCommands.SurveyOption();
        var forExcel = new Option<bool>("--for-excel")
        {
            Description = "Excel で開くためのファイルにする（= + - @ で始まる文字列の先頭に ' を付け、数式として実行されないようにする）",
        };
        var cmd = new Command("export", "提出済みの回答を回答ファイル（CSV）に書き出します") { output, db, survey, forExcel };
        cmd.SetAction(async (r, cancel) =>
        {
            var (database, s) = WebCommands.Open(r.GetValue(db), r.GetValue(survey));
            await using var ctx = database.CreateContext();
            var path = r.GetValue(output)!;
            var temp = path + ".tmp";
            int count;
            try
            {
                await using (var stream = File.Create(temp))
                    count = await ResponsesTransfer.ExportAsync(ctx, s, stream, cancel, r.GetValue(forExcel));
                File.Move(temp, path, overwrite: true);
            }
            finally { File.Delete(temp); }
            r.Out().WriteLine($"{count} 件を {path} に書き出しました。");
            return 0;
        });
        return cmd.OnFailure("回答ファイルは書き出していません。");
    }
}

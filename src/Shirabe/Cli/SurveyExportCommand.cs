using System.CommandLine;
using Shirabe.Surveys;

namespace Shirabe.Cli;

/// <summary>
/// `shirabe survey export PATH|ID --format yaml|xlsx --out FILE [--db CONN]`: a definition as YAML or as a workbook for
/// Excel. PATH is a folder or file; anything else (or any argument with --db) is a survey id stored in the database.
/// </summary>
public static class SurveyExportCommand
{
    public static Command Command()
    {
        var path = new Argument<string>("survey")
            { Description = "調査票の定義（survey.yaml のあるフォルダ、.yaml または .xlsx のファイル）、またはデータベースに登録した調査の ID" };
        var db = WebCommands.DbOption();
        var format = new Option<string>("--format") { Description = "出力形式: yaml, xlsx", Required = true };
        format.AcceptOnlyFromAmong("yaml", "xlsx");
        var output = new Option<string>("--out") { Description = "出力ファイル", Required = true };
        var export = new Command("export", "調査票の定義を YAML または Excel のワークブックとして書き出します") { path, format, output, db };
        export.SetAction(async (r, cancel) =>
        {
            var source = r.GetValue(path)!;
            var (survey, yaml) = r.GetValue(db) is null && (Directory.Exists(source) || File.Exists(source))
                ? SurveyFiles.Load(source)
                : await StoredSurveyCommands.LoadStoredAsync(source, r.GetValue(db), cancel);
            var file = r.GetValue(output)!;
            var temp = file + ".part";
            try
            {
                using (var stream = File.Create(temp))
                {
                    if (r.GetValue(format) == "xlsx") SurveyWorkbook.Write(survey, stream);
                    else stream.Write(new System.Text.UTF8Encoding(false).GetBytes(yaml));
                }
                File.Move(temp, file, overwrite: true);
            }
            finally { File.Delete(temp); }
            r.Err().WriteLine($"{file} を作成しました（{survey.Id}: {survey.Items.Count} 項目）。");
            return 0;
        });
        return export.OnFailure("ファイルは作成していません。");
    }
}

using System.CommandLine;
using Shirabe.Core.Questionnaire;
using Shirabe.Surveys;

namespace Shirabe.Cli;

/// <summary>`shirabe survey check`, `diff`, `export`, `add` and `list`: survey definitions as files and in the database (docs/cli.md).</summary>
public static class SurveyCommands
{
    public static Command Command()
    {
        var path = new Argument<string>("survey") { Description = "調査票の定義（survey.yaml のあるフォルダ、.yaml または .xlsx のファイル）" };
        var check = new Command("check", "調査票の定義を検査し、誤りを行番号付きで表示します") { path };
        check.SetAction(r =>
        {
            var output = r.Out();
            var (survey, _) = SurveyFiles.Load(r.GetValue(path)!);
            output.WriteLine($"{survey.Id}: {survey.Title}");
            output.WriteLine($"  期間 {survey.Period.Opens:yyyy-MM-dd} ～ {survey.Period.Closes:yyyy-MM-dd}（{survey.Period.TimeZone.Id}）");
            output.WriteLine($"  {survey.Sections.Count} セクション、{survey.Questions.Count()} 設問、{survey.Items.Count} 項目、"
                              + $"{survey.Items.Sum(i => i.Columns.Count())} 列、スキップ条件 {survey.Items.Count(i => i.ShowIf is not null)} 件");
            output.WriteLine("問題はありません。");
            return 0;
        });
        check.OnFailure("調査票の定義を直してから、もう一度検査してください。");
        return new Command("survey", "調査票の定義を扱います")
        {
            check, DiffCommand(), SurveyExportCommand.Command(), StoredSurveyCommands.Add(), StoredSurveyCommands.List(),
        };
    }

    /// <summary>`shirabe survey diff OLD NEW`: the changes from a previous wave's definition (or version) to the next.</summary>
    private static Command DiffCommand()
    {
        var old = new Argument<string>("old") { Description = "前回の調査票の定義（survey.yaml のあるフォルダ、.yaml か .xlsx）" };
        var @new = new Argument<string>("new") { Description = "今回の調査票の定義（survey.yaml のあるフォルダ、.yaml か .xlsx）" };
        var diff = new Command("diff", "2 つの調査票の定義を比べ、追加・削除・文言・選択肢・構造の変更を表示します") { old, @new };
        diff.SetAction(r =>
        {
            var result = SurveyDiff.Compare(SurveyFiles.Load(r.GetValue(old)!).Survey, SurveyFiles.Load(r.GetValue(@new)!).Survey);
            var text = new StringWriter();
            SurveyDiffText.Write(text, result);
            r.Out().Write(text.ToString());
            return 0;
        });
        return diff.OnFailure("調査票の定義を直してから、もう一度比較してください。");
    }
}

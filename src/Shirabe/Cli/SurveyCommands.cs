using System.CommandLine;
using Shirabe.Surveys;

namespace Shirabe.Cli;

/// <summary>`shirabe survey check DIR|FILE`: validates a survey definition and prints its outline.</summary>
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
        return new Command("survey", "調査票の定義を扱います") { check, SurveyExportCommand.Command() };
    }
}

using System.CommandLine;
using Shirabe.Cli;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Tabulate;

/// <summary>
/// `shirabe responses generate --survey DIR|FILE --rows N [--seed S] [--text P] --out CSV`: writes random but
/// rule-consistent responses (skip rules obeyed) in the responses-file format, for benchmarks and rehearsals.
/// </summary>
public static class GenerateCommand
{
    public static Command Command()
    {
        var survey = new Option<string>("--survey") { Description = "調査票の定義（survey.yaml のあるフォルダかファイル）", Required = true };
        var rows = new Option<long>("--rows") { Description = "回答の件数", Required = true };
        var seed = new Option<int>("--seed") { Description = "乱数の種（同じ種なら同じファイル）", DefaultValueFactory = _ => 2023 };
        var text = new Option<double>("--text") { Description = "自由記述が書かれる割合（0～1）", DefaultValueFactory = _ => 0.02 };
        var output = new Option<string>("--out") { Description = "出力する回答ファイル（CSV）", Required = true };
        var generate = new Command("generate", "調査票の規則に沿った架空の回答ファイルを作ります（性能測定・リハーサル用）")
            { survey, rows, seed, text, output };
        generate.SetAction(r => ShirabeCommands.Guard(() =>
        {
            var s = SurveyLoader.LoadFile(r.GetValue(survey)!);
            var count = r.GetValue(rows);
            if (count < 0) throw new ArgumentException("--rows は 0 以上にしてください。");
            using var file = File.Create(r.GetValue(output)!);
            ResponsesCsv.Write(file, s, SyntheticResponses.Generate(s, new Random(r.GetValue(seed)), count,
                new SyntheticOptions { Text = r.GetValue(text) }));
            Console.Error.WriteLine($"{count:N0} 件の回答を書き出しました: {r.GetValue(output)}");
            return 0;
        }));
        return new Command("responses", "回答ファイルを扱います") { generate };
    }
}

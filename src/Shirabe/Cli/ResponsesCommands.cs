using System.CommandLine;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Cli;

/// <summary>
/// `shirabe responses generate --survey DIR|FILE --rows N [--seed S] [--text P] [--text-length N] --out CSV`: writes random but
/// rule-consistent responses (skip rules obeyed) in the responses-file format, for benchmarks and rehearsals.
/// </summary>
public static class ResponsesCommands
{
    public static Command Command()
    {
        var survey = new Option<string>("--survey") { Description = "調査票の定義（survey.yaml のあるフォルダかファイル）", Required = true };
        var rows = new Option<long>("--rows") { Description = "回答の件数", Required = true };
        var seed = new Option<int>("--seed") { Description = "乱数の種（同じ種なら同じファイル）", DefaultValueFactory = _ => 2023 };
        var text = new Option<double>("--text") { Description = "自由記述が書かれる割合（0～1）", DefaultValueFactory = _ => 0.02 };
        var textLength = new Option<int>("--text-length")
            { Description = "自由記述 1 件のおよその文字数（0 は短い語句 1 つ。設問の上限を超えない）", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "出力する回答ファイル（CSV）", Required = true };
        var generate = new Command("generate", "調査票の規則に沿った架空の回答ファイルを作ります（性能測定・リハーサル用）")
            { survey, rows, seed, text, textLength, output };
        generate.SetAction(r =>
        {
            var s = SurveyLoader.LoadFile(r.GetValue(survey)!);
            var count = r.GetValue(rows);
            if (count < 0) throw new UserError("--rows は 0 以上にしてください。");
            var share = r.GetValue(text);
            if (share is < 0 or > 1) throw new UserError("--text は 0 から 1 までの数にしてください。");
            var length = r.GetValue(textLength);
            if (length < 0) throw new UserError("--text-length は 0 以上にしてください。");
            var path = r.GetValue(output)!;
            // Written under a temporary name and renamed: a failure leaves no half-written file.
            var temp = path + ".part";
            try
            {
                using (var file = File.Create(temp))
                    ResponsesCsv.Write(file, s, SyntheticResponses.Generate(s, new Random(r.GetValue(seed)), count,
                        new SyntheticOptions { Text = share, TextLength = length }));
                File.Move(temp, path, overwrite: true);
            }
            finally { File.Delete(temp); }
            r.Err().WriteLine($"{count:N0} 件の回答を書き出しました: {path}");
            return 0;
        });
        generate.OnFailure("回答ファイルは作成していません。");
        return new Command("responses", "回答ファイルを扱います") { generate };
    }
}

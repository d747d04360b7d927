using System.CommandLine;
using System.Text;
using Shirabe.Cli;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;

namespace Shirabe.Tabulate;

/// <summary>
/// `shirabe tabulate --survey DIR|FILE --responses CSV [--format json|text] [--where ITEM=CODE]... [--cross ITEM,ITEM]
/// [--encoding cp932]`: tabulates a responses file in one streaming pass (docs/cli.md, docs/tabulate-json.md).
/// </summary>
public static class TabulateCommand
{
    /// <summary>Files larger than this report progress on stderr.</summary>
    private const long ProgressThresholdBytes = 10L * 1024 * 1024;
    private const long ProgressEveryRows = 100_000;

    public static Command Command()
    {
        var survey = new Option<string>("--survey") { Description = "調査票の定義（survey.yaml のあるフォルダかファイル）", Required = true };
        var responses = new Option<string>("--responses") { Description = "回答ファイル（CSV）", Required = true };
        var format = new Option<string>("--format") { Description = "出力形式: text（表）または json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var where = new Option<string[]>("--where") { Description = "絞り込み 設問=選択肢（例: 1-6=5）。複数指定はすべてを満たす回答", Arity = ArgumentArity.ZeroOrMore };
        var cross = new Option<string?>("--cross") { Description = "クロス集計する 2 つの設問（例: 4-3-a,4-4-a）" };
        var encoding = new Option<string?>("--encoding") { Description = "回答ファイルの文字コード（utf-8 または cp932）。既定は UTF-8" };

        var command = new Command("tabulate", "回答ファイルを集計します（単純集計・絞り込み・クロス集計）")
            { survey, responses, format, where, cross, encoding };
        command.SetAction(r => ShirabeCommands.Guard(() => Run(
            r.GetValue(survey)!, r.GetValue(responses)!, r.GetValue(format)!, r.GetValue(where) ?? [],
            r.GetValue(cross), r.GetValue(encoding))));
        return command;
    }

    private static int Run(string surveyPath, string responsesPath, string format, string[] where, string? cross, string? encoding)
    {
        var survey = SurveyLoader.LoadFile(surveyPath);
        var segment = where.Length > 0 ? new Segment(where.Select(w => SegmentFilter.Parse(survey, w)).ToArray()) : null;
        var crossItems = cross is null ? ((Item, Item)?)null : ParseCross(survey, cross);
        // Tabulation keeps nothing of a row but strings: one answers array serves every row.
        var options = new ResponsesReadOptions
        {
            Encoding = encoding is null ? null : ResponsesReadOptions.ParseEncoding(encoding),
            ReuseAnswers = true,
        };
        if (!File.Exists(responsesPath)) throw new FileNotFoundException($"回答ファイル {responsesPath} がありません。");

        using var stream = new FileStream(responsesPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var rows = ResponsesCsv.Read(stream, survey, options);
        if (stream.Length > ProgressThresholdBytes) rows = WithProgress(rows, stream);
        // Tabulation consumes the whole file before anything is written: a bad file prints nothing on stdout.
        var tabulation = Core.Tabulation.Tabulate.Survey(survey, rows, segment, crossItems);

        using var stdout = Console.OpenStandardOutput();
        if (format == "json")
            TabulationJson.Write(stdout, tabulation);
        else
        {
            using var text = new StreamWriter(stdout, new UTF8Encoding(false), 1 << 16);
            TabulationText.Write(text, tabulation);
        }
        return 0;
    }

    private static (Item, Item) ParseCross(Survey survey, string text)
    {
        var codes = text.Split(',', StringSplitOptions.TrimEntries);
        if (codes.Length != 2 || codes.Any(c => c.Length == 0))
            throw new ArgumentException($"--cross「{text}」は 2 つの設問番号をカンマで区切って書いてください（例: 4-3-a,4-4-a）。");
        var items = codes.Select(c => survey.TryGetItem(c, out var item) ? item
            : throw new ArgumentException($"クロス集計の設問 {c} は調査票「{survey.Id}」にありません。")).ToArray();
        foreach (var item in items)
            if (item.Kind is not (ItemKind.Single or ItemKind.Multiple or ItemKind.Matrix))
                throw new ArgumentException($"設問 {item.Code} は選択式ではないため、クロス集計には使えません。");
        return (items[0], items[1]);
    }

    /// <summary>Plain progress lines on stderr (no terminal tricks: they are readable in logs too).</summary>
    private static IEnumerable<Response> WithProgress(IEnumerable<Response> rows, FileStream stream)
    {
        long n = 0;
        foreach (var r in rows)
        {
            if (++n % ProgressEveryRows == 0)
                Console.Error.WriteLine($"集計中: {n:N0} 行（{100.0 * stream.Position / stream.Length:0}%）");
            yield return r;
        }
        Console.Error.WriteLine($"読み込み完了: {n:N0} 行");
    }
}

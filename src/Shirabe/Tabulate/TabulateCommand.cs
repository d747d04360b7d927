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
        var threads = new Option<int>("--threads")
            { Description = "10 MB を超えるファイルを並行して読むスレッド数（既定は CPU コア数、1 で逐次）", DefaultValueFactory = _ => Environment.ProcessorCount };

        var command = new Command("tabulate", "回答ファイルを集計します（単純集計・絞り込み・クロス集計）")
            { survey, responses, format, where, cross, encoding, threads };
        command.SetAction(r => ShirabeCommands.Guard(() => Run(
            r.GetValue(survey)!, r.GetValue(responses)!, r.GetValue(format)!, r.GetValue(where) ?? [],
            r.GetValue(cross), r.GetValue(encoding), r.GetValue(threads))));
        return command;
    }

    private static int Run(string surveyPath, string responsesPath, string format, string[] where, string? cross, string? encoding,
        int threads)
    {
        if (threads < 1) throw new ArgumentException("--threads は 1 以上にしてください。");
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

        // Tabulation consumes the whole file before anything is written: a bad file prints nothing on stdout.
        var big = new FileInfo(responsesPath).Length > ProgressThresholdBytes;
        var progress = big ? new Progress() : null;
        var tabulation = (big && threads > 1 ? TabulateInParts(survey, responsesPath, options, segment, crossItems, progress, threads) : null)
                         ?? Core.Tabulation.Tabulate.Survey(survey, Rows(survey, responsesPath, options, progress), segment, crossItems);
        progress?.Done();

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

    private static IEnumerable<Response> Rows(Survey survey, string path, ResponsesReadOptions options, Progress? progress,
        Func<Stream>? open = null, HashSet<string>? ids = null)
    {
        using var stream = open?.Invoke() ?? Open(path);
        foreach (var r in ResponsesCsv.Read(stream, survey, options))
        {
            ids?.Add(r.Id);
            progress?.Row();
            yield return r;
        }
    }

    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    /// <summary>
    /// A big file is read in one part per core (<see cref="ResponsesFileParts"/>). Only a clean file is tabulated this
    /// way: on any problem, or an id repeated across parts, null is returned and the file is read again in one pass,
    /// which reports every problem with its true row number.
    /// </summary>
    private static SurveyTabulation? TabulateInParts(Survey survey, string path, ResponsesReadOptions options, Segment? segment,
        (Item, Item)? cross, Progress? progress, int threads)
    {
        var openers = ResponsesFileParts.Split(() => Open(path), threads);
        if (openers.Count < 2) return null;
        var ids = openers.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        try
        {
            var tabulation = Core.Tabulation.Tabulate.SurveyInParts(survey,
                openers.Select((open, i) => Rows(survey, path, options, progress, open, ids[i])).ToArray(), segment, cross);
            for (var i = 1; i < ids.Length; i++)
                for (var j = 0; j < i; j++)
                    if (ids[i].Overlaps(ids[j]))
                    {
                        progress?.Restart();
                        return null;
                    }
            return tabulation;
        }
        catch (ResponsesFileException)
        {
            progress?.Restart();
            return null;
        }
    }

    /// <summary>Plain progress lines on stderr (no terminal tricks: they are readable in logs too); thread-safe.</summary>
    private sealed class Progress
    {
        private long _rows;

        public void Row()
        {
            var n = Interlocked.Increment(ref _rows);
            if (n % ProgressEveryRows == 0) Console.Error.WriteLine($"集計中: {n:N0} 行");
        }

        public void Restart()
        {
            Console.Error.WriteLine("問題のある行があるため、ファイル全体を読み直して問題を一覧にします。");
            Interlocked.Exchange(ref _rows, 0);
        }

        public void Done() => Console.Error.WriteLine($"読み込み完了: {Interlocked.Read(ref _rows):N0} 行");
    }
}

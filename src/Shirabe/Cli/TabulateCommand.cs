using System.CommandLine;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;

namespace Shirabe.Cli;

/// <summary>
/// `shirabe tabulate --survey DIR|FILE --responses CSV [--format json|text] [--where ITEM=CODE]... [--cross ITEM,ITEM]
/// [--encoding cp932] [--include-personal] [--previous DIR|FILE --previous-responses CSV]`: tabulates a responses file in one streaming pass (docs/cli.md, docs/tabulate-json.md).
/// With `--survey-id ID [--db CONN]` instead of --survey and --responses: a survey stored in the database and its valid submitted responses.
/// </summary>
public static class TabulateCommand
{
    /// <summary>Files larger than this report progress on stderr and are read in parts, one per thread.</summary>
    private const long BigFileBytes = 10L * 1024 * 1024;
    private const long ProgressEveryRows = 100_000;

    public static Command Command()
    {
        var survey = new Option<string?>("--survey") { Description = "調査票の定義（survey.yaml のあるフォルダかファイル）" };
        var responses = new Option<string?>("--responses") { Description = "回答ファイル（CSV）" };
        var surveyId = new Option<string?>("--survey-id") { Description = "データベースに登録した調査の ID（--survey と --responses の代わりに。提出済みの有効な回答を集計）" };
        var db = WebCommands.DbOption();
        var format = new Option<string>("--format") { Description = "出力形式: text（表）または json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var where = new Option<string[]>("--where") { Description = "絞り込み 設問=選択肢（例: 1-6=5）。複数指定はすべてを満たす回答", Arity = ArgumentArity.ZeroOrMore };
        var cross = new Option<string?>("--cross") { Description = "クロス集計する 2 つの設問（例: 4-3-a,4-4-a）" };
        var encoding = new Option<string?>("--encoding") { Description = "回答ファイルの文字コード（utf-8 または cp932）。既定は UTF-8" };
        var threads = new Option<int>("--threads")
            { Description = "10 MB を超えるファイルを並行して読むスレッド数（既定は CPU コア数、1 で逐次）", DefaultValueFactory = _ => Environment.ProcessorCount };

        var indent = new Option<bool>("--indent") { Description = "JSON を字下げして人が読みやすく出力する（既定は 1 行に詰めた形）" };
        var includePersonal = new Option<bool>("--include-personal")
            { Description = "回答者個人の情報（氏名・役職など、調査票で personal: true の設問）も集計に含める" };

        var previous = new Option<string?>("--previous") { Description = "前回の調査票の定義（前回の件数・% を比較できる設問に並べる）" };
        var previousResponses = new Option<string?>("--previous-responses") { Description = "前回の回答ファイル（CSV、--previous と一緒に指定）" };

        var command = new Command("tabulate", "回答ファイルを集計します（単純集計・絞り込み・クロス集計）")
            { survey, responses, surveyId, db, format, indent, where, cross, encoding, threads, includePersonal, previous, previousResponses };
        command.SetAction(async (r, cancel) =>
        {
            var (file, stored) = await SourceAsync(r.GetValue(survey), r.GetValue(responses), r.GetValue(surveyId), r.GetValue(db), cancel);
            return Run(r, file.Survey, file.Responses, stored, r.GetValue(format)!, r.GetValue(indent), r.GetValue(where) ?? [],
                r.GetValue(cross), r.GetValue(encoding), r.GetValue(threads), r.GetValue(includePersonal),
                r.GetValue(previous), r.GetValue(previousResponses));
        });
        return command.OnFailure("集計結果は出力していません。");
    }

    /// <summary>
    /// What to tabulate: a survey file and a responses file, or (--survey-id) a stored survey and its valid submitted
    /// responses read from the database.
    /// </summary>
    internal static async Task<((string Survey, string Responses) Files, (Survey Survey, List<Response> Responses)? Stored)> SourceAsync(
        string? surveyPath, string? responsesPath, string? surveyId, string? db, CancellationToken cancel)
    {
        if (surveyId is not null)
        {
            if (surveyPath is not null || responsesPath is not null)
                throw new UserError("--survey-id（データベースの調査）と --survey / --responses（ファイル）は一緒に指定できません。");
            var database = StoredSurveyCommands.OpenDatabase(db);
            var stored = await StoredSurveyCommands.FindAsync(new Surveys.SurveyCatalog(database, TimeProvider.System), surveyId, cancel);
            await using var ctx = database.CreateContext();
            return (("", ""), (stored.Survey, await Fieldwork.SubmittedResponses.LoadAsync(ctx, stored.Survey, cancel)));
        }
        if (surveyPath is null || responsesPath is null)
            throw new UserError("--survey（調査票の定義）と --responses（回答ファイル）を指定してください。データベースに登録した調査なら --survey-id を指定します。");
        return ((surveyPath, responsesPath), null);
    }

    private static int Run(ParseResult r, string surveyPath, string responsesPath, (Survey Survey, List<Response> Responses)? stored,
        string format, bool indent, string[] where, string? cross, string? encoding, int threads, bool includePersonal, string? previousPath,
        string? previousResponsesPath)
    {
        if (threads < 1) throw new UserError("--threads は 1 以上にしてください。");
        if (indent && format != "json") throw new UserError("--indent は --format json のときだけ指定できます。");
        CheckPrevious(previousPath, previousResponsesPath);
        // A filter names this wave's items and codes; it is not carried over to the previous wave.
        if (previousPath is not null && where.Length > 0)
            throw new UserError("--where と --previous は一緒に使えません（前回の回答は絞り込めません）。");
        var survey = stored?.Survey ?? SurveyLoader.LoadFile(surveyPath);
        var previousSurvey = previousPath is null ? null : SurveyLoader.LoadFile(previousPath);
        var segment = where.Length > 0 ? new Segment(where.Select(w => SegmentFilter.Parse(survey, w)).ToArray()) : null;
        var crossItems = cross is null ? ((Item, Item)?)null : ParseCross(survey, cross);
        // Tabulation keeps nothing of a row but strings: one answers array serves every row.
        var options = new ResponsesReadOptions
        {
            Encoding = encoding is null ? null : ResponsesReadOptions.ParseEncoding(encoding),
            ReuseAnswers = true,
        };
        if (stored is null && !File.Exists(responsesPath)) throw new UserError($"回答ファイル {responsesPath} がありません。");
        CheckPreviousResponses(previousResponsesPath);

        // Tabulation consumes the whole file before anything is written: a bad file prints nothing on stdout.
        var big = stored is null && new FileInfo(responsesPath).Length > BigFileBytes;
        var progress = big ? new Progress(r.Err()) : null;
        var tabulation = stored is { } db
            ? Core.Tabulation.Tabulate.Survey(survey, db.Responses, segment, crossItems, includePersonal)
            : Tabulate(survey, responsesPath, options, segment, crossItems, includePersonal, progress, big ? threads : 1);
        progress?.Done();
        // Each wave is tabulated on its own, from its own file and definition: no row of one counts in the other.
        if (previousSurvey is not null)
            tabulation = tabulation with
            {
                Previous = new WaveComparison(SurveyDiff.Compare(previousSurvey, survey),
                    Tabulate(previousSurvey, previousResponsesPath!, options, null, null, includePersonal, null, 1)),
            };

        // Written only once the tabulation is complete (a failure while tabulating leaves stdout empty), and streamed:
        // the listings of a big file's free text are never held as one string.
        var output = r.Out();
        if (format == "json")
        {
            if (ReferenceEquals(output, Console.Out))
            {
                output.Flush();
                using var stdout = Console.OpenStandardOutput();
                using var buffered = new BufferedStream(stdout, 1 << 16);
                TabulationJson.Write(buffered, tabulation, indent);
            }
            else
            {
                using var stream = new TextWriterStream(output);
                TabulationJson.Write(stream, tabulation, indent);
            }
        }
        else TabulationText.Write(output, tabulation);
        output.Flush();
        return 0;
    }

    /// <summary>UTF-8 bytes handed to a <see cref="TextWriter"/> (tests and redirected consoles), decoded as they come.</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly System.Text.Decoder _decoder = new System.Text.UTF8Encoding(false, true).GetDecoder();
        private char[] _chars = new char[1 << 12];

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var needed = _decoder.GetCharCount(buffer, flush: false);
            if (needed > _chars.Length) _chars = new char[needed];
            var n = _decoder.GetChars(buffer, _chars, flush: false);
            writer.Write(_chars, 0, n);
        }

        public override void Flush() => writer.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>`--previous` and `--previous-responses` go together (tabulate and report say it alike).</summary>
    internal static void CheckPrevious(string? previousPath, string? previousResponsesPath)
    {
        if ((previousPath is null) != (previousResponsesPath is null))
            throw new UserError("--previous（前回の調査票）と --previous-responses（前回の回答ファイル）は一緒に指定してください。");
    }

    internal static void CheckPreviousResponses(string? previousResponsesPath)
    {
        if (previousResponsesPath is not null && !File.Exists(previousResponsesPath))
            throw new UserError($"前回の回答ファイル {previousResponsesPath} がありません。");
    }

    /// <summary>
    /// Tabulates the file: a UTF-8 file straight from its bytes (<see cref="Core.Tabulation.Tabulate.CleanFile"/>), in
    /// parts, one per thread, when <paramref name="threads"/> &gt; 1; another encoding in parts of Sylvan's reader. When
    /// the fast reading declines (a problem, or an id repeated across parts), the file is read again in one pass,
    /// which reports every problem with its true row number. Internal for the tests of the fallback.
    /// </summary>
    internal static SurveyTabulation Tabulate(Survey survey, string path, ResponsesReadOptions options, Segment? segment,
        (Item, Item)? cross, bool includePersonal, Progress? progress, int threads) =>
        (options.Encoding is null
            ? TabulateClean(survey, path, segment, cross, includePersonal, progress, threads)
            : threads > 1 ? TabulateInParts(survey, path, options, segment, cross, includePersonal, progress, threads) : null)
        ?? Core.Tabulation.Tabulate.Survey(survey, Rows(survey, path, options, progress), segment, cross, includePersonal);

    private static SurveyTabulation? TabulateClean(Survey survey, string path, Segment? segment, (Item, Item)? cross,
        bool includePersonal, Progress? progress, int threads)
    {
        var parts = threads > 1 ? ResponsesFileParts.Split(() => Open(path), threads) : [() => Open(path)];
        var tabulation = Core.Tabulation.Tabulate.CleanFile(survey, parts, segment, cross, includePersonal,
            progress is null ? null : progress.Rows);
        if (tabulation is null) progress?.Restart();
        return tabulation;
    }

    private static (Item, Item) ParseCross(Survey survey, string text)
    {
        var codes = text.Split(',', StringSplitOptions.TrimEntries);
        if (codes.Length != 2 || codes.Any(c => c.Length == 0))
            throw new UserError($"--cross「{text}」は 2 つの設問番号をカンマで区切って書いてください（例: 4-3-a,4-4-a）。");
        var items = codes.Select(c => survey.TryGetItem(c, out var item) ? item
            : throw new UserError($"クロス集計の設問 {c} は調査票「{survey.Id}」にありません。")).ToArray();
        foreach (var item in items)
            if (item.Kind is not (ItemKind.Single or ItemKind.Multiple or ItemKind.Matrix))
                throw new UserError($"設問 {item.Code} は選択式ではないため、クロス集計には使えません。");
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
        (Item, Item)? cross, bool includePersonal, Progress? progress, int threads)
    {
        var openers = ResponsesFileParts.Split(() => Open(path), threads);
        if (openers.Count < 2) return null;
        var ids = openers.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        try
        {
            var tabulation = Core.Tabulation.Tabulate.SurveyInParts(survey,
                openers.Select((open, i) => Rows(survey, path, options, progress, open, ids[i])).ToArray(), segment, cross, includePersonal);
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
    internal sealed class Progress(TextWriter writer)
    {
        private readonly TextWriter error = TextWriter.Synchronized(writer);
        private long _rows;

        public void Row() => Rows(1);

        public void Rows(long count)
        {
            var n = Interlocked.Add(ref _rows, count);
            if (n / ProgressEveryRows != (n - count) / ProgressEveryRows) error.WriteLine($"集計中: {n / ProgressEveryRows * ProgressEveryRows:N0} 行");
        }

        public void Restart()
        {
            error.WriteLine("問題のある行があるため、ファイル全体を読み直して問題を一覧にします。");
            Interlocked.Exchange(ref _rows, 0);
        }

        public void Done() => error.WriteLine($"読み込み完了: {Interlocked.Read(ref _rows):N0} 行");
    }
}

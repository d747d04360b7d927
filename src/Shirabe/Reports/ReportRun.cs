using System.Diagnostics;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;
using Shirabe.Pdf;

namespace Shirabe.Reports;

/// <summary>
/// Makes the report from files: the survey folder (survey.yaml, report.yaml, report-edits.json), a responses file,
/// and writes one format (<see cref="ReportOutput"/>). `shirabe report` calls this.
/// </summary>
public sealed class ReportRun
{
    public const string EditsFileName = "report-edits.json";

    public required Survey Survey { get; init; }
    public required ReportDefinition Definition { get; init; }
    /// <summary>The responses file; or, when <see cref="Responses"/> is set (responses read from the database), null.</summary>
    public string? ResponsesPath { get; init; }
    public IReadOnlyList<Response>? Responses { get; init; }
    public ResponsesReadOptions? ReadOptions { get; init; }
    public ReportEdits Edits { get; init; } = new();
    /// <summary>Whether personal items (names, titles: <see cref="Item.Personal"/>) go into the tables and raw data.</summary>
    public bool IncludePersonal { get; init; }
    /// <summary>
    /// The previous wave (its definition and responses file) for the wave comparison; null: none. Tabulated on its
    /// own: its rows never count in this wave's tables.
    /// </summary>
    public PreviousWave? Previous { get; init; }
    /// <summary>How long Chromium may take to print the PDF.</summary>
    public TimeSpan PdfTimeout { get; init; } = ReportOutput.PdfTimeout;

    /// <summary>Makes the PDF renderer this run owns (tests: to watch when its browser starts).</summary>
    internal Func<ChromiumPdf> NewChromium { get; init; } = () => new ChromiumPdf();

    /// <summary>Loads the survey and its report definition and edits from a survey folder.</summary>
    /// <param name="previous">The previous wave: the default report then gets its comparison section, and a report.yaml must have one.</param>
    public static ReportRun Open(string surveyDir, string responsesPath, string? reportPath = null, string? editsPath = null,
        ResponsesReadOptions? readOptions = null, bool includePersonal = false, PreviousWave? previous = null)
    {
        var survey = SurveyLoader.LoadFile(surveyDir);
        var dir = Directory.Exists(surveyDir) ? surveyDir : Path.GetDirectoryName(Path.GetFullPath(surveyDir))!;
        var definition = ReportDefinitionLoader.LoadFile(reportPath ?? dir, survey, comparison: previous is not null);
        if (previous is not null && definition.Parts.All(p => p.Comparison is null))
            throw new Core.UserError("--previous（前回の調査）を指定しましたが、報告書の定義（report.yaml）に前回比較の part（comparison:）がありません。"
                                     + "docs/report-format.md の「Wave comparison」を参照して追加してください。");
        if (!File.Exists(responsesPath)) throw new Core.UserError($"回答ファイルがありません: {responsesPath}");
        var edits = ReportEdits.Load(editsPath ?? Path.Combine(dir, EditsFileName));
        return new ReportRun { Survey = survey, Definition = definition, ResponsesPath = responsesPath, ReadOptions = readOptions, Edits = edits,
            IncludePersonal = includePersonal, Previous = previous };
    }

    /// <summary>
    /// Streams the responses. With <paramref name="reuse"/> every row shares one answers array (no allocation per row):
    /// only for consumers that are done with a row before asking for the next (tabulation, the raw-data sheet).
    /// </summary>
    public IEnumerable<Response> ReadResponses(bool reuse = false)
    {
        if (Responses is not null)
        {
            foreach (var r in Responses) yield return r;
            yield break;
        }
        var options = (ReadOptions ?? new ResponsesReadOptions()) with { ReuseAnswers = reuse };
        using var stream = File.OpenRead(ResponsesPath!);
        foreach (var r in ResponsesCsv.Read(stream, Survey, options)) yield return r;
    }

    public ReportDocument Build(IProgress<string>? progress = null)
    {
        progress?.Report("集計中…");
        var tab = Core.Tabulation.Tabulate.Survey(Survey, ReadResponses(reuse: true), includePersonal: IncludePersonal);
        if (Previous is { } previous)
        {
            progress?.Report($"集計完了（有効回答 {tab.Respondents:#,0} 件）。前回の回答を集計中…");
            // Each wave is tabulated on its own, from its own file and definition.
            var options = (ReadOptions ?? new ResponsesReadOptions()) with { ReuseAnswers = true };
            SurveyTabulation before;
            using (var stream = File.OpenRead(previous.ResponsesPath))
                before = Core.Tabulation.Tabulate.Survey(previous.Survey, ResponsesCsv.Read(stream, previous.Survey, options), includePersonal: IncludePersonal);
            tab = tab with { Previous = new WaveComparison(SurveyDiff.Compare(previous.Survey, Survey), before) };
            progress?.Report($"前回の集計完了（有効回答 {before.Respondents:#,0} 件）。報告書を組み立て中…");
        }
        else progress?.Report($"集計完了（有効回答 {tab.Respondents:#,0} 件）。報告書を組み立て中…");
        return ReportBuilder.Build(new ReportInput(Definition, tab, () => ReadResponses(), Edits));
    }

    /// <summary>Writes the report in <paramref name="format"/> to <paramref name="output"/>.</summary>
    public async Task WriteAsync(ReportFormat format, Stream output, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        if (format != ReportFormat.Pdf)
        {
            await ReportOutput.WriteAsync(Build(progress), format, output, Survey, () => ReadResponses(reuse: true), IncludePersonal,
                chromium: null, PdfTimeout, progress, cancel);
            progress?.Report("完了");
            return;
        }
        // A cold Chromium takes a while to start (≈ 0.4 s on a quiet machine, more under load): it starts on another thread while the responses are tabulated
        // and the HTML is written. The first render (still through the bounded page slots) awaits that launch in
        // ChromiumPdf.BrowserAsync (its lock), and a failed launch is tried and reported there again. Disposing the
        // renderer ends the browser on every path, a failed tabulation included (the dispose waits for the launch).
        await using var chromium = NewChromium();
        var launch = Task.Run(chromium.BrowserAsync, CancellationToken.None);
        // Observed, so a launch that fails after a failed tabulation raises no unobserved-task event.
        _ = launch.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        await ReportOutput.WriteAsync(Build(progress), format, output, Survey, () => ReadResponses(reuse: true), IncludePersonal,
            chromium, PdfTimeout, progress, cancel);
        progress?.Report("完了");
    }
}

/// <summary>The previous wave of a report's wave comparison: its definition and its responses file.</summary>
public sealed record PreviousWave(Survey Survey, string ResponsesPath);

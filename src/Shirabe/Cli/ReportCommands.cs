using System.CommandLine;
using System.Diagnostics;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Reports;

namespace Shirabe.Cli;

/// <summary>
/// `shirabe report --survey DIR --responses FILE --format html|pdf|docx|xlsx --out FILE [--previous DIR|FILE
/// --previous-responses CSV]` (docs/cli.md).
/// </summary>
public static class ReportCommands
{
    public static Command Command()
    {
        var survey = new Option<string?>("--survey") { Description = "調査のフォルダ（survey.yaml と report.yaml がある所）" };
        var responses = new Option<string?>("--responses") { Description = "回答ファイル（CSV）" };
        var surveyId = new Option<string?>("--survey-id")
            { Description = "データベースに登録した調査の ID（--survey と --responses の代わりに。登録した report.yaml と提出済みの有効な回答を使う）" };
        var db = WebCommands.DbOption();
        var format = new Option<string>("--format") { Description = "出力形式: html, pdf, docx, xlsx", Required = true };
        format.AcceptOnlyFromAmong("html", "pdf", "docx", "xlsx");
        var output = new Option<string>("--out") { Description = "出力ファイル", Required = true };
        var report = new Option<string?>("--report") { Description = "報告書の定義（既定: 調査フォルダの report.yaml）" };
        var edits = new Option<string?>("--edits") { Description = "本文の編集・自由記述の選定（既定: 調査フォルダの report-edits.json）" };
        var encoding = new Option<string?>("--encoding") { Description = "回答ファイルの文字コード（utf-8 または cp932）" };
        var includePersonal = new Option<bool>("--include-personal")
            { Description = "回答者個人の情報（氏名・役職など、調査票で personal: true の設問）も報告書（Excel の回答データ）に含める" };
        var previous = new Option<string?>("--previous") { Description = "前回の調査票の定義（報告書に前回比較の表・図を載せる）" };
        var previousResponses = new Option<string?>("--previous-responses") { Description = "前回の回答ファイル（CSV、--previous と一緒に指定）" };
        var command = new Command("report", "集計結果から報告書（表・図・本文・参考資料）を作成します")
        {
            survey, responses, surveyId, db, format, output, report, edits, encoding, includePersonal, previous, previousResponses,
        };
        command.SetAction(async (r, cancel) =>
        {
            var watch = Stopwatch.StartNew();
            var progress = new Progress(watch, r.Err());
            var previousPath = r.GetValue(previous);
            var previousResponsesPath = r.GetValue(previousResponses);
            TabulateCommand.CheckPrevious(previousPath, previousResponsesPath);
            var previousWave = previousPath is null ? null : new PreviousWave(SurveyLoader.LoadFile(previousPath), previousResponsesPath!);
            TabulateCommand.CheckPreviousResponses(previousResponsesPath);
            if (r.GetValue(surveyId) is not null && (r.GetValue(survey) is not null || r.GetValue(responses) is not null))
                throw new UserError("--survey-id（データベースの調査）と --survey / --responses（ファイル）は一緒に指定できません。");
            if (r.GetValue(surveyId) is not null && previousWave is not null)
                throw new UserError("--survey-id と --previous は一緒に使えません（前回比較は --survey と --responses で指定するか、管理画面の報告書で作成します）。");
            var run = r.GetValue(surveyId) is { } id
                ? await OpenStoredAsync(id, r.GetValue(db), r.GetValue(report), r.GetValue(edits), r.GetValue(includePersonal), cancel)
                : ReportRun.Open(r.GetValue(survey) ?? throw Missing(), r.GetValue(responses) ?? throw Missing(), r.GetValue(report), r.GetValue(edits),
                    r.GetValue(encoding) is { } e ? new ResponsesReadOptions { Encoding = ResponsesReadOptions.ParseEncoding(e) } : null,
                    r.GetValue(includePersonal), previousWave);
            var fmt = Enum.Parse<ReportFormat>(r.GetValue(format)!, ignoreCase: true);
            var path = r.GetValue(output)!;
            var temp = path + ".part";
            try
            {
                await using (var stream = File.Create(temp))
                    await run.WriteAsync(fmt, stream, progress, cancel);
                File.Move(temp, path, overwrite: true);
            }
            catch (TimeoutException timeout)
            {
                throw new UserError("PDF への変換が時間内に終わりませんでした（Chromium の応答がありません）。", timeout);
            }
            finally { File.Delete(temp); }
            r.Err().WriteLine($"{path} を作成しました（{new FileInfo(path).Length:#,0} バイト、{watch.Elapsed.TotalSeconds:0.0} 秒）。");
            return 0;
        });
        return command.OnFailure("報告書は作成していません。");
    }

    private static UserError Missing() =>
        new("--survey（調査のフォルダ）と --responses（回答ファイル）を指定してください。データベースに登録した調査なら --survey-id を指定します。");

    /// <summary>
    /// A stored survey's report: its stored report.yaml (or --report), the console's edits (or --edits, else none) and
    /// its valid submitted responses from the database.
    /// </summary>
    private static async Task<ReportRun> OpenStoredAsync(string id, string? db, string? reportPath, string? editsPath,
        bool includePersonal, CancellationToken cancel)
    {
        var database = StoredSurveyCommands.OpenDatabase(db);
        var catalog = new Surveys.SurveyCatalog(database, TimeProvider.System);
        var stored = await StoredSurveyCommands.FindAsync(catalog, id, cancel);
        await using var ctx = database.CreateContext();
        var responses = await Fieldwork.SubmittedResponses.LoadAsync(ctx, stored.Survey, cancel);
        var saved = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(
            ctx.ReportEdits, e => e.SurveyId == id, cancel);
        return new ReportRun
        {
            Survey = stored.Survey,
            Definition = reportPath is null ? catalog.Report(stored) : Core.Reports.ReportDefinitionLoader.LoadFile(reportPath, stored.Survey),
            Responses = responses,
            Edits = editsPath is not null ? ReportEdits.Load(editsPath) : saved is not null ? ReportEdits.FromJson(saved.Json) : new(),
            IncludePersonal = includePersonal,
        };
    }

    /// <summary>Progress as plain lines on stderr (works when redirected), with the elapsed time.</summary>
    private sealed class Progress(Stopwatch watch, TextWriter error) : IProgress<string>
    {
        public void Report(string value) => error.WriteLine($"[{watch.Elapsed.TotalSeconds,6:0.0}s] {value}");
    }
}

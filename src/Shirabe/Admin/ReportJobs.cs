using System.Collections.Concurrent;
using Shirabe.Core.Questionnaire;
using Shirabe.Pdf;
using Shirabe.Reports;

namespace Shirabe.Admin;

public enum JobState { Waiting, Running, Done, Failed }

/// <summary>A report being made for download. Lives in memory for an hour; the console shows its progress.</summary>
public sealed class ReportJob(Guid id, ReportFormat format, string by, DateTimeOffset createdAt, string fileName)
{
    public Guid Id { get; } = id;
    public ReportFormat Format { get; } = format;
    public string By { get; } = by;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public volatile JobState State;
    public volatile string Progress = "待機中";
    public byte[]? File { get; set; }
    public string? Error { get; set; }
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the job is done or failed.</summary>
    public Task Ended => _ended.Task;

    internal void End() => _ended.TrySetResult();

    /// <summary>「sc3-2023-報告書-20231215.pdf」.</summary>
    public string FileName { get; } = fileName;

    public string ContentType => Format switch
    {
        ReportFormat.Html => "text/html; charset=utf-8",
        ReportFormat.Pdf => "application/pdf",
        ReportFormat.Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
}

/// <summary>
/// Makes reports in the background, one at a time (the server has few cores and Chromium is heavy): the console
/// starts a job and shows a status page that refreshes itself until the file is ready.
/// </summary>
public sealed class ReportJobs(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReportJobs> log) : IDisposable
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<Guid, ReportJob> _jobs = new();
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>
    /// The last HTML and PDF made, by the SHA-256 of the report's HTML: the same report again (same data, layout and
    /// edits) is served at once instead of being printed again.
    /// </summary>
    private readonly ConcurrentDictionary<ReportFormat, (string Key, byte[] File)> _made = new();

    public ReportJob? Find(Guid id) => _jobs.TryGetValue(id, out var job) ? job : null;

    /// <summary>Starts a report of the request's survey (<paramref name="current"/>).</summary>
    public ReportJob Start(ReportFormat format, string by, Surveys.CurrentSurvey current)
    {
        var survey = current.Survey;
        var now = clock.GetUtcNow();
        foreach (var old in _jobs.Values.Where(j => now - j.CreatedAt > KeepFor)) _jobs.TryRemove(old.Id, out _);
        var job = new ReportJob(Guid.NewGuid(), format, by, now,
            ConsoleFiles.Name(survey, "報告書", now, format.ToString().ToLowerInvariant()));
        _jobs[job.Id] = job;
        _ = Task.Run(() => RunAsync(job, current.Stored));
        return job;
    }

    private async Task RunAsync(ReportJob job, Surveys.StoredSurvey? stored)
    {
        var cancel = _stopping.Token;
        try
        {
            await _one.WaitAsync(cancel);
            try
            {
                job.State = JobState.Running;
                job.Progress = "集計中…";
                await using var scope = scopes.CreateAsyncScope();
                var current = scope.ServiceProvider.GetRequiredService<Surveys.CurrentSurvey>();
                if (stored is not null) current.Use(stored);
                var survey = current.Survey;
                var report = scope.ServiceProvider.GetRequiredService<ConsoleReport>();
                var built = await report.BuildAsync(null, cancel, withPrevious: true);
                // HTML and PDF print exactly the report's HTML: its hash is the file's key. (Word and Excel are made
                // each time: Excel's raw sheet holds every answer and edit, which the HTML does not.)
                var key = job.Format is ReportFormat.Html or ReportFormat.Pdf
                    ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
                        System.Text.Encoding.UTF8.GetBytes(survey.Id + "\0" + HtmlReport.Render(built.Document))))
                    : null;
                if (key is not null && _made.TryGetValue(job.Format, out var made) && made.Key == key) job.File = made.File;
                else
                {
                    using var file = new MemoryStream();
                    await ReportOutput.WriteAsync(built.Document, job.Format, file, survey, () => built.Responses, includePersonal: false,
                        scope.ServiceProvider.GetRequiredService<ChromiumPdf>(), ReportOutput.PdfTimeout, new Progress(job), cancel);
                    job.File = file.ToArray();
                    if (key is not null) _made[job.Format] = (key, job.File);
                }
                job.Progress = "完了";
                job.State = JobState.Done;
            }
            finally { _one.Release(); }
        }
        catch (Exception e)
        {
            log.LogError(e, "Report job {Id} ({Format}) failed", job.Id, job.Format);
            // What went wrong, not "try later": a failure of the data or the layout fails again on retry.
            job.Error = e is OperationCanceledException
                ? "サーバーの停止により報告書の作成を中断しました。もう一度作成してください。"
                : $"報告書を作成できませんでした: {e.Message}";
            job.State = JobState.Failed;
        }
        finally
        {
            job.End();
        }
    }

    private sealed class Progress(ReportJob job) : IProgress<string>
    {
        public void Report(string value) => job.Progress = value;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}

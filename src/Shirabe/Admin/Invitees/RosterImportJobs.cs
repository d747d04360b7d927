using System.Collections.Concurrent;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin.Invitees;

/// <summary>A roster upload being imported. Lives in memory for an hour; its page shows the progress, then the outcome.</summary>
public sealed class RosterImportJob(Guid id, string fileName, DateTimeOffset createdAt)
{
    public Guid Id { get; } = id;
    public string FileName { get; } = fileName;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public volatile JobState State;
    /// <summary>The rows read so far and the share of the file (null when unknown), for the progress line.</summary>
    public volatile ProgressNow? Progress;
    public RosterImportResult? Result { get; set; }
    /// <summary>The file's problems: nothing was imported.</summary>
    public RosterFileException? Problems { get; set; }
    public string? Error { get; set; }

    public sealed record ProgressNow(int Rows, double? Share);
}

/// <summary>
/// Imports uploaded rosters in the background, one at a time, so that the console can show how far a large file has got
/// (issue 11 item 9): the upload is saved in the data folder (it holds personal data; deleted when the import ends), the
/// page redirects to the job's page, which reloads itself until the import has committed or been refused.
/// </summary>
public sealed class RosterImportJobs(IServiceScopeFactory scopes, ShirabeSettings settings, TimeProvider clock,
    ILogger<RosterImportJobs> log) : IDisposable
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<Guid, RosterImportJob> _jobs = new();
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();

    public RosterImportJob? Find(Guid id) => _jobs.TryGetValue(id, out var job) ? job : null;

    /// <summary>Saves the upload and starts importing it into <paramref name="surveyId"/> as <paramref name="userId"/>.</summary>
    public async Task<RosterImportJob> StartAsync(IFormFile file, string surveyId, RosterReadOptions options, int? userId, CancellationToken cancel)
    {
        var now = clock.GetUtcNow();
        foreach (var old in _jobs.Values.Where(j => now - j.CreatedAt > KeepFor)) _jobs.TryRemove(old.Id, out _);
        var job = new RosterImportJob(Guid.NewGuid(), Path.GetFileName(file.FileName), now);
        var folder = Path.Combine(settings.DataDir, "uploads");
        DataFiles.SecureFolder(folder);
        var path = Path.Combine(folder, job.Id.ToString("N"));
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = DataFiles.PrivateFile;
        try
        {
            await using var saved = new FileStream(path, create);
            await file.CopyToAsync(saved, cancel);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        _jobs[job.Id] = job;
        _ = Task.Run(() => RunAsync(job, path, surveyId, options, userId));
        return job;
    }

    private async Task RunAsync(RosterImportJob job, string path, string surveyId, RosterReadOptions options, int? userId)
    {
        var cancel = _stopping.Token;
        try
        {
            await _one.WaitAsync(cancel);
            try
            {
                job.State = JobState.Running;
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ShirabeDb>();
                await using var stream = File.OpenRead(path);
                job.Result = await RosterImport.ImportAsync(db, surveyId, stream, job.FileName, options, clock, userId, new Progress(job), cancel);
                job.State = JobState.Done;
            }
            finally { _one.Release(); }
        }
        catch (RosterFileException e)
        {
            job.Problems = e;
            job.State = JobState.Failed;
        }
        catch (Exception e)
        {
            if (e is not (Core.UserError or OperationCanceledException)) log.LogError(e, "Roster import {Id} failed", job.Id);
            job.Error = e switch
            {
                Core.UserError => e.Message,
                OperationCanceledException => "サーバーの停止により取り込みを中断しました。",
                _ => $"名簿を取り込めませんでした: {e.Message}",
            };
            job.State = JobState.Failed;
        }
        finally { File.Delete(path); }
    }

    private sealed class Progress(RosterImportJob job) : IProgress<ResponsesTransfer.ImportProgress>
    {
        public void Report(ResponsesTransfer.ImportProgress value) => job.Progress = new(value.Rows, value.Share);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}

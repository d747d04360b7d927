using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Data;

namespace Shirabe.Surveys;

/// <summary>A stored survey: its row, the version served (the published one, else the latest) and that version parsed.</summary>
public sealed record StoredSurvey(SurveyRecord Record, SurveyVersion Version, Survey Survey);

/// <summary>What <see cref="SurveyCatalog.AddAsync"/> did.</summary>
public enum CatalogChange { NewSurvey, NewVersion, Unchanged }

/// <summary>
/// The surveys in the database (docs/decisions/030): each definition is stored as an immutable
/// <see cref="SurveyVersion"/> (survey.yaml and report.yaml text, canonical UTF-8, SHA-256), parsed once per version
/// and kept in memory by version id. The loader stays the only parser.
/// </summary>
public sealed class SurveyCatalog(Database database, TimeProvider clock)
{
    private readonly ConcurrentDictionary<int, Survey> _parsed = new();
    private readonly ConcurrentDictionary<int, ReportDefinition> _reports = new();
    private readonly ConcurrentDictionary<int, SurveyVersion> _versions = new();

    /// <summary>The version of the served folder's survey, set at start (null before).</summary>
    public int? ServedVersionId { get; set; }

    /// <summary>The text as stored: without a byte-order mark, with LF line ends.</summary>
    public static string Canonical(string text) => text.TrimStart('\uFEFF').ReplaceLineEndings("\n");

    /// <summary>Lower-case hex SHA-256 of the survey text, a NUL and the report text (both canonical UTF-8).</summary>
    public static string Sha256(string surveyYaml, string? reportYaml) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(surveyYaml + "\0" + (reportYaml ?? ""))));

    /// <summary>The version's survey, parsed on first use and then kept.</summary>
    public Survey Parse(SurveyVersion version) => _parsed.GetOrAdd(version.Id, _ => Load(version));

    /// <summary>The version's survey, parsed now (where no catalog is at hand: the command line).</summary>
    public static Survey Load(SurveyVersion version) => SurveyLoader.Load(version.SurveyYaml, $"{version.SurveyId} 第{version.Number}版");

    /// <summary>The version's report layout: its report.yaml, else the default report; parsed once.</summary>
    public ReportDefinition Report(StoredSurvey stored) => _reports.GetOrAdd(stored.Version.Id, _ => stored.Version.ReportYaml is { } yaml
        ? ReportDefinitionLoader.Load(yaml, stored.Survey, $"{stored.Version.SurveyId} 第{stored.Version.Number}版 report.yaml")
        : DefaultReport.For(stored.Survey));

    /// <summary>The survey's served version: the published one, else the latest; null when there is none.</summary>
    public async Task<StoredSurvey?> GetAsync(string surveyId, CancellationToken cancel = default)
    {
        await using var db = database.CreateContext();
        return await GetAsync(db, surveyId, cancel);
    }

    public async Task<StoredSurvey?> GetAsync(ShirabeDb db, string surveyId, CancellationToken cancel = default)
    {
        var record = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == surveyId, cancel);
        if (record is null) return null;
        var version = await ServedVersionAsync(db, record, cancel);
        return version is null ? null : new StoredSurvey(record, version, Parse(version));
    }

    /// <summary>The survey's served version (the published one, else the latest), unparsed; null when there is none.</summary>
    public static Task<SurveyVersion?> ServedVersionAsync(ShirabeDb db, SurveyRecord record, CancellationToken cancel = default) =>
        db.SurveyVersions.AsNoTracking()
            .Where(v => v.SurveyId == record.Id && (record.PublishedVersionId == null || v.Id == record.PublishedVersionId))
            .OrderByDescending(v => v.Number).FirstOrDefaultAsync(cancel);

    /// <summary>
    /// The survey <paramref name="record"/> with its served version <paramref name="versionId"/> (read with the record:
    /// Fieldwork.LinkedInvitation). The version's row is read once and then kept, as its parsed survey is: its text
    /// never changes; its <see cref="SurveyVersion.PublishedAt"/> and comparability stay as first read (the
    /// respondents' pages, the only callers, read neither).
    /// </summary>
    public async Task<StoredSurvey?> GetAsync(ShirabeDb db, SurveyRecord record, int versionId, CancellationToken cancel = default)
    {
        if (!_versions.TryGetValue(versionId, out var version))
        {
            version = await db.SurveyVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == versionId, cancel);
            if (version is null) return null;
            _versions.TryAdd(versionId, version);
        }
        return new StoredSurvey(record, version, Parse(version));
    }

    /// <summary>Every stored survey, newest first.</summary>
    public async Task<List<SurveyRecord>> ListAsync(CancellationToken cancel = default)
    {
        await using var db = database.CreateContext();
        return await db.Surveys.AsNoTracking().OrderByDescending(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync(cancel);
    }

    /// <summary>
    /// Stores a definition: a new survey (and its series: survey.yaml `series`, else the survey's id), or a new version
    /// of a stored one. A survey that has answers (a draft or a submission) accepts only wording changes: anything else
    /// is refused with the list of changes (<see cref="UserError"/>). The same text again changes nothing.
    /// Throws <see cref="SurveyDefinitionException"/> / <see cref="ReportDefinitionException"/> for a bad definition.
    /// </summary>
    public async Task<(StoredSurvey Stored, CatalogChange Change)> AddAsync(string surveyYaml, string? reportYaml,
        int? userId = null, string? note = null, CancellationToken cancel = default)
    {
        surveyYaml = Canonical(surveyYaml);
        reportYaml = reportYaml is null ? null : Canonical(reportYaml);
        var survey = SurveyLoader.Load(surveyYaml);
        if (reportYaml is not null) ReportDefinitionLoader.Load(reportYaml, survey);
        var sha = Sha256(surveyYaml, reportYaml);
        var now = clock.GetUtcNow().UtcDateTime;

        await using var db = database.CreateContext();
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        var record = await db.Surveys.FirstOrDefaultAsync(s => s.Id == survey.Id, cancel);
        var change = CatalogChange.NewVersion;
        if (record is null)
        {
            var seriesId = survey.Series ?? survey.Id;
            if (!await db.Series.AnyAsync(s => s.Id == seriesId, cancel))
                db.Series.Add(new Series { Id = seriesId, Title = survey.Title, CreatedAt = now });
            record = new SurveyRecord { Id = survey.Id, SeriesId = seriesId, Title = survey.Title, CreatedAt = now };
            db.Surveys.Add(record);
            change = CatalogChange.NewSurvey;
        }
        else if (survey.Series is { } series && series != record.SeriesId)
            throw new UserError($"調査「{survey.Id}」はシリーズ「{record.SeriesId}」に属しています。series を「{series}」に変えることはできません。");
        var latest = await db.SurveyVersions.AsNoTracking().Where(v => v.SurveyId == survey.Id)
            .OrderByDescending(v => v.Number).FirstOrDefaultAsync(cancel);
        if (latest is not null)
        {
            if (latest.Sha256 == sha) return (new StoredSurvey(record, latest, Parse(latest)), CatalogChange.Unchanged);
            if (await HasAnswersAsync(db, survey.Id, cancel))
                SurveyDiff.Compare(Parse(latest), survey).EnsureWordingOnly();
        }
        else if (change == CatalogChange.NewVersion) change = CatalogChange.NewSurvey; // a row without a version (an old database)
        var version = new SurveyVersion
        {
            SurveyId = survey.Id, Number = (latest?.Number ?? 0) + 1, SurveyYaml = surveyYaml, ReportYaml = reportYaml,
            Sha256 = sha, CreatedAt = now, CreatedByUserId = userId, Note = note,
        };
        db.SurveyVersions.Add(version);
        record.Title = survey.Title;
        await db.SaveChangesAsync(cancel);
        await tx.CommitAsync(cancel);
        _parsed.TryAdd(version.Id, survey);
        return (new StoredSurvey(record, version, survey), change);
    }

    /// <summary>Whether anyone has answered the survey (a draft or a submission).</summary>
    public static async Task<bool> HasAnswersAsync(ShirabeDb db, string surveyId, CancellationToken cancel) =>
        await db.Drafts.AnyAsync(d => db.Invitations.Any(i => i.Id == d.InvitationId && i.SurveyId == surveyId), cancel)
        || await db.Submissions.AnyAsync(s => db.Invitations.Any(i => i.Id == s.InvitationId && i.SurveyId == surveyId), cancel);

    /// <summary>Gives rows saved before versions existed (an upgraded database) the survey's served version.</summary>
    public static async Task<int> StampUnversionedAsync(ShirabeDb db, string surveyId, int versionId, CancellationToken cancel)
    {
        var ids = db.Invitations.Where(i => i.SurveyId == surveyId).Select(i => i.Id);
        return await db.Drafts.Where(d => d.SurveyVersionId == null && ids.Contains(d.InvitationId))
                   .ExecuteUpdateAsync(s => s.SetProperty(d => d.SurveyVersionId, versionId), cancel)
               + await db.Submissions.Where(d => d.SurveyVersionId == null && ids.Contains(d.InvitationId))
                   .ExecuteUpdateAsync(s => s.SetProperty(d => d.SurveyVersionId, versionId), cancel)
               + await db.AnswerHistory.Where(d => d.SurveyVersionId == null && ids.Contains(d.InvitationId))
                   .ExecuteUpdateAsync(s => s.SetProperty(d => d.SurveyVersionId, versionId), cancel);
    }
}

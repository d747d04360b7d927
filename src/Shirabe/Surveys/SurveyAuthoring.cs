using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Data;

namespace Shirabe.Surveys;

/// <summary>One row of the console's survey list.</summary>
public sealed record SurveyListRow(SurveyRecord Record, string SeriesTitle, int Versions, int LatestVersionId, int? PublishedNumber,
    string Phase, int Invitations, int Submissions);

/// <summary>A version as the history shows it: who made it (the user's name, null when made by the CLI or at start).</summary>
public sealed record VersionRow(SurveyVersion Version, string? CreatedBy);

/// <summary>A problem of an uploaded definition, with where it is: `survey.yaml 12 行 5 列`, `survey!C12`, or the file.</summary>
public sealed record UploadProblem(string Where, string Message);

/// <summary>The definition could not be stored: every problem found, nothing stored.</summary>
public sealed class UploadException(IReadOnlyList<UploadProblem> problems) : UserError(string.Join("\n", problems.Select(p => $"{p.Where}: {p.Message}")))
{
    public IReadOnlyList<UploadProblem> Problems { get; } = problems;
}

/// <summary>
/// What the console's survey pages do (docs/web.md "Surveys", docs/decisions/054): upload a definition (YAML or a
/// workbook), start the next wave from the last, save wording edits as a new version, publish a version with its
/// comparability with the previous wave. Storing goes through <see cref="SurveyCatalog.AddAsync"/>, which refuses
/// anything but wording in a wave that has answers.
/// </summary>
public sealed class SurveyAuthoring(Database database, SurveyCatalog catalog, TimeProvider clock)
{
    /// <summary>The largest survey.yaml or report.yaml accepted as an upload (their loaders' limit counts characters).</summary>
    public const int MaxYamlBytes = 4 * (int)YamlLimits.MaxFileBytes;

    // ---------------------------------------------------------------- reading

    public async Task<List<SurveyListRow>> ListAsync(CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        var records = await db.Surveys.AsNoTracking().OrderBy(s => s.SeriesId).ThenByDescending(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync(cancel);
        var series = await db.Series.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Title, cancel);
        var versions = await db.SurveyVersions.AsNoTracking().GroupBy(v => v.SurveyId)
            .Select(g => new { g.Key, Count = g.Count(), Latest = g.Max(v => v.Id) }).ToDictionaryAsync(g => g.Key, cancel);
        var invitations = await db.Invitations.GroupBy(i => i.SurveyId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancel);
        var submissions = await db.Submissions.GroupBy(s => s.Invitation.SurveyId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancel);
        var published = await db.SurveyVersions.AsNoTracking()
            .Where(v => db.Surveys.Any(s => s.PublishedVersionId == v.Id)).ToDictionaryAsync(v => v.Id, cancel);
        // Served without being published (the folder the server was started with): its latest version's period.
        var servedIds = records.Where(r => r.PublishedVersionId is null && invitations.ContainsKey(r.Id) && versions.ContainsKey(r.Id))
            .Select(r => versions[r.Id].Latest).ToList();
        var served = await db.SurveyVersions.AsNoTracking().Where(v => servedIds.Contains(v.Id)).ToDictionaryAsync(v => v.SurveyId, cancel);
        return records.Select(r =>
        {
            var v = versions.GetValueOrDefault(r.Id);
            var pub = r.PublishedVersionId is { } id ? published.GetValueOrDefault(id) : null;
            var latest = served.GetValueOrDefault(r.Id);
            return new SurveyListRow(r, series.GetValueOrDefault(r.SeriesId) ?? r.SeriesId, v?.Count ?? 0, v?.Latest ?? 0, pub?.Number,
                PhaseLabel(pub is null ? null : catalog.Parse(pub), latest is null ? null : catalog.Parse(latest)),
                invitations.GetValueOrDefault(r.Id), submissions.GetValueOrDefault(r.Id));
        }).ToList();
    }

    /// <summary>
    /// 下書き (never published), else the published version's period: 公開中（開始前）, 公開中, 終了. A survey answered
    /// without being published (<paramref name="served"/>: the served folder's, which has invitations) is 未公開 with its period.
    /// </summary>
    public string PhaseLabel(Survey? published, Survey? served = null)
    {
        var now = clock.GetUtcNow();
        if (published is not null)
            return published.Period.PhaseAt(now) switch { SurveyPhase.NotYetOpen => "公開中（開始前）", SurveyPhase.Open => "公開中", _ => "終了" };
        return served?.Period.PhaseAt(now) switch
        {
            null => "下書き",
            SurveyPhase.NotYetOpen => "未公開（開始前）",
            SurveyPhase.Open => "未公開（受付中）",
            _ => "未公開（終了）",
        };
    }

    public async Task<SurveyRecord?> RecordAsync(string surveyId, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        return await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == surveyId, cancel);
    }

    /// <summary>Every version of the survey, newest first, with its author's name.</summary>
    public async Task<List<VersionRow>> VersionsAsync(string surveyId, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        var rows = await db.SurveyVersions.AsNoTracking().Where(v => v.SurveyId == surveyId).OrderByDescending(v => v.Number)
            .Select(v => new { v, Name = db.AdminUsers.Where(u => u.Id == v.CreatedByUserId).Select(u => u.Name).FirstOrDefault() })
            .ToListAsync(cancel);
        return rows.Select(r => new VersionRow(r.v, r.Name)).ToList();
    }

    public async Task<SurveyVersion?> VersionAsync(string surveyId, int versionId, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        return await db.SurveyVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == versionId && v.SurveyId == surveyId, cancel);
    }

    public Survey Parse(SurveyVersion version) => catalog.Parse(version);

    /// <summary>The wave a survey is compared with: its previous wave's published version, else that wave's latest.</summary>
    public async Task<SurveyVersion?> PreviousWaveAsync(SurveyRecord record, CancellationToken cancel)
    {
        if (record.PreviousSurveyId is not { } previous) return null;
        await using var db = database.CreateContext();
        var prev = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == previous, cancel);
        if (prev is null) return null;
        return await db.SurveyVersions.AsNoTracking()
            .Where(v => v.SurveyId == previous && (prev.PublishedVersionId == null || v.Id == prev.PublishedVersionId))
            .OrderByDescending(v => v.Number).FirstOrDefaultAsync(cancel);
    }

    public async Task<SurveyVersion?> PublishedAsync(SurveyRecord record, CancellationToken cancel)
    {
        if (record.PublishedVersionId is not { } id) return null;
        await using var db = database.CreateContext();
        return await db.SurveyVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, cancel);
    }

    public async Task<bool> HasInvitationsAsync(string surveyId, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        return await db.Invitations.AnyAsync(i => i.SurveyId == surveyId, cancel);
    }

    public async Task<bool> HasAnswersAsync(string surveyId, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        return await SurveyCatalog.HasAnswersAsync(db, surveyId, cancel);
    }

    // ---------------------------------------------------------------- upload

    /// <summary>
    /// Stores an uploaded definition: survey.yaml or a workbook (.xlsx), and optionally report.yaml. Every problem is
    /// collected and thrown as an <see cref="UploadException"/>; nothing is stored then.
    /// </summary>
    public async Task<(StoredSurvey Stored, CatalogChange Change)> UploadAsync(string fileName, Stream content,
        string? reportName, Stream? report, int? userId, string? note, CancellationToken cancel)
    {
        string yaml;
        Survey survey;
        try
        {
            if (fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
                (survey, yaml) = SurveyWorkbook.Read(content, fileName);
            else if (fileName.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            {
                yaml = SurveyCatalog.Canonical(await ReadTextAsync(content, fileName, cancel));
                survey = SurveyLoader.Load(yaml, fileName);
            }
            else throw new UploadException([new(fileName, "調査票は survey.yaml（.yaml / .yml）か Excel のワークブック（.xlsx）にしてください。")]);
        }
        catch (SurveyWorkbookException e)
        {
            throw new UploadException(e.Problems.Select(p => new UploadProblem(p.Cell is null ? p.Sheet : $"{p.Sheet}!{p.Cell}", p.Message)).ToList());
        }
        catch (SurveyDefinitionException e)
        {
            throw new UploadException(e.Problems.Select(p => new UploadProblem(Where(p.File, p.Line, p.Column), p.Message)).ToList());
        }
        // Without a report.yaml, a new version keeps the current version's layout, which must still fit.
        var name = reportName ?? ReportDefinitionLoader.FileName;
        string? reportYaml;
        if (report is not null)
        {
            if (!name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                throw new UploadException([new(name, "報告書の定義は report.yaml（.yaml / .yml）にしてください。")]);
            reportYaml = SurveyCatalog.Canonical(await ReadTextAsync(report, name, cancel));
        }
        else reportYaml = (await LatestAsync(survey.Id, cancel))?.ReportYaml;
        if (reportYaml is not null)
        {
            try
            {
                ReportDefinitionLoader.Load(reportYaml, survey, name);
            }
            catch (ReportDefinitionException e)
            {
                throw new UploadException([.. e.Problems.Select(ReportProblem),
                    .. report is null ? [new UploadProblem(name, "今の版の報告書の定義がこの調査票に合いません。合わせた report.yaml も一緒にアップロードしてください。")] : Array.Empty<UploadProblem>()]);
            }
        }
        try
        {
            return await catalog.AddAsync(yaml, reportYaml, userId, Note(note, $"{fileName} をアップロード"), cancel);
        }
        catch (UserError e) when (e is not UploadException)
        {
            throw new UploadException([new(fileName, e.Message)]);
        }
    }

    private static string Where(string file, long line, long column) =>
        line > 0 ? $"{Path.GetFileName(file)} {line} 行 {column} 列" : Path.GetFileName(file);

    /// <summary>`file:line:column: message` as the report loader writes it.</summary>
    private static UploadProblem ReportProblem(string text)
    {
        var parts = text.Split(':', 4);
        return parts.Length == 4 && long.TryParse(parts[1], out var line) && long.TryParse(parts[2], out var column)
            ? new(Where(parts[0], line, column), parts[3].Trim())
            : new("report.yaml", text);
    }

    private static async Task<string> ReadTextAsync(Stream input, string name, CancellationToken cancel)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await input.ReadAsync(buffer, cancel)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > MaxYamlBytes)
                throw new UploadException([new(name, $"ファイルが大きすぎます（上限は {YamlLimits.MaxFileBytes:#,0} 文字）。")]);
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(ms.GetBuffer(), 0, (int)ms.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new UploadException([new(name, "文字コードが UTF-8 ではありません。UTF-8 で保存してください。")]);
        }
    }

    private async Task<SurveyVersion?> LatestAsync(string surveyId, CancellationToken cancel)
    {
        await using var db = database.CreateContext();
        return await db.SurveyVersions.AsNoTracking().Where(v => v.SurveyId == surveyId).OrderByDescending(v => v.Number).FirstOrDefaultAsync(cancel);
    }

    private static string Note(string? note, string fallback)
    {
        note = note?.Trim();
        return string.IsNullOrEmpty(note) ? fallback : note.Length > 500 ? note[..500] : note;
    }

    // ---------------------------------------------------------------- next wave

    /// <summary>The form's problems for the next wave, by field; empty when it can be made.</summary>
    public async Task<Dictionary<string, string>> CheckNextWaveAsync(string? id, string? title, string? opens, string? closes, CancellationToken cancel)
    {
        var errors = new Dictionary<string, string>();
        id = id?.Trim() ?? "";
        if (id.Length == 0) errors["id"] = "調査 ID を入力してください（例: sc3-2024）。";
        else if (id.Length > 40 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            errors["id"] = "調査 ID は英数字・ハイフン・下線だけで、40 文字以内にしてください（例: sc3-2024）。";
        else if (await RecordAsync(id, cancel) is not null) errors["id"] = $"調査 ID「{id}」はすでに使われています。";
        if (string.IsNullOrWhiteSpace(title)) errors["title"] = "調査名を入力してください。";
        else if (title.Trim().Length > 200) errors["title"] = "調査名は 200 文字以内にしてください。";
        var o = ParseDate(opens);
        var c = ParseDate(closes);
        if (o is null) errors["opens"] = "開始日を YYYY-MM-DD で入力してください。";
        if (c is null) errors["closes"] = "締切日を YYYY-MM-DD で入力してください。";
        else if (o is not null && c < o) errors["closes"] = "締切日が開始日より前です。";
        return errors;
    }

    public static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var d) ? d : null;

    /// <summary>
    /// Starts the next wave of <paramref name="fromId"/> as a copy of its latest version (and its report.yaml): a new
    /// survey in the same series, a draft (not published), <see cref="SurveyRecord.PreviousSurveyId"/> set, `sameAs` dropped.
    /// </summary>
    public async Task<StoredSurvey> NextWaveAsync(string fromId, string id, string title, DateOnly opens, DateOnly closes,
        int? userId, CancellationToken cancel)
    {
        var from = await RecordAsync(fromId, cancel) ?? throw new UserError($"調査「{fromId}」はありません。");
        var latest = await LatestAsync(fromId, cancel) ?? throw new UserError($"調査「{fromId}」には調査票の版がありません。");
        id = id.Trim();
        if (await RecordAsync(id, cancel) is not null) throw new UserError($"調査 ID「{id}」はすでに使われています。");
        var yaml = SurveyText.NextWave(latest.SurveyYaml, id, from.SeriesId, title.Trim(), opens, closes);
        var report = latest.ReportYaml is { } r ? SurveyText.RetargetReport(r, id) : null;
        var (stored, change) = await catalog.AddAsync(yaml, report, userId, $"{fromId} 第{latest.Number}版から作成", cancel);
        if (change != CatalogChange.NewSurvey) throw new UserError($"調査 ID「{id}」はすでに使われています。");
        await using var db = database.CreateContext();
        await db.Surveys.Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.PreviousSurveyId, fromId), cancel);
        stored.Record.PreviousSurveyId = fromId;
        return stored;
    }

    // ---------------------------------------------------------------- wording

    /// <summary>
    /// Saves wording edits made on <paramref name="baseVersionId"/> (the latest version: edits on an older one would
    /// undo a newer one) as a new version. Throws <see cref="UserError"/> for an empty text, a changed newer version,
    /// or (through the catalog) a change that is not wording in a wave with answers.
    /// </summary>
    public async Task<(StoredSurvey Stored, CatalogChange Change)> SaveWordingAsync(string surveyId, int baseVersionId,
        IReadOnlyDictionary<string, string> values, int? userId, string? note, CancellationToken cancel)
    {
        var version = await VersionAsync(surveyId, baseVersionId, cancel) ?? throw new UserError("その版はありません。");
        var latest = (await LatestAsync(surveyId, cancel))!;
        if (latest.Id != version.Id)
            throw new UserError($"この版（第{version.Number}版）の後に第{latest.Number}版が作られています。最新の版を開いてから編集してください。");
        var yaml = Edited(version, values);
        return await catalog.AddAsync(yaml, version.ReportYaml, userId, Note(note, $"第{version.Number}版の文言を変更"), cancel);
    }

    /// <summary>The version's YAML with the edits applied, checked by the loader (a <see cref="SurveyDefinitionException"/> otherwise).</summary>
    public Survey Preview(SurveyVersion version, IReadOnlyDictionary<string, string> values) =>
        SurveyLoader.Load(Edited(version, values), $"{version.SurveyId} 第{version.Number}版（編集中）");

    private static string Edited(SurveyVersion version, IReadOnlyDictionary<string, string> values) =>
        SurveyText.ApplyWording(version.SurveyYaml, values);

    // ---------------------------------------------------------------- publish

    /// <summary>
    /// Publishes <paramref name="versionId"/>: the survey serves it from now on. In a wave with answers only a version
    /// that differs from the published one in wording may replace it. Records each item's comparability with the
    /// previous wave (JSON on the version) for the wave comparison.
    /// </summary>
    public async Task<SurveyVersion> PublishAsync(string surveyId, int versionId, CancellationToken cancel)
    {
        var record = await RecordAsync(surveyId, cancel) ?? throw new UserError($"調査「{surveyId}」はありません。");
        var version = await VersionAsync(surveyId, versionId, cancel) ?? throw new UserError("その版はありません。");
        var survey = catalog.Parse(version);
        if (await PublishedAsync(record, cancel) is { } published && published.Id != version.Id
            && await HasAnswersAsync(surveyId, cancel))
            SurveyDiff.Compare(catalog.Parse(published), survey).EnsureWordingOnly();
        string? comparability = null;
        if (await PreviousWaveAsync(record, cancel) is { } previous)
            comparability = Comparability(previous, SurveyDiff.Compare(catalog.Parse(previous), survey));
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = database.CreateContext();
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        await db.SurveyVersions.Where(v => v.Id == version.Id).ExecuteUpdateAsync(s => s
            .SetProperty(v => v.PublishedAt, now).SetProperty(v => v.Comparability, comparability), cancel);
        await db.Surveys.Where(s => s.Id == surveyId).ExecuteUpdateAsync(s => s.SetProperty(x => x.PublishedVersionId, version.Id), cancel);
        await tx.CommitAsync(cancel);
        version.PublishedAt = now;
        version.Comparability = comparability;
        return version;
    }

    /// <summary>
    /// {"previous": id, "previousVersion": number, "items": {code: {"comparable": bool, "reason": text?}}}: every item of
    /// this version, as the diff with the previous wave judged it at publish.
    /// </summary>
    public static string Comparability(SurveyVersion previous, SurveyDiff diff) => JsonSerializer.Serialize(new
    {
        previous = previous.SurveyId,
        previousVersion = previous.Number,
        items = diff.Items.Where(i => i.New is not null).ToDictionary(i => i.Code,
            i => new ComparabilityEntry(i.Comparable, i.NotComparableReason)),
    }, Json);

    public sealed record ComparabilityEntry(bool Comparable, string? Reason);

    /// <summary>Reads <see cref="SurveyVersion.Comparability"/>: item code → entry (empty when none was recorded).</summary>
    public static Dictionary<string, ComparabilityEntry> ReadComparability(string? json)
    {
        if (json is null) return [];
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("items").EnumerateObject().ToDictionary(p => p.Name,
            p => new ComparabilityEntry(p.Value.GetProperty("comparable").GetBoolean(),
                p.Value.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null));
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

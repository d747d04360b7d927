using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;
using Shirabe.Surveys;

namespace Shirabe.Fieldwork;

/// <summary>
/// The demo's two waves of one series (`./shirabe demo`, docs/decisions/056): SC3 2023 — the 48 associations of
/// 参考資料2 with the reconstructed responses as submitted (R01 … R48 in submission order) and 9 invented associations
/// that have not answered (57 invitations, as in 2.1) — and the sample 2024 wave (surveys/sc3-2024, invented), which
/// invites the same 57 organisations and holds a few submissions and drafts from its sample responses file.
/// </summary>
public static class DemoSeed
{
    /// <summary>Rows of the 2024 sample file stored as submissions; the rows after them are stored as drafts.</summary>
    public const int SampleSubmissions = 8;

    /// <summary>Invented associations; the names are fictitious.</summary>
    public static readonly (string Code, string Name, string Category)[] Unanswered =
    [
        ("N01", "一般社団法人日本架空精密機器工業会", "製造業"),
        ("N02", "一般社団法人架空物流協会", "運輸業，郵便業"),
        ("N03", "架空食品工業組合連合会", "製造業"),
        ("N04", "一般社団法人日本架空ソフトウェア協会", "情報通信業"),
        ("N05", "架空建設業協会", "建設業"),
        ("N06", "一般社団法人架空観光旅館連盟", "宿泊業，飲食サービス業"),
        ("N07", "一般社団法人日本架空不動産協会", "不動産業，物品賃貸業"),
        ("N08", "架空教育サービス協議会", "教育，学習支援業"),
        ("N09", "一般社団法人日本架空農業機械工業会", "製造業"),
    ];

    public sealed record Link(string Code, string Name, string Token, bool Submitted, bool Drafted = false);

    /// <summary>A seeded wave: its stored survey and every invitation's link.</summary>
    public sealed record Wave(StoredSurvey Stored, List<Link> Links, int Drafts);

    /// <summary>
    /// Seeds an empty database with both waves: stores surveys/sc3-2023 and surveys/sc3-2024 (each folder's survey.yaml
    /// and report.yaml) through the catalog, marks 2024 as the wave after 2023 (its comparison partner), and writes
    /// their invitations and answers. Returns 2023, then 2024.
    /// </summary>
    public static async Task<(Wave First, Wave Next)> SeedWavesAsync(Database database, SurveyCatalog catalog, string surveysDir,
        TimeProvider clock, LinkKeys keys, CancellationToken cancel = default)
    {
        var first = await AddFolderAsync(catalog, Path.Combine(surveysDir, "sc3-2023"), cancel);
        var next = await AddFolderAsync(catalog, Path.Combine(surveysDir, "sc3-2024"), cancel);
        if (next.Record.SeriesId != first.Record.SeriesId)
            throw new Core.UserError($"デモの {next.Record.Id} が {first.Record.Id} と同じシリーズにありません（survey.yaml に series: {first.Record.SeriesId} が必要です）。");
        await using var db = database.CreateContext();
        await db.Surveys.Where(s => s.Id == next.Record.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.PreviousSurveyId, first.Record.Id), cancel);
        next.Record.PreviousSurveyId = first.Record.Id;
        var links = await SeedAsync(db, first.Survey, Path.Combine(surveysDir, "sc3-2023", "responses-2023.csv"), clock, cancel);
        var (nextLinks, drafts) = await SeedNextWaveAsync(db, first.Record.Id, next.Survey,
            Path.Combine(surveysDir, "sc3-2024", "responses-2024-sample.csv"), clock, cancel);
        if (keys.CanRecover)
        {
            // Links a reminder can carry again (docs/decisions/042): each token derived from its link's id under the key.
            links = await DeriveAsync(db, keys, first.Record.Id, links, cancel);
            nextLinks = await DeriveAsync(db, keys, next.Record.Id, nextLinks, cancel);
        }
        return (new Wave(first, links, 0), new Wave(next, nextLinks, drafts));
    }

    /// <summary>
    /// Replaces the survey's random links (made in bulk, before their ids were known) with derived ones, so the demo's
    /// invitations and reminders can carry the same links it prints. Returns the links with their new tokens.
    /// </summary>
    private static async Task<List<Link>> DeriveAsync(ShirabeDb db, LinkKeys keys, string surveyId, List<Link> links,
        CancellationToken cancel)
    {
        var rows = await db.AccessLinks.Where(l => l.Invitation.SurveyId == surveyId && l.RevokedAt == null && l.Stamp == null)
            .Select(l => new { Link = l, l.Invitation.Organisation.Code }).ToListAsync(cancel);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            row.Link.Stamp = LinkKeys.NewStamp();
            var token = keys.Derive(row.Link.Id, row.Link.Stamp);
            row.Link.TokenHash = InvitationTokens.Hash(token);
            tokens[row.Code] = token;
        }
        await db.SaveChangesAsync(cancel);
        return links.Select(l => tokens.TryGetValue(l.Code, out var t) ? l with { Token = t } : l).ToList();
    }

    private static async Task<StoredSurvey> AddFolderAsync(SurveyCatalog catalog, string folder, CancellationToken cancel)
    {
        var report = Path.Combine(folder, Core.Reports.ReportDefinitionLoader.FileName);
        var (stored, _) = await catalog.AddAsync(await File.ReadAllTextAsync(Path.Combine(folder, SurveyLoader.FileName), cancel),
            File.Exists(report) ? await File.ReadAllTextAsync(report, cancel) : null, note: "デモ（./shirabe demo）", cancel: cancel);
        return stored;
    }

    /// <summary>
    /// The next wave: an invitation for every organisation invited to <paramref name="previousId"/> (same organisations,
    /// category carried over); the sample file's first <see cref="SampleSubmissions"/> rows submitted, the rest drafts.
    /// </summary>
    private static async Task<(List<Link> Links, int Drafts)> SeedNextWaveAsync(ShirabeDb db, string previousId, Survey survey,
        string responsesCsv, TimeProvider clock, CancellationToken cancel)
    {
        var invited = await db.Invitations.AsNoTracking().Where(i => i.SurveyId == previousId)
            .OrderBy(i => i.Id).Select(i => new { i.Organisation.Code, i.Organisation.Name, i.Category }).ToListAsync(cancel);
        var answers = new Dictionary<string, (string Json, DateTime? SubmittedAt)>(StringComparer.Ordinal);
        var writer = new StoredAnswersWriter(survey);
        await using (var csv = File.OpenRead(responsesCsv))
            foreach (var r in ResponsesCsv.Read(csv, survey, new ResponsesReadOptions()))
                answers[r.Id] = (writer.Serialize(r.Answers), answers.Count < SampleSubmissions ? r.SubmittedAt?.UtcDateTime : null);
        var links = new List<Link>();
        var rows = new List<NewInvitation>();
        foreach (var o in invited)
        {
            var token = InvitationTokens.NewToken();
            var answered = answers.TryGetValue(o.Code, out var a);
            rows.Add(new NewInvitation
            {
                Code = o.Code, Name = o.Name, Category = o.Category, TokenHash = InvitationTokens.Hash(token),
                Answers = answered ? a.Json : null, SubmittedAt = answered ? a.SubmittedAt : null,
            });
            links.Add(new Link(o.Code, o.Name, token, answered && a.SubmittedAt is not null, answered && a.SubmittedAt is null));
        }
        var unknown = answers.Keys.Except(invited.Select(o => o.Code)).ToList();
        if (unknown.Count > 0)
            throw new Core.UserError($"{responsesCsv}: 次の id は {previousId} に招待した団体にありません: {string.Join(", ", unknown)}");
        await using var bulk = await BulkInvitations.BeginAsync(db, survey, clock.GetUtcNow().UtcDateTime, cancel);
        await bulk.WriteAsync(rows, cancel);
        await bulk.CommitAsync(cancel);
        return (links, answers.Count(x => x.Value.SubmittedAt is null));
    }

    /// <summary>Seeds an empty database; returns every invitation's link (tokens exist only here and in this output).</summary>
    public static async Task<List<Link>> SeedAsync(ShirabeDb db, Survey survey, string responsesCsv, TimeProvider clock,
        CancellationToken cancel = default)
    {
        List<Link> links;
        await using (var csv = File.OpenRead(responsesCsv))
            links = (await ResponsesTransfer.ImportAsync(db, survey, csv, clock, cancel: cancel))
                .Select(i => new Link(i.Code, i.Name, i.Token, i.Submitted)).ToList();
        await using var bulk = await BulkInvitations.BeginAsync(db, survey, clock.GetUtcNow().UtcDateTime, cancel);
        var rows = new List<NewInvitation>();
        foreach (var (code, name, category) in Unanswered)
        {
            var token = InvitationTokens.NewToken();
            rows.Add(new NewInvitation { Code = code, Name = name, Category = category, TokenHash = InvitationTokens.Hash(token) });
            links.Add(new Link(code, name, token, false));
        }
        await bulk.WriteAsync(rows, cancel);
        await bulk.CommitAsync(cancel);
        return links;
    }
}

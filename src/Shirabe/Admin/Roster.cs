using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Admin;

/// <summary>
/// Where an invited organisation stands. The order is the sort order of the progress list. <see cref="Draft"/> (回答中)
/// means started: a section page opened or a page saved (<see cref="Invitation.OpenedAt"/>), or a draft saved;
/// <see cref="Invalid"/> is a submission staff marked invalid (not tabulated, docs/decisions/050).
/// </summary>
public enum FieldworkStatus { Unopened, Draft, Editing, Submitted, Invalid, Closed }

/// <summary>What the list can also be filtered by, across the statuses.</summary>
public enum FieldworkFlag { Mailed, Unmailed, Opened, AddressFailed, Paper }

/// <summary>One invited organisation as the progress list shows it.</summary>
public sealed record RosterRow(int OrganisationId, int InvitationId, string Code, string Name, string? Category, string? ContactName,
    string? ContactEmail, FieldworkStatus Status, DateTime? LastActivity, int? Version, bool Mailed = false, bool AddressFailed = false,
    bool Paper = false);

/// <summary>What the progress list shows: search, status (or flag) filter, sort and page (all done by the database).</summary>
public sealed record RosterQuery(string? Search, FieldworkStatus? Status, string Sort, bool Descending, int Page, int PageSize,
    FieldworkFlag? Flag = null)
{
    public static readonly string[] Sorts = ["code", "name", "category", "status", "activity"];
    public static readonly int[] PageSizes = [50, 100, 200];

    /// <summary>
    /// Reads the query string leniently: anything unknown falls back to the default. sort=industry, the category's
    /// key before it was named generically, is still read as sort=category (saved links); without a category item
    /// (<paramref name="hasCategory"/> false) there is no category to sort by.
    /// </summary>
    public static RosterQuery From(string? q, string? status, string? sort, string? dir, int? page, int? size, bool hasCategory)
    {
        var key = sort == "industry" ? "category" : sort;
        key = Sorts.Contains(key) && (hasCategory || key != "category") ? key! : "code";
        return new RosterQuery(string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(q.Trim().Length, 100)],
            Parse<FieldworkStatus>(status), key, dir == "desc", Math.Max(1, page ?? 1),
            PageSizes.Contains(size ?? 0) ? size!.Value : PageSizes[0], Parse<FieldworkFlag>(status));
    }

    private static T? Parse<T>(string? text) where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var v) && Enum.IsDefined(v) && !(text ?? "").Any(char.IsDigit) ? v : null;

    /// <summary>The filter as the query string's status= value (null: none).</summary>
    public string? FilterText => (Status?.ToString() ?? Flag?.ToString())?.ToLowerInvariant();

    /// <summary>The filter in words (「回答中（下書き）」「宛先エラー」), null when none.</summary>
    public string? FilterLabel => Status is { } s ? Roster.Label(s) : Flag is { } f ? Roster.Label(f) : null;
}

/// <summary>
/// The fieldwork counts of a survey (all of it, whatever the filter): per status, and across them how many were
/// mailed, opened, have a failed address or a paper submission.
/// </summary>
public sealed record FieldworkCounts(IReadOnlyDictionary<FieldworkStatus, int> ByStatus, int Mailed, int Opened, int AddressFailed, int Paper)
{
    public int this[FieldworkStatus s] => ByStatus[s];
    public int Invited => ByStatus.Values.Sum();
    /// <summary>Valid submissions, with or without unsent changes: what is tabulated.</summary>
    public int Submitted => ByStatus[FieldworkStatus.Submitted] + ByStatus[FieldworkStatus.Editing];
    /// <summary>Valid submissions ÷ invited, in percent.</summary>
    public decimal Rate => Invited == 0 ? 0 : Core.Tabulation.Percent.Of(Submitted, Invited);

    public int Of(FieldworkFlag f) => f switch
    {
        FieldworkFlag.Mailed => Mailed,
        FieldworkFlag.Unmailed => Invited - Mailed,
        FieldworkFlag.Opened => Opened,
        FieldworkFlag.AddressFailed => AddressFailed,
        _ => Paper,
    };
}

/// <summary>
/// The survey's invited organisations with their status, computed by the database so that the progress page stays
/// fast and small with 100,000 invitees: only one page of rows ever leaves the database.
/// </summary>
public sealed class Roster(ShirabeDb db, Survey survey, TimeProvider clock)
{
    public static string Label(FieldworkStatus s) => s switch
    {
        FieldworkStatus.Unopened => "未開封",
        FieldworkStatus.Draft => "回答中（下書き）",
        FieldworkStatus.Editing => "修正中（未送信の変更あり）",
        FieldworkStatus.Submitted => "提出済",
        FieldworkStatus.Invalid => "無効（集計対象外）",
        _ => "締切後（未提出）",
    };

    public static string Label(FieldworkFlag f) => f switch
    {
        FieldworkFlag.Mailed => "依頼メール送信済",
        FieldworkFlag.Unmailed => "依頼メール未送信",
        FieldworkFlag.Opened => "開封済（回答を開始）",
        FieldworkFlag.AddressFailed => "宛先エラー",
        _ => "紙・郵送の回答",
    };

    public static string Css(FieldworkStatus s) => s switch
    {
        FieldworkStatus.Submitted => "status-submitted",
        FieldworkStatus.Draft or FieldworkStatus.Editing => "status-draft",
        FieldworkStatus.Closed or FieldworkStatus.Invalid => "status-closed",
        _ => "status-unopened",
    };

    // Properties, not a constructor: the database filters and sorts on them after the projection.
    private sealed class Projected
    {
        public int OrganisationId { get; init; }
        public int InvitationId { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Category { get; init; }
        public string? ContactName { get; init; }
        public string? ContactEmail { get; init; }
        public FieldworkStatus Status { get; init; }
        public DateTime? LastActivity { get; init; }
        public int? Version { get; init; }
        public bool Mailed { get; init; }
        public bool Opened { get; init; }
        public bool AddressFailed { get; init; }
        public bool Paper { get; init; }
    }

    /// <summary>Every invitation of the survey with its status, as a query.</summary>
    private IQueryable<Projected> All()
    {
        var closed = survey.Period.PhaseAt(clock.GetUtcNow()) == SurveyPhase.Closed;
        return from i in db.Invitations.AsNoTracking()
               where i.SurveyId == survey.Id
               join d in db.Drafts on i.Id equals d.InvitationId into ds
               from d in ds.DefaultIfEmpty()
               join s in db.Submissions on i.Id equals s.InvitationId into ss
               from s in ss.DefaultIfEmpty()
               select new Projected
               {
                   OrganisationId = i.OrganisationId, InvitationId = i.Id, Code = i.Organisation.Code,
                   Name = i.Organisation.Name, Category = i.Category, ContactName = i.ContactName, ContactEmail = i.ContactEmail,
                   Status = s != null
                       ? (!s.Valid ? FieldworkStatus.Invalid
                           // a draft saved after the submission: changes the organisation has not sent (yet)
                           : d != null && d.Version != s.DraftVersion && !closed ? FieldworkStatus.Editing : FieldworkStatus.Submitted)
                       : closed ? FieldworkStatus.Closed
                       : d != null || i.OpenedAt != null ? FieldworkStatus.Draft : FieldworkStatus.Unopened,
                   LastActivity = d == null ? (DateTime?)s.SubmittedAt
                       : s == null ? (DateTime?)d.UpdatedAt
                       : d.UpdatedAt > s.SubmittedAt ? d.UpdatedAt : s.SubmittedAt,
                   Version = s != null ? (int?)s.Version : null,
                   // a security scanner fetching the mailed link opens nothing: only a section page, a save or a submission
                   Opened = i.OpenedAt != null || d != null || s != null,
                   Mailed = db.OutboxMails.Any(m => m.InvitationId == i.Id && m.Status == MailStatus.Sent && m.Kind != MailKind.Receipt),
                   AddressFailed = i.AddressFailedAt != null,
                   Paper = s != null && s.Channel == SubmissionChannel.Paper,
               };
    }

    private IQueryable<Projected> Filtered(RosterQuery q)
    {
        var rows = All();
        if (q.Status is { } status) rows = rows.Where(r => r.Status == status);
        rows = q.Flag switch
        {
            FieldworkFlag.Mailed => rows.Where(r => r.Mailed),
            FieldworkFlag.Unmailed => rows.Where(r => !r.Mailed),
            FieldworkFlag.Opened => rows.Where(r => r.Opened),
            FieldworkFlag.AddressFailed => rows.Where(r => r.AddressFailed),
            FieldworkFlag.Paper => rows.Where(r => r.Paper),
            _ => rows,
        };
        if (q.Search is { } text)
        {
            var upper = text.ToUpperInvariant();
            rows = rows.Where(r => r.Name.Contains(text) || r.Code.ToUpper().Contains(upper));
        }
        return rows;
    }

    private static IQueryable<Projected> Sorted(IQueryable<Projected> rows, RosterQuery q) => (q.Sort, q.Descending) switch
    {
        ("name", false) => rows.OrderBy(r => r.Name).ThenBy(r => r.Code),
        ("name", true) => rows.OrderByDescending(r => r.Name).ThenBy(r => r.Code),
        ("category", false) => rows.OrderBy(r => r.Category).ThenBy(r => r.Code),
        ("category", true) => rows.OrderByDescending(r => r.Category).ThenBy(r => r.Code),
        ("status", false) => rows.OrderBy(r => r.Status).ThenBy(r => r.Code),
        ("status", true) => rows.OrderByDescending(r => r.Status).ThenBy(r => r.Code),
        ("activity", false) => rows.OrderBy(r => r.LastActivity).ThenBy(r => r.Code),
        ("activity", true) => rows.OrderByDescending(r => r.LastActivity).ThenBy(r => r.Code),
        (_, true) => rows.OrderByDescending(r => r.Code),
        _ => rows.OrderBy(r => r.Code),
    };

    private static RosterRow Row(Projected p) => new(p.OrganisationId, p.InvitationId, p.Code, p.Name, p.Category, p.ContactName,
        p.ContactEmail, p.Status, p.LastActivity, p.Version, p.Mailed, p.AddressFailed, p.Paper);

    /// <summary>
    /// The survey's counts in one query: the invitations grouped by status and the three flags (at most a few dozen
    /// groups), summed here.
    /// </summary>
    public async Task<FieldworkCounts> CountsAsync(CancellationToken cancel)
    {
        var groups = await All().GroupBy(r => new { r.Status, r.Mailed, r.Opened, r.AddressFailed, r.Paper })
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancel);
        return new FieldworkCounts(
            Enum.GetValues<FieldworkStatus>().ToDictionary(s => s, s => groups.Where(g => g.Key.Status == s).Sum(g => g.Count)),
            groups.Where(g => g.Key.Mailed).Sum(g => g.Count), groups.Where(g => g.Key.Opened).Sum(g => g.Count),
            groups.Where(g => g.Key.AddressFailed).Sum(g => g.Count), groups.Where(g => g.Key.Paper).Sum(g => g.Count));
    }

    /// <summary>
    /// One page of the filtered, sorted list, and how many rows the filter matches (<paramref name="counts"/> gives it
    /// without another scan when there is no search).
    /// </summary>
    public async Task<(List<RosterRow> Rows, int Total)> PageAsync(RosterQuery q, FieldworkCounts? counts, CancellationToken cancel)
    {
        var filtered = Filtered(q);
        var total = counts is not null && q.Search is null && !(q.Status is not null && q.Flag is not null)
            ? q.Status is { } status ? counts[status] : q.Flag is { } flag ? counts.Of(flag) : counts.Invited
            : await filtered.CountAsync(cancel);
        var rows = await Sorted(filtered, q).Skip((q.Page - 1) * q.PageSize).Take(q.PageSize).ToListAsync(cancel);
        return (rows.Select(Row).ToList(), total);
    }

    /// <summary>Every row of the filtered, sorted list (for export), streamed.</summary>
    public async IAsyncEnumerable<RosterRow> AllAsync(RosterQuery q, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        await foreach (var p in Sorted(Filtered(q), q).AsAsyncEnumerable().WithCancellation(cancel)) yield return Row(p);
    }

    /// <summary>One organisation's row (null: not invited to this survey).</summary>
    public async Task<RosterRow?> FindAsync(int organisationId, CancellationToken cancel) =>
        await All().Where(r => r.OrganisationId == organisationId).FirstOrDefaultAsync(cancel) is { } p ? Row(p) : null;

    /// <summary>When each organisation first submitted (UTC), for the response-rate chart.</summary>
    public Task<List<DateTime>> FirstSubmissionsAsync(CancellationToken cancel) =>
        db.Submissions.AsNoTracking().Where(s => s.Invitation.SurveyId == survey.Id && s.Valid)
            .Select(s => s.FirstSubmittedAt).ToListAsync(cancel);
}

using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;

namespace Shirabe.Admin;

/// <summary>Where an invited organisation stands. The order is the sort order of the progress list.</summary>
public enum FieldworkStatus { Unopened, Draft, Editing, Submitted, Closed }

/// <summary>One invited organisation as the progress list shows it.</summary>
public sealed record RosterRow(int OrganisationId, int InvitationId, string Code, string Name, string? Industry, string? ContactName,
    string? ContactEmail, FieldworkStatus Status, DateTime? LastActivity, int? Version);

/// <summary>What the progress list shows: search, status filter, sort and page (all done by the database).</summary>
public sealed record RosterQuery(string? Search, FieldworkStatus? Status, string Sort, bool Descending, int Page, int PageSize)
{
    public static readonly string[] Sorts = ["code", "name", "industry", "status", "activity"];
    public static readonly int[] PageSizes = [50, 100, 200];

    /// <summary>Reads the query string leniently: anything unknown falls back to the default.</summary>
    public static RosterQuery From(string? q, string? status, string? sort, string? dir, int? page, int? size)
    {
        FieldworkStatus? s = Enum.TryParse<FieldworkStatus>(status, ignoreCase: true, out var st) && Enum.IsDefined(st)
            && !(status ?? "").Any(char.IsDigit) ? st : null;
        var key = Sorts.Contains(sort) ? sort! : "code";
        return new RosterQuery(string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(q.Trim().Length, 100)], s, key,
            dir == "desc", Math.Max(1, page ?? 1), PageSizes.Contains(size ?? 0) ? size!.Value : PageSizes[0]);
    }
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
        _ => "締切後（未提出）",
    };

    public static string Css(FieldworkStatus s) => s switch
    {
        FieldworkStatus.Submitted => "status-submitted",
        FieldworkStatus.Draft or FieldworkStatus.Editing => "status-draft",
        FieldworkStatus.Closed => "status-closed",
        _ => "status-unopened",
    };

    // Properties, not a constructor: the database filters and sorts on them after the projection.
    private sealed class Projected
    {
        public int OrganisationId { get; init; }
        public int InvitationId { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Industry { get; init; }
        public string? ContactName { get; init; }
        public string? ContactEmail { get; init; }
        public FieldworkStatus Status { get; init; }
        public DateTime? LastActivity { get; init; }
        public int? Version { get; init; }
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
                   Name = i.Organisation.Name, Industry = i.Industry, ContactName = i.ContactName, ContactEmail = i.ContactEmail,
                   Status = s != null
                       // a draft saved after the submission: changes the organisation has not sent (yet)
                       ? (d != null && d.Version != s.DraftVersion && !closed ? FieldworkStatus.Editing : FieldworkStatus.Submitted)
                       : closed ? FieldworkStatus.Closed
                       : d != null ? FieldworkStatus.Draft : FieldworkStatus.Unopened,
                   LastActivity = d == null ? (DateTime?)s.SubmittedAt
                       : s == null ? (DateTime?)d.UpdatedAt
                       : d.UpdatedAt > s.SubmittedAt ? d.UpdatedAt : s.SubmittedAt,
                   Version = s != null ? (int?)s.Version : null,
               };
    }

    private IQueryable<Projected> Filtered(RosterQuery q)
    {
        var rows = All();
        if (q.Status is { } status) rows = rows.Where(r => r.Status == status);
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
        ("industry", false) => rows.OrderBy(r => r.Industry).ThenBy(r => r.Code),
        ("industry", true) => rows.OrderByDescending(r => r.Industry).ThenBy(r => r.Code),
        ("status", false) => rows.OrderBy(r => r.Status).ThenBy(r => r.Code),
        ("status", true) => rows.OrderByDescending(r => r.Status).ThenBy(r => r.Code),
        ("activity", false) => rows.OrderBy(r => r.LastActivity).ThenBy(r => r.Code),
        ("activity", true) => rows.OrderByDescending(r => r.LastActivity).ThenBy(r => r.Code),
        (_, true) => rows.OrderByDescending(r => r.Code),
        _ => rows.OrderBy(r => r.Code),
    };

    private static RosterRow Row(Projected p) => new(p.OrganisationId, p.InvitationId, p.Code, p.Name, p.Industry, p.ContactName,
        p.ContactEmail, p.Status, p.LastActivity, p.Version);

    /// <summary>The number of organisations in each status (all of the survey, whatever the filter).</summary>
    public async Task<Dictionary<FieldworkStatus, int>> CountsAsync(CancellationToken cancel)
    {
        var counts = await All().GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancel);
        return Enum.GetValues<FieldworkStatus>().ToDictionary(s => s, s => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0);
    }

    /// <summary>
    /// One page of the filtered, sorted list, and how many rows the filter matches (<paramref name="counts"/> gives it
    /// without another scan when there is no search).
    /// </summary>
    public async Task<(List<RosterRow> Rows, int Total)> PageAsync(RosterQuery q, Dictionary<FieldworkStatus, int>? counts, CancellationToken cancel)
    {
        var filtered = Filtered(q);
        var total = counts is not null && q.Search is null
            ? q.Status is { } status ? counts[status] : counts.Values.Sum()
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

using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shirabe.Admin;

/// <summary>
/// The audit log, for 管理者 only (by the page convention): newest first, paged on the server, filtered by user, action
/// and days (in Japan); the same filters export CSV (/admin/audit.csv). Read-only: the page has no POST handler.
/// </summary>
public sealed class AuditModel(AuditLog log, StaffAccounts accounts) : PageModel
{
    public AuditQuery Query { get; private set; } = new(null, null, null, null, 1);
    public List<AuditRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int Pages => Math.Max(1, (Total + AuditQuery.PageSize - 1) / AuditQuery.PageSize);
    public List<StaffAccount> Users { get; private set; } = [];

    public async Task OnGetAsync(int? user, string? action, string? from, string? to, [FromQuery(Name = "page")] int? pageNumber)
    {
        var cancel = HttpContext.RequestAborted;
        Query = Parse(user, action, from, to, pageNumber); // "page" alone would bind the route value (the page's path)
        (Rows, Total) = await log.PageAsync(Query, cancel);
        Users = await accounts.ListAsync(cancel);
    }

    /// <summary>Unknown actions and malformed dates are ignored (no filter), as the progress list treats its filters.</summary>
    public static AuditQuery Parse(int? user, string? action, string? from, string? to, int? page) => new(
        user is > 0 ? user : null,
        action is not null && AuditAction.Labels.ContainsKey(action) ? action : null,
        Day(from), Day(to), page is > 0 and < 1_000_000 ? page.Value : 1);

    private static DateOnly? Day(string? s) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>This page's address with the current filters and another page (or the CSV export: <paramref name="path"/>).</summary>
    public string Link(int? page, string path = "/admin/audit")
    {
        var parts = new List<string>();
        if (Query.UserId is { } u) parts.Add("user=" + u.ToString(CultureInfo.InvariantCulture));
        if (Query.Action is { } a) parts.Add("action=" + Uri.EscapeDataString(a));
        if (Query.From is { } f) parts.Add("from=" + f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (Query.To is { } t) parts.Add("to=" + t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (page is > 1) parts.Add("page=" + page.Value.ToString(CultureInfo.InvariantCulture));
        return parts.Count == 0 ? path : path + "?" + string.Join("&", parts);
    }
}

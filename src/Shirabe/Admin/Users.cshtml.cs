using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Shirabe.Admin;

/// <summary>
/// Console users, for 管理者 of every series only (by the page convention): list, add with a generated password shown
/// once, change the role and its series (every series or one, docs/decisions/060), reset the password (shown once),
/// disable or enable. The last enabled 管理者 for every series cannot be demoted or disabled.
/// </summary>
public sealed class UsersModel(StaffAccounts accounts, Data.ShirabeDb db) : PageModel
{
    public List<StaffAccount> Users { get; private set; } = [];
    /// <summary>The series of the stored surveys, for a role limited to one.</summary>
    public List<string> Series { get; private set; } = [];
    public string? Error { get; private set; }
    /// <summary>A generated password and whose it is: in this response only, never stored.</summary>
    public (string Name, string Password)? Shown { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync() => await LoadAsync(HttpContext.RequestAborted);

    public Task<IActionResult> OnPostAddAsync(string? name, string? role, string? series) => RunAsync(async cancel =>
    {
        var (user, password) = await accounts.CreateAsync(name ?? "", role ?? "", Me, cancel, series);
        Shown = (user.Name, password);
        Done = $"ユーザー「{user.Name}」（{StaffRoles.Label(role)}・{StaffRoles.ScopeLabel(NullIfEmpty(series))}）を追加しました。";
    });

    public Task<IActionResult> OnPostRoleAsync(int id, string? role, string? series) => RunAsync(async cancel =>
    {
        await accounts.SetRoleAsync(id, role ?? "", cancel, Me, series);
        Done = $"役割を「{StaffRoles.Label(role)}」（{StaffRoles.ScopeLabel(NullIfEmpty(series))}）にしました。次の操作から反映されます。";
    });

    private static string? NullIfEmpty(string? series) => string.IsNullOrWhiteSpace(series) ? null : series.Trim();

    private async Task LoadAsync(CancellationToken cancel)
    {
        Users = await accounts.ListAsync(cancel);
        Series = await db.Surveys.AsNoTracking().Select(s => s.SeriesId).Distinct().OrderBy(s => s).ToListAsync(cancel);
    }

    public Task<IActionResult> OnPostResetAsync(int id) => RunAsync(async cancel =>
    {
        var password = await accounts.ResetPasswordAsync(id, Me, cancel);
        var user = (await accounts.ListAsync(cancel)).First(u => u.Id == id);
        Shown = (user.Name, password);
        Done = $"ユーザー「{user.Name}」のパスワードを再設定しました。ログイン中の画面はログアウトされます。";
    });

    public Task<IActionResult> OnPostDisableAsync(int id) => RunAsync(async cancel =>
    {
        await accounts.SetDisabledAsync(id, true, Me, cancel);
        Done = "ユーザーを無効にしました。このユーザーはログインできなくなり、ログイン中の画面もログアウトされます。";
    });

    public Task<IActionResult> OnPostEnableAsync(int id) => RunAsync(async cancel =>
    {
        await accounts.SetDisabledAsync(id, false, Me, cancel);
        Done = "ユーザーを有効にしました。";
    });

    private int? Me => AdminAuth.UserId(User);

    /// <summary>Runs a change; a refused one (a taken name, the last 管理者…) is shown on the page with status 409.</summary>
    private async Task<IActionResult> RunAsync(Func<CancellationToken, Task> change)
    {
        var cancel = HttpContext.RequestAborted;
        try
        {
            await change(cancel);
        }
        catch (Core.UserError e)
        {
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        await LoadAsync(cancel);
        return Page();
    }
}

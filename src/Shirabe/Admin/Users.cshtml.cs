using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shirabe.Admin;

/// <summary>
/// Console users, for 管理者 only (by the page convention): list, add with a generated password shown once, change the
/// role, reset the password (shown once), disable or enable. The last enabled 管理者 cannot be demoted or disabled.
/// </summary>
public sealed class UsersModel(StaffAccounts accounts) : PageModel
{
    public List<StaffAccount> Users { get; private set; } = [];
    public string? Error { get; private set; }
    /// <summary>A generated password and whose it is: in this response only, never stored.</summary>
    public (string Name, string Password)? Shown { get; private set; }
    public string? Done { get; private set; }

    public async Task OnGetAsync() => Users = await accounts.ListAsync(HttpContext.RequestAborted);

    public Task<IActionResult> OnPostAddAsync(string? name, string? role) => RunAsync(async cancel =>
    {
        var (user, password) = await accounts.CreateAsync(name ?? "", role ?? "", Me, cancel);
        Shown = (user.Name, password);
        Done = $"ユーザー「{user.Name}」（{StaffRoles.Label(role)}）を追加しました。";
    });

    public Task<IActionResult> OnPostRoleAsync(int id, string? role) => RunAsync(async cancel =>
    {
        await accounts.SetRoleAsync(id, role ?? "", cancel, Me);
        Done = $"役割を「{StaffRoles.Label(role)}」にしました。次の操作から反映されます。";
    });

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
        Users = await accounts.ListAsync(cancel);
        return Page();
    }
}

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shirabe.Admin;

/// <summary>Sign-in with name and password; wrong passwords lock the user and, per client IP, are rate limited.</summary>
public sealed class SignInModel(AdminUsers users, SignInLimiter limiter) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Password { get; set; }
    public string? Message { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        var ip = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.IsBlocked(ip))
        {
            Message = "ログインの失敗が続いたため、受け付けを一時停止しています。1 分ほど待ってからもう一度お試しください。";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        var (result, user) = await users.CheckAsync(Name, Password, HttpContext.RequestAborted);
        if (result != SignInResult.Success || user is null)
        {
            limiter.RecordFailure(ip);
            Message = result == SignInResult.Locked
                ? $"パスワードの誤りが続いたため、このユーザーは {AdminAuth.LockoutTime.TotalMinutes:0} 分間ログインできません。"
                : "ユーザー名またはパスワードが違います。";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(AdminAuth.Scheme, AdminAuth.Principal(user));
        return LocalRedirect(IsConsolePath(ReturnUrl) ? ReturnUrl! : "/admin");
    }

    /// <summary>Only back into the console, never to another site or page.</summary>
    private static bool IsConsolePath(string? url) =>
        url is { Length: > 0 } && url.StartsWith("/admin", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
        && !url.Contains('\\') && Uri.IsWellFormedUriString(url, UriKind.Relative);
}

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Shirabe.Admin;

/// <summary>Sign-in with name and password; tries are limited per client IP and slowed per (user name, client IP).</summary>
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
        if (!limiter.TryAcquire(ip))
        {
            Message = "ログインの失敗が続いたため、受け付けを一時停止しています。1 分ほど待ってからもう一度お試しください。";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        var (result, user) = await users.CheckAsync(Name, Password, ip, HttpContext.RequestAborted);
        if (result == SignInVerdict.Throttled)
        {
            // The same for every name, known or not: the wait is per name and client, the account is not locked.
            Message = "ログインの失敗が続いたため、このユーザー名ではしばらくログインできません。数分待ってからもう一度お試しください。";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (result != SignInVerdict.Success || user is null)
        {
            Message = "ユーザー名またはパスワードが違います。";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        var session = await users.StartSessionAsync(user, HttpContext.RequestAborted);
        await HttpContext.SignInAsync(AdminAuth.Scheme, AdminAuth.Principal(user, session));
        await HttpContext.AuditAsync(AuditAction.SignIn, userId: user.Id);
        return LocalRedirect(IsConsolePath(ReturnUrl) ? ReturnUrl! : "/admin");
    }

    /// <summary>Only back into the console, never to another site or page.</summary>
    private static bool IsConsolePath(string? url) =>
        url is { Length: > 0 } && url.StartsWith("/admin", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
        && !url.Contains('\\') && Uri.IsWellFormedUriString(url, UriKind.Relative);
}

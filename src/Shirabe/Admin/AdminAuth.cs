using System.Security.Claims;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Admin;

/// <summary>
/// Sign-in of the secretariat and analysts: a cookie of its own (path /admin), users and password hashes in the
/// database, checked again on every request (docs/decisions/010-admin-auth.md). Nothing here knows about invitation
/// tokens, and the respondent pages know nothing about this cookie.
/// </summary>
public static class AdminAuth
{
    public const string Scheme = "ShirabeAdmin";
    public const string Policy = "Admin";
    public const string Role = "admin";
    public const string StampClaim = "shirabe:stamp";
    public const string CookieName = "shirabe-admin";
    /// <summary>Wrong passwords in a row before the user is locked for <see cref="LockoutTime"/>.</summary>
    public const int LockoutAfter = 5;
    public static readonly TimeSpan LockoutTime = TimeSpan.FromMinutes(15);
    public const int MinPasswordLength = 12;

    public static void AddAdminAuth(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.Path = "/admin";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/admin/signin";
            o.LogoutPath = "/admin/signout";
            o.AccessDeniedPath = "/admin/signin";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateAsync;
            // Everything under /admin is opened in a browser: file downloads too go to the sign-in page, not a bare 401.
            o.Events.OnRedirectToLogin = context =>
            {
                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireRole(Role));
        services.AddSingleton<IPasswordHasher<AdminUser>, PasswordHasher<AdminUser>>();
        services.AddSingleton<SignInLimiter>();
        services.AddScoped<AdminUsers>();
    }

    /// <summary>Every request: the user must still exist with the same stamp (a deleted user or a reset password ends the session).</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = context.Principal?.FindFirstValue(StampClaim);
        var db = context.HttpContext.RequestServices.GetRequiredService<ShirabeDb>();
        var ok = int.TryParse(id, out var userId) && stamp is not null
                 && await db.AdminUsers.AnyAsync(u => u.Id == userId && u.Stamp == stamp, context.HttpContext.RequestAborted);
        if (!ok)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    public static ClaimsPrincipal Principal(AdminUser user) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, user.Name),
        new Claim(ClaimTypes.Role, Role),
        new Claim(StampClaim, user.Stamp),
    ], Scheme));

    /// <summary>A random password of 20 URL-safe characters (120 bits).</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');

    public static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}

public enum SignInResult { Success, Wrong, Locked, RateLimited }

/// <summary>Admin users: creation (CLI, demo) and sign-in checks with lockout.</summary>
public sealed class AdminUsers(ShirabeDb db, IPasswordHasher<AdminUser> hasher, TimeProvider clock)
{
    /// <summary>Creates a user, or with <paramref name="reset"/> sets a new password on an existing one.</summary>
    public async Task<AdminUser> AddAsync(string name, string password, bool reset = false, CancellationToken cancel = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100 || name.Any(char.IsControl))
            throw new Core.UserError("ユーザー名は 1～100 文字で指定してください。");
        if (password.Length < AdminAuth.MinPasswordLength)
            throw new Core.UserError($"パスワードは {AdminAuth.MinPasswordLength} 文字以上にしてください。");
        var user = await db.AdminUsers.FirstOrDefaultAsync(u => u.Name == name, cancel);
        if (user is not null && !reset)
            throw new Core.UserError($"ユーザー「{name}」はすでに登録されています（パスワードを変えるには --reset）。");
        if (user is null)
        {
            user = new AdminUser { Name = name, PasswordHash = "", Stamp = "", CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.AdminUsers.Add(user);
        }
        user.PasswordHash = hasher.HashPassword(user, password);
        user.Stamp = AdminAuth.NewStamp(); // signs out every session of the old password
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        await db.SaveChangesAsync(cancel);
        return user;
    }

    /// <summary>Checks a password. Unknown names and wrong passwords look the same (and take as long).</summary>
    public async Task<(SignInResult, AdminUser?)> CheckAsync(string? name, string? password, CancellationToken cancel)
    {
        name = name?.Trim() ?? "";
        password ??= "";
        var now = clock.GetUtcNow().UtcDateTime;
        var user = name.Length is > 0 and <= 100 ? await db.AdminUsers.FirstOrDefaultAsync(u => u.Name == name, cancel) : null;
        if (user is null)
        {
            hasher.VerifyHashedPassword(Dummy, DummyHash, password);
            return (SignInResult.Wrong, null);
        }
        if (user.LockedUntil > now) return (SignInResult.Locked, null);
        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            user.FailedSignIns++;
            if (user.FailedSignIns >= AdminAuth.LockoutAfter)
            {
                user.LockedUntil = now + AdminAuth.LockoutTime;
                user.FailedSignIns = 0;
            }
            await db.SaveChangesAsync(cancel);
            return (user.LockedUntil > now ? SignInResult.Locked : SignInResult.Wrong, null);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded) user.PasswordHash = hasher.HashPassword(user, password);
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        user.LastSignInAt = now;
        await db.SaveChangesAsync(cancel);
        return (SignInResult.Success, user);
    }

    private static readonly AdminUser Dummy = new() { Name = "", PasswordHash = "", Stamp = "" };
    private static readonly string DummyHash = new PasswordHasher<AdminUser>().HashPassword(Dummy, AdminAuth.NewPassword());
}

/// <summary>
/// Failed sign-ins per client IP: over <see cref="PerMinute"/> in a minute, every sign-in from that IP is refused
/// (429) for the rest of the minute, whichever user name is tried. Successful sign-ins cost nothing.
/// </summary>
public sealed class SignInLimiter : IDisposable
{
    public const int PerMinute = 10;
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    public bool IsBlocked(string ip) => _limiter.GetStatistics(ip) is { CurrentAvailablePermits: <= 0 };

    public void RecordFailure(string ip)
    {
        using var lease = _limiter.AttemptAcquire(ip);
    }

    public void Dispose() => _limiter.Dispose();
}

using System.Security.Claims;
using System.Security.Cryptography;
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
    /// <summary>Any signed-in staff role (管理者 or 集計担当): reading results and reports, drafting the report.</summary>
    public const string StaffPolicy = "Staff";
    /// <summary>管理者 only: everything else (docs/decisions/035-staff-roles.md).</summary>
    public const string AdminPolicy = "Admin";
    /// <summary>Any signed-in user, with or without a role in the request's series: signing out.</summary>
    public const string SignedInPolicy = "SignedIn";
    /// <summary>管理者 with a role for every series: the users page.</summary>
    public const string UsersPolicy = "Users";
    public const string StampClaim = "shirabe:stamp";
    public const string CookieName = "shirabe-admin";
    public const string SessionClaim = "shirabe:session";
    /// <summary>Wrong passwords per user name and client IP that cost nothing; after them each try waits longer.</summary>
    public const int FreeAttempts = 5;
    /// <summary>A session ends this long after sign-in even when in use (the cookie itself slides over 8 hours).</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(7);
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
            // A signed-in user without the role gets 403 and the Japanese error page, not a bounce to the sign-in page.
            o.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
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
        services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireRole(StaffRoles.Admin, StaffRoles.Analyst))
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireRole(StaffRoles.Admin))
            .AddPolicy(SignedInPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(UsersPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                .RequireRole(UsersRole));
        services.AddSingleton<IPasswordHasher<AdminUser>, PasswordHasher<AdminUser>>();
        services.AddSingleton<SignInLimiter>();
        services.AddScoped<AdminUsers>();
    }

    /// <summary>
    /// Every request: the session must still be in the database (sign-out deletes it), its user must exist, be enabled
    /// and have the same stamp (a reset password ends the session), and the user's roles are read in the same query.
    /// The roles that apply are those for every series and those for the series of the request's survey
    /// (docs/decisions/060); they replace whatever the cookie says, so a role change takes effect on the next request.
    /// The console's default survey for a user limited to some series is the newest one of them; a survey chosen with
    /// ?survey= outside them leaves the user without a role, so every console page answers 403. Only a survey the user
    /// may see is remembered in the survey cookie; a cookie naming another is dropped and the default used (decision 061).
    /// </summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = context.Principal?.FindFirstValue(StampClaim);
        var session = context.Principal?.FindFirstValue(SessionClaim);
        var services = context.HttpContext.RequestServices;
        var db = services.GetRequiredService<ShirabeDb>();
        var current = services.GetRequiredService<Surveys.CurrentSurvey>();
        var cancel = context.HttpContext.RequestAborted;
        var since = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime - SessionLifetime;
        List<Grant> grants = [];
        if (int.TryParse(id, out var userId) && stamp is not null && session is not null)
            grants = await (
                from s in db.AdminSessions
                where s.Id == session && s.UserId == userId && s.CreatedAt > since
                join u in db.AdminUsers on s.UserId equals u.Id
                where u.Stamp == stamp && u.DisabledAt == null
                join r in db.StaffRoles on u.Id equals r.UserId
                select new Grant(r.Role, r.SeriesId)).ToListAsync(cancel);
        if (grants.Count == 0)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        var everySeries = grants.Any(g => g.SeriesId is null);
        bool Sees(string series) => everySeries || grants.Any(g => g.SeriesId == series);
        if (current.Remembered && !Sees(current.SeriesId))
        {
            current.Chosen = current.Remembered = false;
            Surveys.SurveyResolver.Forget(context.HttpContext);
        }
        if (!current.Chosen && !Sees(current.SeriesId))
        {
            var mine = grants.Select(g => g.SeriesId!).ToList();
            var newest = await db.Surveys.AsNoTracking().Where(s => mine.Contains(s.SeriesId))
                .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).Select(s => s.Id).FirstOrDefaultAsync(cancel);
            if (newest is not null
                && await services.GetRequiredService<Surveys.SurveyCatalog>().GetAsync(db, newest, cancel) is { } stored)
                current.Use(stored);
        }
        var roles = grants.Where(g => g.SeriesId is null || g.SeriesId == current.SeriesId).Select(g => g.Role).Distinct().ToList();
        if (current.Remember && roles.Count > 0) Surveys.SurveyResolver.Store(context.HttpContext, current.Stored!.Record.Id);
        // Nothing to open at all (not a survey chosen outside the user's series): the 403 page says so.
        if (roles.Count == 0 && !current.Chosen) context.HttpContext.Items[NoSeriesItem] = true;
        var identity = new ClaimsIdentity(context.Principal!.Claims.Where(c => c.Type is not (ClaimTypes.Role or SeriesClaim)), Scheme);
        identity.AddClaims(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        identity.AddClaims(grants.Select(g => g.SeriesId ?? EverySeries).Distinct().Select(s => new Claim(SeriesClaim, s)));
        if (grants.Any(g => g.SeriesId is null && g.Role == StaffRoles.Admin))
            identity.AddClaim(new Claim(ClaimTypes.Role, UsersRole));
        context.ReplacePrincipal(new ClaimsPrincipal(identity));
    }

    private sealed record Grant(string Role, string? SeriesId);

    /// <summary>The series the user has a role in (<see cref="EverySeries"/> for all); the switcher lists only their surveys.</summary>
    public const string SeriesClaim = "shirabe:series";
    public const string EverySeries = "*";
    /// <summary>The pseudo-role of a 管理者 for every series: only they manage users.</summary>
    public const string UsersRole = "admin:every-series";
    /// <summary>Set on a request whose user has a role in no series of any stored survey (the 403 page explains).</summary>
    public const string NoSeriesItem = "shirabe:no-series";

    /// <summary>Whether the user may see surveys of <paramref name="seriesId"/>.</summary>
    public static bool SeesSeries(ClaimsPrincipal user, string seriesId) =>
        user.FindAll(SeriesClaim).Any(c => c.Value == EverySeries || c.Value == seriesId);

    /// <summary>The cookie carries no role: <see cref="ValidateAsync"/> adds the roles from the database on every request.</summary>
    public static ClaimsPrincipal Principal(AdminUser user, string session) => new(new ClaimsIdentity(
    [
        new Claim(SessionClaim, session),
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, user.Name),
        new Claim(StampClaim, user.Stamp),
    ], Scheme));

    /// <summary>The signed-in user's id (null when signed out).</summary>
    public static int? UserId(ClaimsPrincipal user) =>
        int.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>A random password of 20 URL-safe characters (120 bits).</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');

    public static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}

public enum SignInVerdict { Success, Wrong, Throttled }

/// <summary>Admin users: creation (CLI, demo), sign-in checks with throttling, sessions.</summary>
public sealed class AdminUsers(ShirabeDb db, IPasswordHasher<AdminUser> hasher, TimeProvider clock)
{
    /// <summary>
    /// Creates a user with <paramref name="role"/> (管理者 when not given), or with <paramref name="reset"/> sets a new
    /// password on an existing one (and its role, when given). Used by the CLI, the demo and the users page.
    /// </summary>
    public async Task<AdminUser> AddAsync(string name, string password, bool reset = false, CancellationToken cancel = default,
        string? role = null, string? series = null)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100 || name.Any(char.IsControl))
            throw new Core.UserError("ユーザー名は 1～100 文字で指定してください。");
        if (password.Length < AdminAuth.MinPasswordLength)
            throw new Core.UserError($"パスワードは {AdminAuth.MinPasswordLength} 文字以上にしてください。");
        if (role is not null && !StaffRoles.IsKnown(role))
            throw new Core.UserError("役割は admin（管理者）か analyst（集計担当）で指定してください。");
        if (series is not null && role is null) throw new Core.UserError("シリーズを指定するときは役割も指定してください。");
        series = await StaffRoles.CheckSeriesAsync(db, series, cancel);
        var user = await db.AdminUsers.FirstOrDefaultAsync(u => u.Name == name, cancel);
        if (user is not null && !reset)
            throw new Core.UserError($"ユーザー「{name}」はすでに登録されています（パスワードを変えるには --reset）。");
        // A role change first: when it is refused (the last 管理者), the password stays as it was too.
        if (user is not null && role is not null) await new StaffAccounts(db, hasher, clock).SetRoleAsync(user.Id, role, cancel, series: series);
        var created = user is null;
        user ??= db.AdminUsers.Add(new AdminUser { Name = name, PasswordHash = "", Stamp = "", CreatedAt = clock.GetUtcNow().UtcDateTime }).Entity;
        user.PasswordHash = hasher.HashPassword(user, password);
        user.Stamp = AdminAuth.NewStamp(); // signs out every session of the old password
        // A new user and its role in one transaction: never an account half made.
        await using var tx = created && db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancel) : null;
        await db.SaveChangesAsync(cancel);
        if (created)
        {
            db.StaffRoles.Add(new StaffRole { UserId = user.Id, Role = role ?? StaffRoles.Admin, SeriesId = series });
            await db.SaveChangesAsync(cancel);
        }
        if (tx is not null) await tx.CommitAsync(cancel);
        return user;
    }

    /// <summary>
    /// Checks a password from <paramref name="ip"/>. The try is first counted atomically against (name, IP): when the
    /// free tries are used up and the wait has not passed, it is refused without any password work. Otherwise exactly
    /// one hash check is made, for an unknown name against a dummy hash, so unknown and known names look and cost the same.
    /// </summary>
    public async Task<(SignInVerdict, AdminUser?)> CheckAsync(string? name, string? password, string ip, CancellationToken cancel)
    {
        name = name?.Trim() ?? "";
        password ??= "";
        var now = clock.GetUtcNow();
        var key = ThrottleKey(name, ip);
        if (!await ClaimAttemptAsync(key, now.ToUnixTimeMilliseconds(), cancel)) return (SignInVerdict.Throttled, null);
        var user = name.Length is > 0 and <= 100 ? await db.AdminUsers.FirstOrDefaultAsync(u => u.Name == name, cancel) : null;
        if (user is null)
        {
            hasher.VerifyHashedPassword(Dummy, DummyHash, password);
            return (SignInVerdict.Wrong, null);
        }
        var verdict = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        // A disabled account answers like a wrong password: the same message, after the same work.
        if (verdict == PasswordVerificationResult.Failed || user.DisabledAt is not null) return (SignInVerdict.Wrong, null);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded) user.PasswordHash = hasher.HashPassword(user, password);
        user.LastSignInAt = now.UtcDateTime;
        await db.SaveChangesAsync(cancel);
        await db.SignInThrottles.Where(t => t.Key == key).ExecuteDeleteAsync(cancel);
        return (SignInVerdict.Success, user);
    }

    /// <summary>
    /// Counts one try in a single conditional UPDATE, so concurrent tries cannot all read "not yet blocked": the row
    /// lock (PostgreSQL) or the write lock (SQLite) lets each through one at a time, and the one that uses the last free
    /// try or the end of a wait sets the next wait at once. Waits after the free tries: 1, 2, 4, 8, then 15 minutes.
    /// Counting before the check (a success deletes the row) is what makes it atomic.
    /// </summary>
    private async Task<bool> ClaimAttemptAsync(string key, long nowMs, CancellationToken cancel)
    {
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO \"SignInThrottles\" (\"Key\", \"Failures\", \"BlockedUntil\", \"UpdatedAt\") VALUES ({key}, 0, 0, {nowMs}) ON CONFLICT (\"Key\") DO NOTHING",
            cancel);
        const int free = AdminAuth.FreeAttempts;
        const long minute = 60_000;
        var claimed = await db.SignInThrottles
            .Where(t => t.Key == key && (t.Failures < free || t.BlockedUntil <= nowMs))
            .ExecuteUpdateAsync(u => u
                .SetProperty(t => t.Failures, t => t.Failures + 1)
                .SetProperty(t => t.UpdatedAt, nowMs)
                // SET expressions read the row as it was: Failures + 1 is this try's number.
                .SetProperty(t => t.BlockedUntil, t => t.Failures + 1 < free ? 0L
                    : t.Failures + 1 - free == 0 ? nowMs + minute
                    : t.Failures + 1 - free == 1 ? nowMs + 2 * minute
                    : t.Failures + 1 - free == 2 ? nowMs + 4 * minute
                    : t.Failures + 1 - free == 3 ? nowMs + 8 * minute
                    : nowMs + 15 * minute), cancel);
        // Rows nobody has touched for a day are forgotten (the free tries come back).
        var stale = nowMs - 24 * 60 * minute;
        await db.SignInThrottles.Where(t => t.UpdatedAt < stale).ExecuteDeleteAsync(cancel);
        return claimed == 1;
    }

    private static string ThrottleKey(string name, string ip) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name + "\n" + ip)));

    /// <summary>Starts a session for a signed-in user; its id goes into the cookie.</summary>
    public async Task<string> StartSessionAsync(AdminUser user, CancellationToken cancel)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        db.AdminSessions.Add(new AdminSession { Id = id, UserId = user.Id, CreatedAt = now });
        await db.SaveChangesAsync(cancel);
        var expired = now - AdminAuth.SessionLifetime;
        await db.AdminSessions.Where(s => s.CreatedAt < expired).ExecuteDeleteAsync(cancel);
        return id;
    }

    /// <summary>Ends a session on the server: its cookie, wherever it was copied, no longer opens the console.</summary>
    public Task EndSessionAsync(string? session, CancellationToken cancel) =>
        session is null ? Task.CompletedTask : db.AdminSessions.Where(s => s.Id == session).ExecuteDeleteAsync(cancel);

    private static readonly AdminUser Dummy = new() { Name = "", PasswordHash = "", Stamp = "" };
    private static readonly string DummyHash = new PasswordHasher<AdminUser>().HashPassword(Dummy, AdminAuth.NewPassword());
}

/// <summary>
/// Sign-in tries per client IP (in this process): over <see cref="PerMinute"/> in a minute, every sign-in from that IP
/// is refused (429) for the rest of the minute, whichever user name is tried. A try takes its permit before the
/// password is checked, so concurrent tries cannot overrun the limit.
/// </summary>
public sealed class SignInLimiter() : PerMinuteLimiter<string>(PerMinute)
{
    public const int PerMinute = 10;
}

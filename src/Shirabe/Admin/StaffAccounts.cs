using System.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Admin;

/// <summary>The two console roles (docs/decisions/035-staff-roles.md) and their Japanese names.</summary>
public static class StaffRoles
{
    /// <summary>管理者: everything, including users and the audit log.</summary>
    public const string Admin = "admin";
    /// <summary>集計担当: reads results, answers and reports, drafts narratives and curates quoted answers; changes nothing else.</summary>
    public const string Analyst = "analyst";

    public static readonly string[] All = [Admin, Analyst];

    public static bool IsKnown(string? role) => role is Admin or Analyst;

    public static string Label(string? role) => role switch { Admin => "管理者", Analyst => "集計担当", _ => "（なし）" };

    /// <summary>Where a role applies: every series (null) or one (docs/decisions/060).</summary>
    public static string ScopeLabel(string? seriesId) => seriesId is null ? "すべてのシリーズ" : $"シリーズ {seriesId}";

    /// <summary>A series given for a role must be one of a stored survey, so a typo cannot grant nothing unnoticed.</summary>
    public static async Task<string?> CheckSeriesAsync(ShirabeDb db, string? seriesId, CancellationToken cancel)
    {
        seriesId = string.IsNullOrWhiteSpace(seriesId) ? null : seriesId.Trim();
        if (seriesId is not null && !await db.Surveys.AnyAsync(s => s.SeriesId == seriesId, cancel))
            throw new Core.UserError($"シリーズ「{seriesId}」の調査は登録されていません。登録済みの調査のシリーズを指定してください。");
        return seriesId;
    }
}

/// <summary>One row of the users page.</summary>
public sealed record StaffAccount(int Id, string Name, string? Role, string? SeriesId, DateTime CreatedAt, DateTime? LastSignInAt,
    DateTime? DisabledAt);

/// <summary>
/// Managing console users (the users page and the CLI): roles, password resets, disabling. Every change is audited and
/// none may leave the console without an enabled 管理者 for every series: the check and the change run in one serializable transaction,
/// so two 管理者 demoting each other at once cannot both succeed.
/// </summary>
public sealed class StaffAccounts(ShirabeDb db, IPasswordHasher<AdminUser> hasher, TimeProvider clock)
{
    public Task<List<StaffAccount>> ListAsync(CancellationToken cancel) =>
        db.AdminUsers.AsNoTracking().OrderBy(u => u.Name)
            .Select(u => new StaffAccount(u.Id, u.Name,
                db.StaffRoles.Where(r => r.UserId == u.Id).OrderBy(r => r.SeriesId != null).Select(r => r.Role).FirstOrDefault(),
                db.StaffRoles.Where(r => r.UserId == u.Id).OrderBy(r => r.SeriesId != null).Select(r => r.SeriesId).FirstOrDefault(),
                u.CreatedAt, u.LastSignInAt, u.DisabledAt))
            .ToListAsync(cancel);

    /// <summary>Creates a user with a generated password, returned to be shown once.</summary>
    public async Task<(AdminUser User, string Password)> CreateAsync(string name, string role, int? by, CancellationToken cancel,
        string? series = null)
    {
        if (!StaffRoles.IsKnown(role)) throw new Core.UserError("役割を選んでください。");
        series = await StaffRoles.CheckSeriesAsync(db, series, cancel);
        var password = AdminAuth.NewPassword();
        var user = await new AdminUsers(db, hasher, clock).AddAsync(name, password, cancel: cancel, role: role, series: series);
        await new AuditLog(db, clock).WriteAsync(by, AuditAction.UserAdded, AuditLog.User(user.Id), new { role, series }, cancel);
        return (user, password);
    }

    /// <summary>Sets the user's one role, for every series (<paramref name="series"/> null) or for one series.</summary>
    public async Task SetRoleAsync(int userId, string role, CancellationToken cancel, int? by = null, string? series = null)
    {
        if (!StaffRoles.IsKnown(role)) throw new Core.UserError("役割は admin（管理者）か analyst（集計担当）で指定してください。");
        series = await StaffRoles.CheckSeriesAsync(db, series, cancel);
        await GuardedAsync(userId, keepsAdmin: role == StaffRoles.Admin && series is null, async (user, _) =>
        {
            var rows = await db.StaffRoles.Where(r => r.UserId == userId).ToListAsync(cancel);
            if (rows is [var only] && only.Role == role && only.SeriesId == series) return false;
            var before = rows.OrderBy(r => r.SeriesId is not null).FirstOrDefault();
            db.StaffRoles.RemoveRange(rows);
            db.StaffRoles.Add(new StaffRole { UserId = userId, Role = role, SeriesId = series });
            await db.SaveChangesAsync(cancel);
            await new AuditLog(db, clock).WriteAsync(by, AuditAction.UserRoleChanged, AuditLog.User(userId),
                before?.SeriesId is null && series is null
                    ? new { field = "role", before = before?.Role, after = role }
                    : new { field = "role", before = before?.Role, after = role, beforeSeries = before?.SeriesId, afterSeries = series }, cancel);
            return true;
        }, cancel);
    }

    /// <summary>A new generated password; the user's open sessions end (new stamp).</summary>
    public async Task<string> ResetPasswordAsync(int userId, int? by, CancellationToken cancel)
    {
        var user = await db.AdminUsers.FirstOrDefaultAsync(u => u.Id == userId, cancel)
                   ?? throw new Core.UserError("ユーザーが見つかりません。");
        var password = AdminAuth.NewPassword();
        await new AdminUsers(db, hasher, clock).AddAsync(user.Name, password, reset: true, cancel: cancel);
        await new AuditLog(db, clock).WriteAsync(by, AuditAction.UserPasswordReset, AuditLog.User(userId), new { field = "password" }, cancel);
        return password;
    }

    /// <summary>Disables (or enables again) an account; disabling ends its sessions at once.</summary>
    public Task SetDisabledAsync(int userId, bool disabled, int? by, CancellationToken cancel) =>
        GuardedAsync(userId, keepsAdmin: !disabled, async (user, _) =>
        {
            if ((user.DisabledAt is not null) == disabled) return false;
            user.DisabledAt = disabled ? clock.GetUtcNow().UtcDateTime : null;
            user.Stamp = AdminAuth.NewStamp();
            await db.SaveChangesAsync(cancel);
            if (disabled) await db.AdminSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancel);
            await new AuditLog(db, clock).WriteAsync(by, disabled ? AuditAction.UserDisabled : AuditAction.UserEnabled,
                AuditLog.User(userId), new { field = "disabled", before = !disabled, after = disabled }, cancel);
            return true;
        }, cancel);

    /// <summary>
    /// Runs <paramref name="change"/> on the user in a serializable transaction; when the user is an enabled 管理者 for every
    /// series and the
    /// change does not keep them one (<paramref name="keepsAdmin"/> false), another enabled 管理者 must exist.
    /// </summary>
    private async Task GuardedAsync(int userId, bool keepsAdmin, Func<AdminUser, string?, Task<bool>> change, CancellationToken cancel)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            await strategy.ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancel);
                var user = await db.AdminUsers.FirstOrDefaultAsync(u => u.Id == userId, cancel)
                           ?? throw new Core.UserError("ユーザーが見つかりません。");
                var role = await db.StaffRoles.Where(r => r.UserId == userId && r.SeriesId == null).Select(r => r.Role).FirstOrDefaultAsync(cancel);
                if (!keepsAdmin && role == StaffRoles.Admin && user.DisabledAt is null)
                {
                    var others = await db.StaffRoles.CountAsync(r => r.Role == StaffRoles.Admin && r.SeriesId == null && r.UserId != userId
                        && db.AdminUsers.Any(u => u.Id == r.UserId && u.DisabledAt == null), cancel);
                    if (others == 0)
                        throw new Core.UserError("最後の管理者は、役割の変更も無効化もできません（先に別のユーザーを管理者にしてください）。");
                }
                if (await change(user, role)) await tx.CommitAsync(cancel);
            });
        }
        catch (Exception e) when (e.GetBaseException() is Npgsql.PostgresException { SqlState: "40001" })
        {
            throw new Core.UserError("ほかの変更と重なりました。もう一度お試しください。");
        }
    }
}

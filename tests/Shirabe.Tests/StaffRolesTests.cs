using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Shirabe.Admin;
using Shirabe.Core;
using Shirabe.Data;

namespace Shirabe.Tests;

/// <summary>Issue 11, item 6: 管理者 and 集計担当, the users page, last-admin protection, roles read per request.</summary>
public partial class StaffRolesTests
{
    /// <summary>
    /// An analyst with a valid form token of its own posts every change a 管理者 can make: each is refused with 403 and
    /// the console's Japanese page, and nothing changed. What an analyst may do (draft a narrative) still works, and
    /// the console shows it no button it cannot use.
    /// </summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnAnalyst_IsRefusedEveryAdminChange_AndSeesNoButtonForIt(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        await app.InviteAsync("T01");
        await app.AddAdminAsync();
        var analyst = await app.SignedInAsAsync("shukei", StaffRoles.Analyst);
        int association, invitations, users;
        await using (var db = app.Db())
        {
            association = await db.Organisations.Where(a => a.Code == "T01").Select(a => a.Id).SingleAsync();
            (invitations, users) = (await db.Invitations.CountAsync(), await db.AdminUsers.CountAsync());
        }
        var token = await TestApp.CsrfTokenAsync(analyst, "/admin");
        var changes = new (string Path, (string, string)[] Fields)[]
        {
            ($"/admin/invitees/{association}/reissue", []),
            ("/admin/users?handler=add", [("name", "intruder"), ("role", StaffRoles.Admin)]),
            ("/admin/users?handler=role", [("id", "2"), ("role", StaffRoles.Admin)]),
            ("/admin/users?handler=reset", [("id", "1")]),
            ("/admin/users?handler=disable", [("id", "1")]),
        };
        foreach (var (path, fields) in changes)
        {
            var form = fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)).Append(new("__RequestVerificationToken", token));
            var response = await analyst.PostAsync(path, new FormUrlEncodedContent(form));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {(int)response.StatusCode}");
            Assert.Contains(AuthorizationMatrixTests.Refused, await response.Content.ReadAsStringAsync());
        }
        foreach (var path in new[] { "/admin/roster.csv", "/admin/roster.xlsx", "/admin/users", "/admin/audit", "/admin/audit.csv", $"/admin/invitees/{association}/reissue" })
            Assert.True((await analyst.GetAsync(path)).StatusCode == HttpStatusCode.Forbidden, path);
        await using (var db = app.Db())
        {
            Assert.Equal(invitations, await db.Invitations.CountAsync());
            Assert.Equal(users, await db.AdminUsers.CountAsync());
            Assert.Null(await db.AdminUsers.Where(u => u.DisabledAt != null).FirstOrDefaultAsync());
            Assert.Equal([StaffRoles.Admin, StaffRoles.Analyst], await db.StaffRoles.OrderBy(r => r.UserId).Select(r => r.Role).ToListAsync());
        }

        // Permitted: reading and drafting the report.
        const string narrative = "/admin/report/narrative/1-3";
        var page = await analyst.GetStringAsync(narrative);
        var fingerprint = Regex.Match(page, "name=\"fingerprint\" value=\"([0-9a-f]{16})\"").Groups[1].Value;
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(analyst, narrative, narrative + "?handler=save",
            ("text", "集計担当が下書きした所見。"), ("fingerprint", fingerprint))).StatusCode);

        // No button it cannot use; a 管理者 sees them.
        var list = await analyst.GetStringAsync("/admin");
        Assert.DoesNotContain("/reissue", list);
        Assert.DoesNotContain("/admin/roster.csv", list);
        Assert.DoesNotContain("/admin/users", list);
        Assert.DoesNotContain("/admin/audit", list);
        Assert.Contains("shukei（集計担当）", list);
        Assert.DoesNotContain("/reissue", await analyst.GetStringAsync($"/admin/invitees/{association}"));
        var admin = app.Client();
        await AdminTestKit.PostSignInAsync(admin, AdminTestKit.Name, AdminTestKit.Password);
        var adminList = await admin.GetStringAsync("/admin");
        Assert.Contains("/reissue", adminList);
        Assert.Contains("/admin/roster.csv", adminList);
        Assert.Contains("href=\"/admin/users\"", adminList);
        Assert.Contains("href=\"/admin/audit\"", adminList);
    }

    /// <summary>
    /// The users page: add with a generated password shown once, change the role (effective on the other user's next
    /// request, with the same cookie), reset the password (the old one and its sessions stop working), disable.
    /// </summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheUsersPage_AddsChangesResetsAndDisables_EffectiveOnTheNextRequest(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = await app.SignedInClientAsync();
        var added = await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=add", ("name", "tanaka"), ("role", StaffRoles.Analyst));
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var html = await added.Content.ReadAsStringAsync();
        var password = AdminTestKit.ById(html, "new-password");
        Assert.Equal(20, password.Length);
        Assert.DoesNotContain(password, await admin.GetStringAsync("/admin/users")); // shown once
        int id;
        await using (var db = app.Db())
        {
            var user = await db.AdminUsers.SingleAsync(u => u.Name == "tanaka");
            Assert.DoesNotContain(password, user.PasswordHash);
            id = user.Id;
            Assert.Equal(StaffRoles.Analyst, await db.StaffRoles.Where(r => r.UserId == id).Select(r => r.Role).SingleAsync());
        }
        var tanaka = app.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostSignInAsync(tanaka, "tanaka", password)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tanaka.GetAsync("/admin/users")).StatusCode);

        // Promoted: the same cookie opens the users page on the next request; demoted: refused again.
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=role", ("id", id.ToString()), ("role", StaffRoles.Admin));
        Assert.Equal(HttpStatusCode.OK, (await tanaka.GetAsync("/admin/users")).StatusCode);
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=role", ("id", id.ToString()), ("role", StaffRoles.Analyst));
        Assert.Equal(HttpStatusCode.Forbidden, (await tanaka.GetAsync("/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tanaka.GetAsync("/admin/results")).StatusCode);

        // Reset: a new password shown once; the old one and the open session stop working.
        var reset = await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=reset", ("id", id.ToString()));
        var newPassword = AdminTestKit.ById(await reset.Content.ReadAsStringAsync(), "new-password");
        Assert.NotEqual(password, newPassword);
        Assert.Equal(HttpStatusCode.Redirect, (await tanaka.GetAsync("/admin/results")).StatusCode); // to the sign-in page
        Assert.Equal(HttpStatusCode.Unauthorized, (await AdminTestKit.PostSignInAsync(app.Client(), "tanaka", password)).StatusCode);
        tanaka = app.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostSignInAsync(tanaka, "tanaka", newPassword)).StatusCode);

        // Disabled: the open session ends at once and the right password no longer signs in; enabled again, it does.
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=disable", ("id", id.ToString()));
        Assert.Equal(HttpStatusCode.Redirect, (await tanaka.GetAsync("/admin/results")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AdminTestKit.PostSignInAsync(app.Client(), "tanaka", newPassword)).StatusCode);
        Assert.Contains("無効", await admin.GetStringAsync("/admin/users"));
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=enable", ("id", id.ToString()));
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostSignInAsync(app.Client(), "tanaka", newPassword)).StatusCode);

        // A taken name is refused on the page.
        var taken = await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=add", ("name", "tanaka"), ("role", StaffRoles.Admin));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains("すでに登録されています", await taken.Content.ReadAsStringAsync());
    }

    /// <summary>The last enabled 管理者 can be neither demoted nor disabled (by itself, on the page); with a second one it can.</summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheLastAdmin_CannotBeDemotedOrDisabled(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = await app.SignedInClientAsync();
        int me;
        await using (var db = app.Db()) me = await db.AdminUsers.Select(u => u.Id).SingleAsync();
        foreach (var (handler, extra) in new[] { ("role", ("role", StaffRoles.Analyst)), ("disable", ("x", "")) })
        {
            var refused = await AdminTestKit.PostFormAsync(admin, "/admin/users", $"/admin/users?handler={handler}", ("id", me.ToString()), extra);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("最後の管理者", await refused.Content.ReadAsStringAsync());
        }
        // A disabled 管理者 does not count as the other one.
        var other = await app.AddUserAsync("suzuki", StaffRoles.Admin);
        await using (var db = app.Db())
            await new StaffAccounts(db, new PasswordHasher<AdminUser>(), app.Clock).SetDisabledAsync(other, true, me, default);
        Assert.Equal(HttpStatusCode.Conflict, (await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=role",
            ("id", me.ToString()), ("role", StaffRoles.Analyst))).StatusCode);
        await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=enable", ("id", other.ToString()));
        Assert.Equal(HttpStatusCode.OK, (await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=role",
            ("id", me.ToString()), ("role", StaffRoles.Analyst))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/admin/users")).StatusCode); // demoted itself: next request
        await using (var db = app.Db())
            Assert.Equal([other], await db.StaffRoles.Where(r => r.Role == StaffRoles.Admin).Select(r => r.UserId).ToListAsync());
    }

    /// <summary>Two 管理者 demoting each other at the same moment: exactly one succeeds, one 管理者 is left.</summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TwoAdminsDemotingEachOtherAtOnce_LeaveOneAdmin(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        for (var round = 0; round < 5; round++)
        {
            var a = await app.AddUserAsync($"a{round}", StaffRoles.Admin);
            var b = await app.AddUserAsync($"b{round}", StaffRoles.Admin);
            await using (var db = app.Db()) // only these two are 管理者 in this round
                await db.StaffRoles.Where(r => r.UserId != a && r.UserId != b).ExecuteUpdateAsync(s => s.SetProperty(r => r.Role, StaffRoles.Analyst));
            async Task<bool> Demote(int id, int by)
            {
                await using var db = app.Db();
                try
                {
                    await new StaffAccounts(db, new PasswordHasher<AdminUser>(), app.Clock).SetRoleAsync(id, StaffRoles.Analyst, default, by);
                    return true;
                }
                catch (UserError)
                {
                    return false;
                }
            }
            var results = await Task.WhenAll(Task.Run(() => Demote(a, b)), Task.Run(() => Demote(b, a)));
            Assert.Equal(1, results.Count(ok => ok));
            await using (var db = app.Db())
                Assert.Equal(1, await db.StaffRoles.CountAsync(r => r.Role == StaffRoles.Admin));
        }
    }

    /// <summary>The migration makes every account that existed before roles a 管理者 (for every series).</summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheMigration_MakesExistingAccountsAdmins(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, migrate: false);
        await using var db = app.Db();
        var migrations = db.Database.GetMigrations().ToList();
        var ours = migrations.FindIndex(m => m.EndsWith("_StaffRolesAndAudit", StringComparison.Ordinal));
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(migrations[ours - 1]);
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"AdminUsers\" (\"Name\", \"PasswordHash\", \"Stamp\", \"CreatedAt\") VALUES ('old', 'x', 'y', '2023-10-01 00:00:00')");
        await migrator.MigrateAsync();
        var role = await db.StaffRoles.SingleAsync();
        Assert.Equal((StaffRoles.Admin, (string?)null), (role.Role, role.SeriesId));
        Assert.Equal(await db.AdminUsers.Select(u => u.Id).SingleAsync(), role.UserId);
    }
}

using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shirabe.Admin;
using Shirabe.Cli;
using Shirabe.Data;
using Shirabe.Surveys;

namespace Shirabe.Tests;

/// <summary>Staff roles per series (docs/decisions/060): sc3-2023 (series sc3-2023) and the member survey (its own series).</summary>
public class SeriesRolesTests
{
    private static readonly string MemberDir = Path.Combine(AppContext.BaseDirectory, "test-surveys", "member-self-assessment");
    private const string MemberId = "member-self-assessment";
    private const string Sc3 = "sc3-2023";
    private const string Sc3Title = "業界セキュリティガイドラインに関するアンケート";

    /// <summary>Two surveys in two series, one invitee each; returns the organisation ids (sc3, member).</summary>
    private static async Task<(int Sc3Org, int MemberOrg)> TwoSeriesAsync(TestApp app)
    {
        await app.ImportReconstructedAsync();
        await app.InviteAsync("Z99", "一般社団法人SC3団体");
        await app.Services.GetRequiredService<SurveyCatalog>().AddAsync(File.ReadAllText(Path.Combine(MemberDir, "survey.yaml")), null);
        await using var db = app.Db();
        await TestApp.InviteAsync(db, MemberId, "M01", "会員企業一号");
        return (await db.Organisations.Where(o => o.Code == "Z99" && o.SeriesId == Sc3).Select(o => o.Id).SingleAsync(),
            await db.Organisations.Where(o => o.Code == "M01").Select(o => o.Id).SingleAsync());
    }

    private static async Task<HttpClient> SignedInForSeriesAsync(TestApp app, string name, string role, string series)
    {
        await using (var db = app.Db())
            await new AdminUsers(db, new PasswordHasher<AdminUser>(), app.Clock).AddAsync(name, AdminTestKit.Password, role: role, series: series);
        var client = app.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostSignInAsync(client, name, AdminTestKit.Password)).StatusCode);
        return client;
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnAnalystOfOneSeries_SeesOnlyItsSurveys_AndGets403OnAnother(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await TwoSeriesAsync(app);
        var analyst = await SignedInForSeriesAsync(app, "shukei", StaffRoles.Analyst, Sc3);

        // The default is the newest survey the user may see (the member survey is newer, but not theirs).
        var home = await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync("/admin"));
        Assert.Contains("一般社団法人SC3団体", home);
        Assert.DoesNotContain("会員企業一号", home);
        Assert.Contains($"<option value=\"{Sc3}\"", home);
        Assert.DoesNotContain(MemberId, home);
        var results = await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync("/admin/results"));
        Assert.Contains(Sc3Title, results);

        // Naming the other series' survey: the console's 403 page, none of its data (docs/decisions/060).
        foreach (var path in new[] { $"/admin?survey={MemberId}", $"/admin/results?survey={MemberId}" })
        {
            var refused = await analyst.GetAsync(path);
            Assert.DoesNotContain(refused.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith(SurveyResolver.Cookie + "="));
            var text = await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, refused);
            Assert.Contains(AuthorizationMatrixTests.Refused, text);
            Assert.DoesNotContain("会員企業一号", text);
        }
        // …but it is not remembered (decision 061): the next pages are the user's own survey again.
        Assert.Contains("一般社団法人SC3団体", await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync("/admin")));
        Assert.Contains(Sc3Title, await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync("/admin/results")));
        // Its own survey chosen with ?survey= is remembered.
        var own = await analyst.GetAsync($"/admin?survey={Sc3}");
        Assert.Contains($"{SurveyResolver.Cookie}={Sc3}", string.Join("\n", own.Headers.GetValues("Set-Cookie")));
        Assert.Contains("一般社団法人SC3団体", await HttpAssert.StatusAsync(HttpStatusCode.OK, own));

        // A cookie naming the other series' survey (set before, or by another user of the browser): ignored and deleted,
        // the user's own survey shown.
        var other = await SignedInForSeriesAsync(app, "shukei2", StaffRoles.Analyst, Sc3);
        other.DefaultRequestHeaders.Add("Cookie", $"{SurveyResolver.Cookie}={MemberId}");
        var fallback = await other.GetAsync("/admin/results");
        Assert.Contains(fallback.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SurveyResolver.Cookie + "=;") && c.Contains("expires=Thu, 01 Jan 1970"));
        var shown = await HttpAssert.StatusAsync(HttpStatusCode.OK, fallback);
        Assert.Contains(Sc3Title, shown);
        Assert.DoesNotContain("会員企業セキュリティ自己点検", shown);

        // A 管理者 for every series sees both in the switcher.
        var admin = await app.SignedInClientAsync();
        var all = await admin.GetStringAsync("/admin");
        Assert.Contains($"<option value=\"{Sc3}\"", all);
        Assert.Contains($"<option value=\"{MemberId}\"", all);

        // A role only in a series no stored survey belongs to: a page saying so.
        await using (var db = app.Db())
        {
            var id = await db.AdminUsers.Where(u => u.Name == "shukei2").Select(u => u.Id).SingleAsync();
            await db.StaffRoles.Where(r => r.UserId == id).ExecuteUpdateAsync(u => u.SetProperty(r => r.SeriesId, "gone-series"));
        }
        other.DefaultRequestHeaders.Remove("Cookie");
        var none = await HttpAssert.StatusAsync(HttpStatusCode.Forbidden, await other.GetAsync("/admin"));
        Assert.Contains("開ける調査がありません", none);
        Assert.DoesNotContain("一般社団法人SC3団体", none);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnAdminOfOneSeries_ReissuesInItOnly_AndCannotManageUsers(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var (sc3Org, memberOrg) = await TwoSeriesAsync(app);
        await app.AddAdminAsync();
        var admin = await SignedInForSeriesAsync(app, "kaiin", StaffRoles.Admin, MemberId);

        var home = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync("/admin"));
        Assert.Contains("会員企業一号", home);
        Assert.Contains("/reissue", home);
        Assert.DoesNotContain("/admin/users", home);
        var reissued = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{memberOrg}/reissue", $"/admin/invitees/{memberOrg}/reissue");
        Assert.Contains("/a/", AdminTestKit.ById(await HttpAssert.StatusAsync(HttpStatusCode.OK, reissued), "new-link"));

        int links;
        await using (var db = app.Db()) links = await db.AccessLinks.CountAsync();
        var token = await TestApp.CsrfTokenAsync(admin, "/admin");
        var refused = await admin.PostAsync($"/admin/invitees/{sc3Org}/reissue?survey={Sc3}",
            new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await using (var db = app.Db()) Assert.Equal(links, await db.AccessLinks.CountAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"/admin/users?survey={MemberId}")).StatusCode);
        // The survey pages: only its own series is listed or opened; uploading (a new series, maybe) is not for it.
        var list = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync($"/admin/surveys?survey={MemberId}"));
        Assert.Contains($"/admin/surveys/{MemberId}", list);
        Assert.DoesNotContain($"/admin/surveys/{Sc3}", list);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/admin/surveys/{MemberId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"/admin/surveys/{Sc3}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync($"/admin/surveys/{Sc3}/next")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/admin/surveys/upload")).StatusCode);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheAdminForEverySeries_AssignsRolesPerSeries_AndStaysTheLastOne(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await TwoSeriesAsync(app);
        var admin = await app.SignedInClientAsync();
        var page = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync("/admin/users"));
        Assert.Contains($"<option value=\"{MemberId}\">シリーズ {MemberId}</option>", page);

        var added = await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=add",
            ("name", "kaiin"), ("role", StaffRoles.Analyst), ("series", MemberId));
        Assert.Contains($"シリーズ {MemberId}", await HttpAssert.StatusAsync(HttpStatusCode.OK, added));
        int id, me;
        await using (var db = app.Db())
        {
            id = await db.AdminUsers.Where(u => u.Name == "kaiin").Select(u => u.Id).SingleAsync();
            me = await db.AdminUsers.Where(u => u.Name == AdminTestKit.Name).Select(u => u.Id).SingleAsync();
            Assert.Equal($"{StaffRoles.Analyst}:{MemberId}", await db.StaffRoles.Where(r => r.UserId == id).Select(r => r.Role + ":" + r.SeriesId).SingleAsync());
        }
        var unknown = await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=role",
            ("id", id.ToString()), ("role", StaffRoles.Admin), ("series", "no-such-series"));
        Assert.Contains("シリーズ「no-such-series」の調査は登録されていません", await HttpAssert.StatusAsync(HttpStatusCode.Conflict, unknown));
        Assert.Equal(HttpStatusCode.OK, (await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=role",
            ("id", id.ToString()), ("role", StaffRoles.Admin), ("series", Sc3))).StatusCode);
        // The only 管理者 for every series cannot limit itself to one series.
        var last = await AdminTestKit.PostFormAsync(admin, "/admin/users", "/admin/users?handler=role",
            ("id", me.ToString()), ("role", StaffRoles.Admin), ("series", Sc3));
        Assert.Contains("最後の管理者", await HttpAssert.StatusAsync(HttpStatusCode.Conflict, last));
        await using (var db = app.Db())
        {
            Assert.Equal($"{StaffRoles.Admin}:{Sc3}", await db.StaffRoles.Where(r => r.UserId == id).Select(r => r.Role + ":" + r.SeriesId).SingleAsync());
            Assert.Null(await db.StaffRoles.Where(r => r.UserId == me).Select(r => r.SeriesId).SingleAsync());
            Assert.Equal(["user.add", "user.role"], await db.AuditEntries.Where(e => e.Target == AuditLog.User(id)).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        }
    }

    [Fact]
    public async Task AddUser_WithSeries_StoresTheScope_AndRefusesAnUnknownSeries()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        var db = Path.Combine(dir, "admin.db");
        try
        {
            var database = new Database(db, dir);
            await database.MigrateAsync(CancellationToken.None);
            await new SurveyCatalog(database, TimeProvider.System).AddAsync(File.ReadAllText(Path.Combine(MemberDir, "survey.yaml")), null);
            var error = new StringWriter();
            Assert.Equal(2, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "ito", "--role", "analyst", "--series", "nothing", "--generate", "--db", db], TextWriter.Null, error));
            Assert.Contains("シリーズ「nothing」の調査は登録されていません", error.ToString());
            var output = new StringWriter();
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "ito", "--role", "analyst", "--series", MemberId, "--generate", "--db", db], output, TextWriter.Null));
            Assert.Contains($"「ito」（集計担当・シリーズ {MemberId}）を登録しました", output.ToString());
            await using var ctx = database.CreateContext();
            Assert.Equal([$"analyst:{MemberId}"], await ctx.StaffRoles.Select(r => r.Role + ":" + r.SeriesId).ToListAsync());
            Assert.Equal(["user.add"], await ctx.AuditEntries.Select(e => e.Action).ToListAsync());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}

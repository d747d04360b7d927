using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Tests;

/// <summary>Who gets into the console: sign-in, lockout, rate limit, sign-out, CSRF, and the wall between tokens and admins.</summary>
public class AdminAuthTests
{
    /// <summary>Every console route (pages and endpoints), with route values filled in.</summary>
    public static readonly string[] AdminRoutes =
    [
        "/admin", "/admin/", "/admin/results", "/admin/results?f=1-6%3D5", "/admin/report",
        "/admin/results/figures/1-3.png", "/admin/report/narrative/1-3", "/admin/report/answers/2-2", "/admin/signout",
        $"/admin/report/jobs/{Guid.NewGuid()}", $"/admin/report/jobs/{Guid.NewGuid()}/file",
    ];

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Anonymous_OnEveryAdminRoute_IsRedirectedToSignIn(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var client = app.Client();
        foreach (var path in AdminRoutes)
        {
            var get = await client.GetAsync(path);
            Assert.True(get.StatusCode == HttpStatusCode.Redirect, $"GET {path}: {(int)get.StatusCode}");
            Assert.StartsWith("/admin/signin?ReturnUrl=", get.Headers.Location!.PathAndQuery);
            var post = await client.PostAsync(path, new FormUrlEncodedContent([new("format", "html")]));
            if ((path.EndsWith("/file") || path.EndsWith(".png")) && post.StatusCode == HttpStatusCode.MethodNotAllowed) continue; // GET-only endpoint
            Assert.True(post.StatusCode == HttpStatusCode.Redirect, $"POST {path}: {(int)post.StatusCode}");
            Assert.StartsWith("/admin/signin", post.Headers.Location!.PathAndQuery);
        }
        foreach (var handler in new[] { "download", "reissue", "save", "select", "edit" })
        {
            var post = await client.PostAsync($"/admin/report?handler={handler}", new FormUrlEncodedContent([new("format", "html")]));
            Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        }
        var signIn = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync("/admin/signin"));
        Assert.Contains("管理画面へのログイン", signIn);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ARespondentsToken_NeverOpensTheConsole_AndAnAdminCookieOpensNoQuestionnaire(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.AddAdminAsync();
        var token = await app.InviteAsync();
        var respondent = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await respondent.GetAsync($"/a/{token}")).StatusCode); // has the respondent's cookies now
        foreach (var path in new[] { "/admin", $"/admin?token={token}", $"/admin/results?token={token}", "/admin/report" })
        {
            var r = await respondent.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.StartsWith("/admin/signin", r.Headers.Location!.PathAndQuery);
        }
        // The token is not a password either.
        var asPassword = await AdminTestKit.PostSignInAsync(app.Client(), AdminTestKit.Name, token);
        Assert.Equal(HttpStatusCode.Unauthorized, asPassword.StatusCode);

        // An admin's session opens no association's questionnaire without its token.
        var admin = await app.SignedInClientAsync(addUser: false);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/a/AAAAAAAAAAAAAAAAAAAAAAAA")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/a/AAAAAAAAAAAAAAAAAAAAAAAA/answers.pdf")).StatusCode);
    }

    [Fact]
    public async Task TheAdminCookie_IsHttpOnlyStrictAndLimitedToTheConsole()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.AddAdminAsync();
        var response = await AdminTestKit.PostSignInAsync(app.Client(), AdminTestKit.Name, AdminTestKit.Password);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AdminAuth.CookieName + "="));
        Assert.Contains("path=/admin", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task WrongPasswords_AreRejected_AndSlowThatNameFromThatClientAfterFive(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.AddAdminAsync();
        var client = app.Client();

        var wrong = await AdminTestKit.PostSignInAsync(client, AdminTestKit.Name, "not-the-password");
        var html = await HttpAssert.StatusAsync(HttpStatusCode.Unauthorized, wrong);
        Assert.Contains("ユーザー名またはパスワードが違います", html);
        Assert.DoesNotContain(wrong.Headers.TryGetValues("Set-Cookie", out var c) ? c : [], v => v.StartsWith(AdminAuth.CookieName + "="));
        var unknown = await AdminTestKit.PostSignInAsync(client, "nobody", "not-the-password");
        Assert.Contains("ユーザー名またはパスワードが違います", await HttpAssert.StatusAsync(HttpStatusCode.Unauthorized, unknown));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);

        for (var i = 1; i < AdminAuth.FreeAttempts; i++)
            await AdminTestKit.PostSignInAsync(client, AdminTestKit.Name, "still-wrong-" + i);
        var slowed = await AdminTestKit.PostSignInAsync(client, AdminTestKit.Name, AdminTestKit.Password); // right, but must wait
        Assert.Contains("しばらくログインできません", await HttpAssert.StatusAsync(HttpStatusCode.TooManyRequests, slowed));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);

        app.Clock.Set(app.Clock.GetUtcNow() + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var later = await AdminTestKit.PostSignInAsync(client, AdminTestKit.Name, AdminTestKit.Password);
        Assert.Equal(HttpStatusCode.Redirect, later.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task ManyFailedSignInsFromOneClient_AreRateLimited()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.AddAdminAsync();
        var client = app.Client();
        for (var i = 0; i < SignInLimiter.PerMinute; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await AdminTestKit.PostSignInAsync(client, "guess" + i, "password" + i)).StatusCode);

        var blocked = await AdminTestKit.PostSignInAsync(client, AdminTestKit.Name, AdminTestKit.Password);
        Assert.Contains("1 分ほど待って", await HttpAssert.StatusAsync(HttpStatusCode.TooManyRequests, blocked));
        Assert.DoesNotContain(blocked.Headers.TryGetValues("Set-Cookie", out var c) ? c : [], v => v.StartsWith(AdminAuth.CookieName + "="));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SignIn_ReturnsToTheConsolePage_AndSignOutEndsTheSession(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.AddAdminAsync();
        var client = app.Client();
        var back = await AdminTestKit.PostSignInAsync(client, AdminTestKit.Name, AdminTestKit.Password, "/admin/results");
        Assert.Equal("/admin/results", back.Headers.Location?.OriginalString);
        var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync("/admin"));
        Assert.Contains(AdminTestKit.Name, html);
        Assert.Contains("no-store", (await client.GetAsync("/admin")).Headers.CacheControl?.ToString());

        var offsite = await AdminTestKit.PostSignInAsync(app.Client(), AdminTestKit.Name, AdminTestKit.Password, "//evil.example/admin");
        Assert.Equal("/admin", offsite.Headers.Location?.OriginalString);

        var signOut = await AdminTestKit.PostFormAsync(client, "/admin", "/admin/signout");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var after = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/admin/signin", after.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task ResettingThePassword_EndsSessionsOpenedWithTheOldOne()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        var client = await app.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
        await using (var db = app.Db())
            await new AdminUsers(db, new PasswordHasher<AdminUser>(), app.Clock).AddAsync(AdminTestKit.Name, "a-brand-new-password", reset: true);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PostsWithoutTheFormToken_AreRefused(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();
        var posts = new (string Path, (string, string)[] Fields)[]
        {
            ("/admin/report/narrative/1-3?handler=save", [("text", "改ざん"), ("fingerprint", "0123456789abcdef")]),
            ("/admin/report/answers/2-2?handler=select", [("selected", "R01")]),
            ("/admin/report?handler=download", [("format", "html")]),
            ("/admin?handler=reissue", [("associationId", "1")]),
            ("/admin/signout", []),
        };
        foreach (var (path, fields) in posts)
        {
            var r = await client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))));
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)r.StatusCode}");
        }
        var signIn = await app.Client().PostAsync("/admin/signin", new FormUrlEncodedContent(
            [new("name", AdminTestKit.Name), new("password", AdminTestKit.Password)]));
        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);

        await using var db = app.Db();
        Assert.False(await db.ReportEdits.AnyAsync()); // nothing was saved
        Assert.Equal(0, await db.AccessLinks.CountAsync(l => l.RevokedAt != null));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode); // still signed in
    }

    [Fact]
    public async Task EveryConsolePage_SendsTheSecurityHeaders_AndHasNothingInline()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();
        foreach (var path in new[] { "/admin/signin", "/admin", "/admin/results?f=1-6%3D5&rows=4-3-a&cols=4-4-a", "/admin/report",
                     "/admin/report/narrative/1-3", "/admin/report/answers/2-2" })
        {
            var response = await client.GetAsync(path);
            var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, response);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
            Assert.DoesNotMatch("<script|style=\"|Html.Raw", html);
            Assert.Contains("<html lang=\"ja\">", html);
        }
    }
}

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Tests;

/// <summary>
/// Issue 7, findings 3–5: sign-out ends the session on the server, concurrent wrong passwords get no more checks than
/// the limits, and unknown and known names get the same answers for the same work (counted, not timed).
/// </summary>
public partial class SignInHardeningTests
{
    /// <summary>Counts password checks (the expensive work), so tests assert work done rather than milliseconds.</summary>
    public sealed class CountingHasher : IPasswordHasher<AdminUser>
    {
        private readonly PasswordHasher<AdminUser> _inner = new();
        private int _checks;
        public int Checks => Volatile.Read(ref _checks);
        public string HashPassword(AdminUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(AdminUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _checks);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private static Action<IServiceCollection> With(CountingHasher hasher) =>
        s => s.Replace(ServiceDescriptor.Singleton<IPasswordHasher<AdminUser>>(hasher));

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SignOut_EndsTheSessionOnTheServer_ACopiedCookieNoLongerOpensTheConsole(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.AddAdminAsync();
        var client = app.Client();
        var signIn = await AdminTestKit.PostSignInAsync(client, AdminTestKit.Name, AdminTestKit.Password);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AdminAuth.CookieName + "=")).Split(';')[0];

        Assert.Equal(HttpStatusCode.OK, (await WithCookie(app, cookie, "/admin/results")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(client, "/admin", "/admin/signout")).StatusCode);

        app.Clock.Set(app.Clock.GetUtcNow() + TimeSpan.FromMinutes(8));
        var replayed = await WithCookie(app, cookie, "/admin/results");
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.StartsWith("/admin/signin", replayed.Headers.Location!.PathAndQuery);
        await using var db = app.Db();
        Assert.False(await db.AdminSessions.AnyAsync());
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ASession_EndsAfterItsLifetime_EvenWhileInUse(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var client = await app.SignedInClientAsync();
        var step = TimeSpan.FromHours(6); // within the cookie's 8 sliding hours
        for (var t = step; t < AdminAuth.SessionLifetime; t += step)
        {
            app.Clock.Set(app.Clock.GetUtcNow() + step);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin")).StatusCode);
        }
        app.Clock.Set(app.Clock.GetUtcNow() + step);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);
    }

    private static Task<HttpResponseMessage> WithCookie(TestApp app, string cookie, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return app.Client().SendAsync(request);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task EightyConcurrentWrongPasswords_ForOneName_GetExactlyTheFreeChecks(string provider)
    {
        var hasher = new CountingHasher();
        await using var app = await TestApp.StartAsync(provider, services: With(hasher));
        await app.AddAdminAsync();
        var client = app.Client();
        var csrf = await TestApp.CsrfTokenAsync(client, "/admin/signin");
        var before = hasher.Checks;
        var responses = await Task.WhenAll(Enumerable.Range(0, 80).Select(i => client.PostAsync("/admin/signin",
            new FormUrlEncodedContent([new("name", AdminTestKit.Name), new("password", "wrong-" + i), new("__RequestVerificationToken", csrf)]))));

        Assert.Equal(AdminAuth.FreeAttempts, hasher.Checks - before);
        Assert.Equal(AdminAuth.FreeAttempts, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(80 - AdminAuth.FreeAttempts, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        await using var db = app.Db();
        Assert.Equal(AdminAuth.FreeAttempts, (await db.SignInThrottles.SingleAsync()).Failures);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task EightyConcurrentWrongPasswords_ForManyNames_GetNoMoreChecksThanThePerClientLimit(string provider)
    {
        var hasher = new CountingHasher();
        await using var app = await TestApp.StartAsync(provider, services: With(hasher));
        await app.AddAdminAsync();
        var client = app.Client();
        var csrf = await TestApp.CsrfTokenAsync(client, "/admin/signin");
        var before = hasher.Checks;
        var responses = await Task.WhenAll(Enumerable.Range(0, 80).Select(i => client.PostAsync("/admin/signin",
            new FormUrlEncodedContent([new("name", "guess" + i), new("password", "wrong-" + i), new("__RequestVerificationToken", csrf)]))));

        Assert.Equal(SignInLimiter.PerMinute, hasher.Checks - before);
        Assert.Equal(80 - SignInLimiter.PerMinute, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
    }

    /// <summary>The database count itself, without the per-client limit in front: 80 tries at once on 80 connections.</summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheCountInTheDatabase_IsAtomic_UnderEightyConcurrentTries(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.AddAdminAsync();
        var hasher = new CountingHasher();
        var results = await Task.WhenAll(Enumerable.Range(0, 80).Select(async i =>
        {
            await using var db = app.Db();
            var (result, _) = await new AdminUsers(db, hasher, app.Clock).CheckAsync(AdminTestKit.Name, "wrong-" + i, "192.0.2.1", default);
            return result;
        }));
        Assert.Equal(AdminAuth.FreeAttempts, hasher.Checks);
        Assert.Equal(AdminAuth.FreeAttempts, results.Count(r => r == SignInVerdict.Wrong));
        await using var check = app.Db();
        Assert.Equal(AdminAuth.FreeAttempts, (await check.SignInThrottles.SingleAsync()).Failures);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task UnknownAndKnownNames_GetTheSameAnswers_ForTheSameWork(string provider)
    {
        var seen = new List<(HttpStatusCode, string, int)>();
        foreach (var name in new[] { AdminTestKit.Name, "no-such-user" })
        {
            var hasher = new CountingHasher();
            await using var app = await TestApp.StartAsync(provider, services: With(hasher));
            await app.AddAdminAsync();
            var client = app.Client();
            var before = hasher.Checks;
            var answers = new List<string>();
            for (var i = 0; i < AdminAuth.FreeAttempts + 2; i++)
            {
                var r = await AdminTestKit.PostSignInAsync(client, name, "wrong-password-" + i);
                answers.Add($"{(int)r.StatusCode} {MessageOf(await r.Content.ReadAsStringAsync())}");
            }
            seen.Add((HttpStatusCode.OK, string.Join("\n", answers), hasher.Checks - before));
        }
        Assert.Equal(seen[0].Item2, seen[1].Item2);
        Assert.Equal(AdminAuth.FreeAttempts, seen[0].Item3);
        Assert.Equal(seen[0].Item3, seen[1].Item3);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnAttacker_SlowsOnlyHimself_WithGrowingWaits(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.AddAdminAsync();
        var hasher = new CountingHasher();
        async Task<SignInVerdict> Try(string password, string ip)
        {
            await using var db = app.Db();
            return (await new AdminUsers(db, hasher, app.Clock).CheckAsync(AdminTestKit.Name, password, ip, default)).Item1;
        }
        const string attacker = "198.51.100.7";
        for (var i = 0; i < AdminAuth.FreeAttempts; i++) Assert.Equal(SignInVerdict.Wrong, await Try("guess-" + i, attacker));
        Assert.Equal(SignInVerdict.Throttled, await Try(AdminTestKit.Password, attacker));
        // The owner, from another client, is not locked out.
        Assert.Equal(SignInVerdict.Success, await Try(AdminTestKit.Password, "192.0.2.10"));

        var checks = hasher.Checks;
        foreach (var wait in new[] { 1, 2, 4, 8, 15, 15 })
        {
            app.Clock.Set(app.Clock.GetUtcNow() + TimeSpan.FromMinutes(wait) - TimeSpan.FromSeconds(2));
            Assert.Equal(SignInVerdict.Throttled, await Try("guess", attacker));
            app.Clock.Set(app.Clock.GetUtcNow() + TimeSpan.FromSeconds(3));
            Assert.Equal(SignInVerdict.Wrong, await Try("guess", attacker));
        }
        Assert.Equal(checks + 6, hasher.Checks); // one check per allowed try, none for a refused one
    }

    private static string MessageOf(string html) => SignInMessage().Match(html).Groups[1].Value;

    [GeneratedRegex("<p>([^<]*(?:ログイン|パスワード)[^<]*)</p>")]
    private static partial Regex SignInMessage();
}

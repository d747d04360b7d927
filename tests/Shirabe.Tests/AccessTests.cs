using System.Net;

namespace Shirabe.Tests;

/// <summary>Personal links, error pages and response headers.</summary>
public class AccessTests
{
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task WrongExpiredAndRevokedLinks_AllGetTheSamePlainJapanesePage(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.InviteAsync("T01");
        var expired = await app.InviteAsync("T02", expiresAt: new DateTime(2023, 10, 31, 0, 0, 0, DateTimeKind.Utc));
        var revoked = await app.InviteAsync("T03", revokedAt: new DateTime(2023, 10, 20, 0, 0, 0, DateTimeKind.Utc));
        var client = app.Client();

        var bodies = new List<string>();
        foreach (var token in new[] { "AAAAAAAAAAAAAAAAAAAAAAAA", "short", expired, revoked })
        {
            var html = await HttpAssert.StatusAsync(HttpStatusCode.NotFound, await client.GetAsync($"/a/{token}"));
            Assert.Contains("リンクが正しくないか、有効期限が切れています", html);
            Assert.Contains("SC3 事務局", html);
            Assert.DoesNotContain("Exception", html);
            bodies.Add(html);
        }
        Assert.Single(bodies.Distinct()); // nothing tells which tokens exist
    }

    [Fact]
    public async Task GuessingLinks_IsRateLimitedPerClient()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite, failedLookups: 3);
        var token = await app.InviteAsync();
        var client = app.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/a/{token}")).StatusCode); // successes cost nothing
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/a/guess{i:D19}")).StatusCode);

        var blocked = await HttpAssert.StatusAsync(HttpStatusCode.TooManyRequests, await client.GetAsync("/a/guess0000000000000000009"));
        Assert.Contains("1 分ほど待ってから", blocked);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync($"/a/{token}")).StatusCode);
    }

    [Fact]
    public async Task EveryPage_SendsSecurityHeaders()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        var token = await app.InviteAsync();
        var client = app.Client();

        foreach (var path in new[] { "/", $"/a/{token}", $"/a/{token}/s/1", "/a/nope", "/survey/blank" })
        {
            var response = await client.GetAsync(path);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp);
            Assert.Contains("style-src 'self'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            var html = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch("<script>|<script [^>]*>[^<]|style=\"", html); // nothing inline
        }
        var personal = await client.GetAsync($"/a/{token}");
        Assert.Contains("no-store", personal.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task TheQuestionnairePage_HasLabelsAndIdsFromItemCodes()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        var token = await app.InviteAsync();
        var client = app.Client();

        var pages = Shirabe.Respond.FormPages.Of(app.Survey);
        foreach (var page in pages)
        {
            var html = await client.GetStringAsync($"/a/{token}{page.Path}");
            foreach (var item in page.Items.Where(i => i.ShowIf is null))
                foreach (var column in item.Columns)
                    Assert.Contains($"name=\"{column}\"", html);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(html, "<(?:input|textarea)[^>]* id=\"([^\"]+)\""))
                Assert.Contains($"for=\"{m.Groups[1].Value}\"", html);
            Assert.Contains(page == pages[^1] ? ">確認画面へ</button>" : ">次へ</button>", html);
            Assert.Contains(">戻る</button>", html);
            Assert.Contains(">一時保存</button>", html);
            Assert.Contains("aria-current=\"step\"", html);
        }
    }

    [Fact]
    public async Task AServerError_ShowsAJapanesePageAndNoStackTrace()
    {
        // No migrations: the tables do not exist, so every lookup fails inside EF Core.
        await using var app = await TestApp.StartAsync(TestApp.Sqlite, migrate: false);

        var response = await app.Client().GetAsync("/a/AAAAAAAAAAAAAAAAAAAAAAAA");

        var html = await HttpAssert.StatusAsync(HttpStatusCode.InternalServerError, response);
        Assert.Contains("システムで問題が発生しました", html);
        Assert.Contains("SC3 事務局", html);
        Assert.DoesNotContain("SqliteException", html);
        Assert.DoesNotContain("   at ", html);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheMigrations_MatchTheModel(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await using var db = app.Db();

        Assert.False(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.HasPendingModelChanges(db.Database),
            "the model changed without a migration for this provider (docs/decisions/007-two-migration-sets.md)");
    }
}

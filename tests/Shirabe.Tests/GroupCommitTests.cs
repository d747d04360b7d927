using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shirabe.Data;
using Shirabe.Respond;

namespace Shirabe.Tests;

/// <summary>
/// Respondents' submissions are group-committed (docs/decisions/069): many at once share one transaction, each is
/// acknowledged only after its commit, and one that the database refuses or that fails at commit fails alone. A batch
/// is made deterministic by holding the database's write lock while the submissions queue up behind it.
/// </summary>
public class GroupCommitTests
{
    private sealed record Respondent(string Code, string Token, HttpClient Client, List<KeyValuePair<string, string>> Form);

    /// <summary>Invites <paramref name="count"/> organisations; each saves page 1 and opens its review page (form token, version).</summary>
    private static async Task<List<Respondent>> RespondentsAsync(TestApp app, int count)
    {
        var list = new List<Respondent>();
        for (var k = 0; k < count; k++)
        {
            var code = $"G{k:D2}";
            var token = await app.InviteAsync(code, "一般社団法人グループ" + code);
            var client = app.Client();
            await TestApp.PostSectionAsync(client, token, "1", AnsweringTests.Page1);
            var page = await client.GetStringAsync($"/a/{token}/review");
            list.Add(new Respondent(code, token, client,
            [
                new("__RequestVerificationToken", TestApp.CsrfField().Match(page).Groups[1].Value),
                new("draftVersion", TestApp.DraftVersionField().Match(page).Groups[1].Value),
            ]));
        }
        return list;
    }

    private static Task<HttpResponseMessage> PostAsync(Respondent r) =>
        r.Client.PostAsync($"/a/{r.Token}/review", new FormUrlEncodedContent(r.Form));

    /// <summary>
    /// Posts every submission while another connection holds the write lock, waits until all of them wait for the
    /// committer, then lets it go: the committer then writes what queued up as one batch.
    /// </summary>
    private static async Task<HttpResponseMessage[]> PostTogetherAsync(TestApp app, IEnumerable<Respondent> posts)
    {
        var committer = app.Services.GetRequiredService<SubmissionCommitter>();
        var all = posts.ToList();
        Task<HttpResponseMessage>[] responses;
        await using (await HoldWriteLockAsync(app))
        {
            responses = all.Select(PostAsync).ToArray();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            // Each post either waits for the committer or was answered without it (a retry of a submitted draft).
            while (committer.Waiting + responses.Count(r => r.IsCompleted) < all.Count)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"{committer.Waiting} of {all.Count} submissions reached the committer");
                await Task.Delay(20);
            }
        }
        return await Task.WhenAll(responses);
    }

    private static async Task<IAsyncDisposable> HoldWriteLockAsync(TestApp app)
    {
        if (app.Database.Provider == DbProvider.Sqlite)
        {
            var c = new SqliteConnection(app.Database.ConnectionString);
            await c.OpenAsync();
            await using (var begin = new SqliteCommand("BEGIN IMMEDIATE;", c)) await begin.ExecuteNonQueryAsync();
            return new Release(async () =>
            {
                await using (var end = new SqliteCommand("ROLLBACK;", c)) await end.ExecuteNonQueryAsync();
                await c.DisposeAsync();
            });
        }
        var pg = new NpgsqlConnection(app.Database.ConnectionString);
        await pg.OpenAsync();
        var tx = await pg.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE \"AnswerHistory\" IN SHARE ROW EXCLUSIVE MODE", pg, tx))
            await lockTable.ExecuteNonQueryAsync();
        return new Release(async () =>
        {
            await tx.RollbackAsync();
            await pg.DisposeAsync();
        });
    }

    private sealed class Release(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }

    private static async Task ExecuteAsync(TestApp app, params string[] statements)
    {
        await using var db = app.Db();
        foreach (var sql in statements) await db.Database.ExecuteSqlRawAsync(sql);
    }

    private static async Task<int> InvitationIdAsync(TestApp app, string code)
    {
        await using var db = app.Db();
        return await db.Invitations.Where(i => i.Organisation.Code == code).Select(i => i.Id).SingleAsync();
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ManySubmissionsAtOnce_AreCommittedTogether_EachWithItsHistoryRowAndReceipt(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var respondents = await RespondentsAsync(app, 12);

        var responses = await PostTogetherAsync(app, respondents);

        for (var k = 0; k < respondents.Count; k++)
            Assert.Equal($"/a/{respondents[k].Token}/thanks", responses[k].Headers.Location?.OriginalString);
        foreach (var r in respondents)
        {
            var submission = Assert.Single(await app.SubmissionsAsync(r.Code));
            Assert.Equal(1, submission.Version);
            Assert.Equal(SubmissionChannel.Web, submission.Channel);
            Assert.Contains("\"q1_1_a\":\"山田 太郎\"", submission.Answers);
            Assert.Equal(1, await app.HistoryCountAsync(r.Code));
            Assert.Contains($"{r.Code}-1", await r.Client.GetStringAsync($"/a/{r.Token}/thanks"));
        }
        // All but the first (which took the lock's wait alone, or with a few) were written by one transaction.
        var (_, committed, largest) = app.Services.GetRequiredService<SubmissionCommitter>().Stats;
        Assert.Equal(12, committed);
        Assert.True(largest >= 6, $"largest batch {largest}");

        // A resubmission of the same draft (a retry after the receipt) is the same submission: nothing is written.
        var retry = await PostAsync(respondents[3]);
        Assert.Equal($"/a/{respondents[3].Token}/thanks", retry.Headers.Location?.OriginalString);
        Assert.Single(await app.SubmissionsAsync(respondents[3].Code));
        Assert.Equal(1, await app.HistoryCountAsync(respondents[3].Code));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ARefusedSubmissionInABatch_FailsAlone_ADoubleClickIsOneSubmission_TheOthersCommit(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var respondents = await RespondentsAsync(app, 8);
        var refused = respondents[2];
        var id = await InvitationIdAsync(app, refused.Code);
        // The database refuses this one's history row (as it refuses a row that breaks a constraint).
        if (provider == TestApp.Sqlite)
            await ExecuteAsync(app, $"""
                CREATE TRIGGER refuse_one BEFORE INSERT ON "AnswerHistory" WHEN NEW."InvitationId" = {id}
                BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;
                """);
        else
            await ExecuteAsync(app,
                "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$;",
                $"""CREATE TRIGGER refuse_one BEFORE INSERT ON "AnswerHistory" FOR EACH ROW WHEN (NEW."InvitationId" = {id}) EXECUTE FUNCTION refuse_one();""");
        var doubleClick = respondents[5];

        var responses = await PostTogetherAsync(app, respondents.Append(doubleClick));

        var html = await HttpAssert.StatusAsync(HttpStatusCode.Conflict, responses[2]);
        Assert.Contains("送信が重なりました", html);
        Assert.Contains("回答内容の確認", html); // the review page again, with its answers
        Assert.Empty(await app.SubmissionsAsync(refused.Code));
        Assert.Equal(0, await app.HistoryCountAsync(refused.Code));
        foreach (var (r, response) in respondents.Append(doubleClick).Zip(responses).Where(p => p.First != refused))
            Assert.Equal($"/a/{r.Token}/thanks", response.Headers.Location?.OriginalString);
        foreach (var r in respondents.Where(r => r != refused))
        {
            Assert.Equal(1, Assert.Single(await app.SubmissionsAsync(r.Code)).Version);
            Assert.Equal(1, await app.HistoryCountAsync(r.Code));
        }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ASubmissionWhoseCommitFails_IsNotAcknowledged_TheOthersInItsBatchAre(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var respondents = await RespondentsAsync(app, 8);
        var failing = respondents[4];
        var id = await InvitationIdAsync(app, failing.Code);
        // A check the database makes only at COMMIT, failing for this invitation's history row: the statements all
        // succeed, the transaction's commit does not (as a commit fails on a full disk or a lost connection).
        if (provider == TestApp.Sqlite)
            await ExecuteAsync(app,
                "CREATE TABLE test_parent (id INTEGER PRIMARY KEY)",
                "CREATE TABLE test_guard (parent INTEGER REFERENCES test_parent(id) DEFERRABLE INITIALLY DEFERRED)",
                $"""
                CREATE TRIGGER fail_commit AFTER INSERT ON "AnswerHistory" WHEN NEW."InvitationId" = {id}
                BEGIN INSERT INTO test_guard VALUES (-1); END;
                """);
        else
            await ExecuteAsync(app,
                "CREATE FUNCTION fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'commit refused for the test'; END $$;",
                $"""
                CREATE CONSTRAINT TRIGGER fail_commit AFTER INSERT ON "AnswerHistory" DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW WHEN (NEW."InvitationId" = {id}) EXECUTE FUNCTION fail_commit();
                """);

        var responses = await PostTogetherAsync(app, respondents);

        var html = await HttpAssert.StatusAsync(HttpStatusCode.InternalServerError, responses[4]);
        Assert.DoesNotContain("Exception", html);
        Assert.Null(responses[4].Headers.Location);
        Assert.Empty(await app.SubmissionsAsync(failing.Code));
        Assert.Equal(0, await app.HistoryCountAsync(failing.Code));
        foreach (var (r, response) in respondents.Zip(responses).Where(p => p.First != failing))
        {
            Assert.Equal($"/a/{r.Token}/thanks", response.Headers.Location?.OriginalString);
            Assert.Equal(1, Assert.Single(await app.SubmissionsAsync(r.Code)).Version);
            Assert.Equal(1, await app.HistoryCountAsync(r.Code));
        }

        // Once the fault is gone, the respondent's own retry (the same form) submits.
        await ExecuteAsync(app, provider == TestApp.Sqlite ? "DROP TRIGGER fail_commit" : "DROP TRIGGER fail_commit ON \"AnswerHistory\"");
        var retry = await PostAsync(failing);
        Assert.Equal($"/a/{failing.Token}/thanks", retry.Headers.Location?.OriginalString);
        Assert.Equal(1, Assert.Single(await app.SubmissionsAsync(failing.Code)).Version);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AResubmissionAfterAChange_IsANewVersion_EvenWhenBatchedWithOthers(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var respondents = await RespondentsAsync(app, 4);
        await PostTogetherAsync(app, respondents);
        // Two of them change an answer and submit again, together with a retry of an unchanged one.
        var again = new List<Respondent>();
        foreach (var r in respondents.Take(2))
        {
            await TestApp.PostSectionAsync(r.Client, r.Token, "1", [.. AnsweringTests.Page1.Where(f => f.Item1 != "q1_3"), ("q1_3", "5")]);
            var page = await r.Client.GetStringAsync($"/a/{r.Token}/review");
            again.Add(r with
            {
                Form =
                [
                    new("__RequestVerificationToken", TestApp.CsrfField().Match(page).Groups[1].Value),
                    new("draftVersion", TestApp.DraftVersionField().Match(page).Groups[1].Value),
                ],
            });
        }

        var responses = await PostTogetherAsync(app, again.Append(respondents[3]));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        foreach (var r in again)
        {
            var submission = Assert.Single(await app.SubmissionsAsync(r.Code));
            Assert.Equal(2, submission.Version);
            Assert.Contains("\"q1_3\":\"5\"", submission.Answers);
            Assert.Equal(2, await app.HistoryCountAsync(r.Code));
        }
        Assert.Equal(1, Assert.Single(await app.SubmissionsAsync(respondents[3].Code)).Version);
        Assert.Equal(1, await app.HistoryCountAsync(respondents[3].Code));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TwoServersOnOneDatabase_ASubmissionPostedToBoth_IsOneSubmission(string provider)
    {
        // Each server has its own committer: the database's constraints decide, as between two requests (decision 008).
        await using var app = await TestApp.StartAsync(provider);
        await using var other = app.SecondInstance();
        var respondents = await RespondentsAsync(app, 6);
        // One browser: its antiforgery cookie goes to whichever server the balancer picks.
        var browser = app.Client();
        var first = await browser.GetAsync($"/a/{respondents[0].Token}/review");
        var cookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("shirabe-af=")).Split(';')[0];
        var toOther = other.Client();

        var posts = new List<Task<HttpResponseMessage>>();
        foreach (var r in respondents)
        {
            var page = await browser.GetStringAsync($"/a/{r.Token}/review");
            var form = new List<KeyValuePair<string, string>>
            {
                new("__RequestVerificationToken", TestApp.CsrfField().Match(page).Groups[1].Value),
                new("draftVersion", TestApp.DraftVersionField().Match(page).Groups[1].Value),
            };
            posts.Add(browser.PostAsync($"/a/{r.Token}/review", new FormUrlEncodedContent(form)));
            var post = new HttpRequestMessage(HttpMethod.Post, $"/a/{r.Token}/review") { Content = new FormUrlEncodedContent(form) };
            post.Headers.Add("Cookie", cookie);
            posts.Add(toOther.SendAsync(post));
        }
        var responses = await Task.WhenAll(posts);

        for (var k = 0; k < respondents.Count; k++)
        {
            var r = respondents[k];
            foreach (var response in responses.Skip(2 * k).Take(2))
                Assert.Equal($"/a/{r.Token}/thanks", response.Headers.Location?.OriginalString);
            Assert.Equal(1, Assert.Single(await app.SubmissionsAsync(r.Code)).Version);
            Assert.Equal(1, await app.HistoryCountAsync(r.Code));
        }
    }

    [Fact]
    public async Task TheSqliteDatabase_IsInWalMode_AndFlushesEveryCommit()
    {
        // An acknowledged submission must survive a power cut: synchronous=FULL makes every COMMIT fsync the WAL
        // (NORMAL would leave the last commits in the page cache until a checkpoint). Decision 069.
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await using var db = app.Db();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await mode.ExecuteScalarAsync());
        await using var sync = connection.CreateCommand();
        sync.CommandText = "PRAGMA synchronous";
        Assert.Equal(2L, await sync.ExecuteScalarAsync()); // 2 = FULL
    }
}

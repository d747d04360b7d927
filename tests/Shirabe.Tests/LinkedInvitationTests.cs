using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>
/// The link's one query is plain SQL kept prepared (docs/decisions/073): it must give exactly what EF Core gives for the
/// same rows, every column of every entity it reads, on both databases, and stay right when reused.
/// </summary>
public class LinkedInvitationTests
{
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PreparedRead_GivesEveryColumnAsEfCoreDoes(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.AddAdminAsync();
        var token = await app.InviteAsync(revokedAt: new DateTime(2023, 10, 2, 3, 4, 5, DateTimeKind.Utc));
        var other = await app.InviteAsync(code: "T02", name: "二つ目の団体");
        var hash = InvitationTokens.Hash(token);
        await using (var db = app.Db())
        {
            // Every nullable column set, so that a column the SQL forgets cannot hide behind a default.
            var user = await db.AdminUsers.Select(u => u.Id).FirstAsync();
            var version = await db.SurveyVersions.Select(v => v.Id).FirstAsync();
            var invitation = await db.Invitations.Include(i => i.Organisation).SingleAsync(i => i.Organisation.Code == "T01");
            invitation.Category = "製造業";
            invitation.ContactName = "担当 一郎";
            invitation.ContactEmail = "a@example.jp";
            invitation.Cc = "b@example.jp";
            invitation.Attributes = "{\"size\":\"large\"}";
            invitation.ExpiresAt = new DateTime(2024, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
            invitation.OpenedAt = new DateTime(2023, 10, 3, 4, 5, 6, DateTimeKind.Utc);
            invitation.AddressFailedAt = new DateTime(2023, 10, 4, 5, 6, 7, DateTimeKind.Utc);
            invitation.AddressFailure = "550 no such user";
            var survey = await db.Surveys.SingleAsync(s => s.Id == invitation.SurveyId);
            survey.PreviousSurveyId = survey.Id;
            survey.PublishedVersionId = version;
            db.Drafts.Add(new Draft
            {
                InvitationId = invitation.Id, Answers = "{\"q1_1_a\":\"テスト\"}", Version = 3, SurveyVersionId = version,
                UpdatedAt = new DateTime(2023, 10, 5, 6, 7, 8, 123, DateTimeKind.Utc),
            });
            db.Submissions.Add(new Submission
            {
                InvitationId = invitation.Id, Answers = "{\"q1_1_a\":\"提出\"}", Version = 2, DraftVersion = 3,
                SubmittedAt = new DateTime(2023, 10, 6, 7, 8, 9, DateTimeKind.Utc), FirstSubmittedAt = new DateTime(2023, 10, 1, 2, 3, 4, DateTimeKind.Utc),
                SurveyVersionId = version, Valid = false, ValidityReason = "重複", ValidityChangedBy = user, Channel = SubmissionChannel.Paper,
            });
            await db.SaveChangesAsync();
        }

        await using var read = app.Db();
        var expected = await (
            from l in read.AccessLinks.AsNoTracking()
            where l.TokenHash == hash
            select new { l.RevokedAt, l.Invitation, l.Invitation.Organisation, Survey = read.Surveys.Single(s => s.Id == l.Invitation.SurveyId),
                Draft = read.Drafts.SingleOrDefault(d => d.InvitationId == l.InvitationId),
                Submission = read.Submissions.SingleOrDefault(s => s.InvitationId == l.InvitationId) }).SingleAsync();
        // Twice: the second run reuses the kept statement (SQLite) or the server-prepared one (PostgreSQL).
        for (var run = 0; run < 2; run++)
        {
            var linked = await LinkedInvitation.ReadAsync(app.Database, read, hash, CancellationToken.None);
            Assert.NotNull(linked);
            Assert.Equal(expected.RevokedAt, linked.RevokedAt);
            Assert.Equal(DateTimeKind.Utc, linked.RevokedAt!.Value.Kind);
            AssertSameColumns(expected.Invitation, linked.Invitation);
            AssertSameColumns(expected.Organisation, linked.Invitation.Organisation);
            AssertSameColumns(expected.Survey, linked.Survey);
            AssertSameColumns(expected.Draft!, linked.Draft!);
            AssertSameColumns(expected.Submission!, linked.Submission!);
            Assert.Equal(expected.Survey.PublishedVersionId, linked.VersionId);
        }

        // Without draft and submission, and an unknown link; the kept statement gives each its own rows.
        var bare = await LinkedInvitation.ReadAsync(app.Database, read, InvitationTokens.Hash(other), CancellationToken.None);
        Assert.Equal("二つ目の団体", bare!.Invitation.Organisation.Name);
        Assert.Null(bare.Draft);
        Assert.Null(bare.Submission);
        Assert.Null(bare.RevokedAt);
        Assert.Null(await LinkedInvitation.ReadAsync(app.Database, read, InvitationTokens.Hash(InvitationTokens.NewToken()), CancellationToken.None));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task PreparedRead_ConcurrentPageViews_EachGetsItsOwnInvitation(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var tokens = new List<(string Token, string Code)>();
        for (var i = 0; i < 8; i++) tokens.Add((await app.InviteAsync(code: $"C{i}", name: $"団体{i}"), $"C{i}"));
        var client = app.Client();

        var pages = await Task.WhenAll(Enumerable.Range(0, 64).Select(async n =>
        {
            var (token, code) = tokens[n % tokens.Count];
            return (code, html: await client.GetStringAsync($"/a/{token}/s/2"));
        }));

        foreach (var (code, html) in pages)
            Assert.Contains($"団体{code[1..]} 様", html);
    }

    /// <summary>
    /// The connections kept with the statement prepared hold no read transaction between page views: otherwise a WAL
    /// checkpoint could never reset the log, and data/shirabe.db-wal would grow for as long as the server runs.
    /// </summary>
    [Fact]
    public async Task PreparedRead_KeptConnections_DoNotHoldBackTheWalCheckpoint()
    {
        await using var app = await TestApp.StartAsync("sqlite");
        var token = await app.InviteAsync();
        var client = app.Client();
        for (var i = 0; i < 3; i++) await client.GetStringAsync($"/a/{token}/s/2"); // a kept connection, reused
        await using var db = app.Db();
        await db.Invitations.ExecuteUpdateAsync(s => s.SetProperty(i => i.ContactName, "書き込み後"));

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await using var result = await checkpoint.ExecuteReaderAsync();
        Assert.True(await result.ReadAsync());
        Assert.Equal(0L, result.GetInt64(0)); // busy: 1 when a reader's snapshot keeps the log from being reset
        Assert.Equal(0L, result.GetInt64(1)); // frames left in the log
    }

    /// <summary>Every column (scalar property) equal, and every one set, so that the comparison covers them all.</summary>
    private static void AssertSameColumns<T>(T expected, T actual)
    {
        foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (!(type.IsPrimitive || type == typeof(string) || type == typeof(DateTime) || type == typeof(decimal))) continue;
            var e = p.GetValue(expected);
            var a = p.GetValue(actual);
            Assert.True(e is not null, $"{typeof(T).Name}.{p.Name} is set in the test's row");
            Assert.True(Equals(e, a), $"{typeof(T).Name}.{p.Name}: expected {e}, read {a}");
            if (e is DateTime de) Assert.Equal(de.Kind, ((DateTime)a!).Kind);
        }
    }
}

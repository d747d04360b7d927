using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>
/// `db migrate` upgrades a database made before surveys, organisations and access links (docs/decisions/030) keeping
/// every row and link: the schema of the last migration before them ("MailOutbox", the same migrations as main had),
/// filled by raw SQL as main's code wrote it, and a committed SQLite file made that way (Fixtures/before-surveys.db).
/// </summary>
public class UpgradeTests
{
    public const string LastOldMigration = "MailOutbox";
    /// <summary>R01's first link, revoked when it was reissued; R01's live link; R02's link.</summary>
    public const string RevokedToken = "OldRevokedLinkR01aaaaaaa", LiveToken = "OldLiveLinkR01bbbbbbbbbb", OtherToken = "OldLinkR02ccccccccccccc0";
    private const string Fixture = "Fixtures/before-surveys.db";

    private static readonly DateTime Day = new(2023, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Migrates an empty database to the old schema and writes the old rows (ids 1, 2, … in order).</summary>
    internal static async Task SeedOldSchemaAsync(Database database)
    {
        await using var db = database.CreateContext();
        await db.GetService<IMigrator>().MigrateAsync(LastOldMigration);
        async Task Sql(string sql, params object[] args) => await db.Database.ExecuteSqlRawAsync(sql, args);
        await Sql("""INSERT INTO "Associations" ("Code", "Name", "Industry", "ContactName", "ContactEmail", "CreatedAt") VALUES ('R01', '一般社団法人旧版工業会', '製造業', '山田太郎', 'yamada@example.jp', {0})""", Day);
        await Sql("""INSERT INTO "Associations" ("Code", "Name", "Industry", "ContactName", "ContactEmail", "CreatedAt") VALUES ('R02', '旧版協会', NULL, NULL, NULL, {0})""", Day);
        // R01's link was reissued: its first row revoked, the answers moved to the second (as LinkReissue did then).
        await Sql("""INSERT INTO "Invitations" ("AssociationId", "SurveyId", "TokenHash", "CreatedAt", "RevokedAt") VALUES (1, 'sc3-2023', {0}, {1}, {2})""",
            InvitationTokens.Hash(RevokedToken), Day, Day.AddDays(19));
        await Sql("""INSERT INTO "Invitations" ("AssociationId", "SurveyId", "TokenHash", "CreatedAt") VALUES (1, 'sc3-2023', {0}, {1})""",
            InvitationTokens.Hash(LiveToken), Day.AddDays(19));
        await Sql("""INSERT INTO "Invitations" ("AssociationId", "SurveyId", "TokenHash", "CreatedAt") VALUES (2, 'sc3-2023', {0}, {1})""",
            InvitationTokens.Hash(OtherToken), Day);
        await Sql("""INSERT INTO "Drafts" ("InvitationId", "Answers", "Version", "UpdatedAt") VALUES (2, '{{"q3_1":"2"}}', 2, {0})""", Day.AddDays(20));
        await Sql("""INSERT INTO "Submissions" ("InvitationId", "Answers", "Version", "DraftVersion", "SubmittedAt", "FirstSubmittedAt") VALUES (2, '{{"q3_1":"2"}}', 1, 2, {0}, {0})""", Day.AddDays(20));
        await Sql("""INSERT INTO "AnswerHistory" ("InvitationId", "Version", "Answers", "SubmittedAt") VALUES (2, 1, '{{"q3_1":"2"}}', {0})""", Day.AddDays(20));
        await Sql("""INSERT INTO "Drafts" ("InvitationId", "Answers", "Version", "UpdatedAt") VALUES (3, '{{"q3_1":"1"}}', 1, {0})""", Day.AddDays(2));
        // The invitation mail went to R01's first link.
        await Sql("""
            INSERT INTO "OutboxMails" ("InvitationId", "Kind", "To", "Subject", "TextBody", "MessageId", "Status", "Attempts", "NextAttemptAt", "LeaseExpiresAt", "CreatedAt", "SentAt")
            VALUES (1, 'invitation', 'yamada@example.jp', '調査のお願い', '本文', 'old-1@example.jp', 'sent', 1, 0, 0, {0}, {0})
            """, Day);
        await Sql("""INSERT INTO "MailAttempts" ("MailId", "InvitationId", "At", "AtMs", "Result", "SmtpStatus") VALUES (1, 1, {0}, 0, 'sent', 250)""", Day);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task DbMigrate_UpgradesAnOldDatabase_KeepingEveryRow_AndTheLiveLinkOpensTheSameAnswers(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, prepare: async (cs, dir) =>
        {
            await SeedOldSchemaAsync(new Database(cs, dir));
            Assert.Equal(0, await Cli.ShirabeCommands.RunAsync(["db", "migrate", "--db", cs], TextWriter.Null, TextWriter.Null));
        });
        await AssertUpgradedAsync(app);
    }

    [Fact]
    public async Task TheCommittedOldSqliteFile_Upgrades_AndItsLinksWorkAsBefore()
    {
        var source = Path.Combine(AppContext.BaseDirectory, Fixture);
        await using var app = await TestApp.StartAsync(TestApp.Sqlite, prepare: (cs, _) =>
        {
            File.Copy(source, new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(cs).DataSource);
            return Task.CompletedTask;
        });
        await AssertUpgradedAsync(app);
    }

    private static async Task AssertUpgradedAsync(TestApp app)
    {
        await using (var db = app.Db())
        {
            var organisations = await db.Organisations.OrderBy(o => o.Id).ToListAsync();
            Assert.Equal([(1, "R01", "一般社団法人旧版工業会", "sc3-2023"), (2, "R02", "旧版協会", "sc3-2023")],
                organisations.Select(o => (o.Id, o.Code, o.Name, o.SeriesId)));
            var survey = await db.Surveys.SingleAsync();
            Assert.Equal(("sc3-2023", "sc3-2023"), (survey.Id, survey.SeriesId));
            // The start after the upgrade stored the served folder as version 1 and stamped the old answers with it.
            var version = await db.SurveyVersions.SingleAsync();
            Assert.Equal(("sc3-2023", 1), (version.SurveyId, version.Number));

            // One invitation per organisation and survey: R01's newest row (id 2) stays and holds every link.
            var invitations = await db.Invitations.OrderBy(i => i.Id).ToListAsync();
            Assert.Equal([(2, 1, "製造業", "山田太郎", "yamada@example.jp"), (3, 2, null, null, null)],
                invitations.Select(i => (i.Id, i.OrganisationId, i.Category, i.ContactName, i.ContactEmail)));
            var links = await db.AccessLinks.OrderBy(l => l.Id).ToListAsync();
            Assert.Equal([(2, InvitationTokens.Hash(RevokedToken), (DateTime?)Day.AddDays(19)), (2, InvitationTokens.Hash(LiveToken), null),
                (3, InvitationTokens.Hash(OtherToken), null)], links.Select(l => (l.InvitationId, l.TokenHash, l.RevokedAt)));

            Assert.Equal([(2, "{\"q3_1\":\"2\"}", 2), (3, "{\"q3_1\":\"1\"}", 1)],
                (await db.Drafts.OrderBy(d => d.InvitationId).ToListAsync()).Select(d => (d.InvitationId, d.Answers, d.Version)));
            var submission = await db.Submissions.SingleAsync();
            Assert.Equal((2, 1, true, SubmissionChannel.Web, Day.AddDays(20)),
                (submission.InvitationId, submission.Version, submission.Valid, submission.Channel, submission.SubmittedAt));
            Assert.Equal(2, (await db.AnswerHistory.SingleAsync()).InvitationId);
            Assert.Equal(2, (await db.OutboxMails.SingleAsync()).InvitationId);
            Assert.Equal(2, (await db.MailAttempts.SingleAsync()).InvitationId);
            Assert.All(await db.Drafts.ToListAsync(), d => Assert.Equal(version.Id, d.SurveyVersionId));
            Assert.Equal(version.Id, submission.SurveyVersionId);
        }

        var client = app.Client();
        var live = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync($"/a/{LiveToken}"));
        Assert.Contains("一般社団法人旧版工業会", live);
        Assert.Contains("R01-1", live); // the receipt of the submission made before the upgrade
        Assert.Contains("旧版協会", await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync($"/a/{OtherToken}")));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/a/{RevokedToken}")).StatusCode);
    }
}

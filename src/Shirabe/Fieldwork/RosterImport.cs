using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Shirabe.Admin;
using Shirabe.Core;
using Shirabe.Data;
using Shirabe.Surveys;

namespace Shirabe.Fieldwork;

/// <summary>
/// What a roster import did (docs/decisions/048-roster-import.md). <see cref="Updated"/> counts the invitees whose
/// organisation name or contact fields changed; <see cref="Missing"/> lists (up to <see cref="RosterImport.MaxListed"/>)
/// the codes invited to the survey that the file no longer has — kept, not deleted.
/// </summary>
public sealed record RosterImportResult(int Rows, int NewOrganisations, int NewInvitations, int Updated, int Unchanged,
    int MissingCount, IReadOnlyList<string> Missing, IReadOnlyList<RosterProblem> Warnings);

/// <summary>
/// Imports a roster file (<see cref="RosterFile"/>) into one survey (wave): organisations are upserted by code within
/// the survey's series, the survey's invitations by organisation. All or nothing, in one transaction: the rows are
/// streamed batch by batch into a temporary staging table (binary COPY on PostgreSQL, a prepared insert on SQLite), and
/// only when the whole file has been read without an error are the organisations and invitations written by a few
/// set-based statements. Nothing is ever deleted. Memory stays flat whatever the file's length.
/// </summary>
public static class RosterImport
{
    /// <summary>The most missing codes listed (the rest are counted).</summary>
    public const int MaxListed = 100;

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The survey row (with its series), or a <see cref="UserError"/> naming the surveys that do exist.</summary>
    public static async Task<SurveyRecord> FindSurveyAsync(ShirabeDb db, string surveyId, CancellationToken cancel = default)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == surveyId, cancel);
        if (survey is not null) return survey;
        var known = await db.Surveys.AsNoTracking().OrderBy(s => s.Id).Select(s => s.Id).Take(20).ToListAsync(cancel);
        throw new UserError($"調査「{RosterFile.Shorten(surveyId)}」はデータベースに登録されていません。"
            + (known.Count > 0 ? "登録済みの調査: " + string.Join("、", known) + "。" : "登録済みの調査はまだありません（serve で一度起動すると、その調査が登録されます）。"));
    }

    /// <summary>
    /// The heading of the survey's category column (<see cref="RosterFile.CategoryHeading"/>) as its served version
    /// defines it; null when it has no category item (or no stored version).
    /// </summary>
    public static async Task<string?> CategoryHeadingAsync(ShirabeDb db, SurveyRecord survey, CancellationToken cancel = default) =>
        await SurveyCatalog.ServedVersionAsync(db, survey, cancel) is { } version ? RosterFile.CategoryHeading(SurveyCatalog.Load(version)) : null;

    /// <summary>
    /// Reads <paramref name="input"/> and imports it into <paramref name="surveyId"/>. A file with any error throws
    /// <see cref="RosterFileException"/> (every problem with row and column) and nothing is written. The audit entry
    /// (counts only) is written in the same transaction, by <paramref name="userId"/> (null: the command line).
    /// </summary>
    public static async Task<RosterImportResult> ImportAsync(ShirabeDb db, string surveyId, Stream input, string fileName,
        RosterReadOptions? options, TimeProvider clock, int? userId, IProgress<ResponsesTransfer.ImportProgress>? progress = null,
        CancellationToken cancel = default)
    {
        var survey = await FindSurveyAsync(db, surveyId, cancel);
        options = (options ?? new()) with { CategoryHeading = await CategoryHeadingAsync(db, survey, cancel) };
        using var roster = RosterFile.Open(input, fileName, options);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        await LockAsync(db, "roster:" + survey.SeriesId, cancel);
        await using var stage = db is PostgresShirabeDb ? (Stage)new PostgresStage(tx) : new SqliteStage(tx);
        await stage.CreateAsync(cancel);
        var batch = new List<RosterEntry>(stage.BatchSize);
        var rows = 0;
        foreach (var entry in roster.Entries()) // throws at the end when anything in the file is wrong: the transaction rolls back
        {
            batch.Add(entry);
            if (batch.Count < stage.BatchSize) continue;
            await stage.WriteAsync(batch, cancel);
            rows += batch.Count;
            batch.Clear();
            progress?.Report(new(rows, Share(input)));
        }
        await stage.WriteAsync(batch, cancel);
        rows += batch.Count;
        progress?.Report(new(rows, input.CanSeek ? 1 : null));

        var result = await ApplyAsync(stage, survey, now, rows, roster.Warnings, cancel);
        await new AuditLog(db, clock).WriteAsync(userId, AuditAction.RosterImported, "survey:" + survey.Id, new
        {
            rows, organisations = result.NewOrganisations, invitations = result.NewInvitations, updated = result.Updated,
            unchanged = result.Unchanged, missing = result.MissingCount, warnings = result.Warnings.Count, format = roster.Format,
        }, cancel);
        await stage.DropAsync(cancel);
        await tx.CommitAsync(cancel);
        return result;
    }

    /// <summary>
    /// Serialises writers of one key until the transaction ends: on PostgreSQL an advisory lock (two imports into one
    /// series would otherwise both add a new code); SQLite's transaction already holds the one write lock.
    /// </summary>
    internal static async Task LockAsync(ShirabeDb db, string key, CancellationToken cancel)
    {
        if (db is PostgresShirabeDb) await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtext({key}))", cancel);
    }

    private static double? Share(Stream input) =>
        input.CanSeek && input.Length > 0 ? Math.Min(1, (double)input.Position / input.Length) : null;

    /// <summary>Counts what will change, then upserts organisations and invitations from the staging table.</summary>
    private static async Task<RosterImportResult> ApplyAsync(Stage stage, SurveyRecord survey, DateTime now, int rows,
        IReadOnlyList<RosterProblem> warnings, CancellationToken cancel)
    {
        const string matched = """
            FROM "RosterStage" s
            LEFT JOIN "Organisations" o ON o."SeriesId" = @series AND o."Code" = s."Code"
            LEFT JOIN "Invitations" i ON i."SurveyId" = @survey AND i."OrganisationId" = o."Id"
            """;
        const string changed = """
            (o."Name" <> s."Name" OR i."ContactName" IS DISTINCT FROM s."ContactName" OR i."ContactEmail" IS DISTINCT FROM s."Email"
             OR i."Cc" IS DISTINCT FROM s."Cc" OR i."Category" IS DISTINCT FROM s."Category" OR i."Attributes" IS DISTINCT FROM s."Attributes")
            """;
        var counts = await stage.ReadAsync($"""
            SELECT count(*) FILTER (WHERE o."Id" IS NULL),
                   count(*) FILTER (WHERE i."Id" IS NULL),
                   count(*) FILTER (WHERE i."Id" IS NOT NULL AND {changed})
            {matched}
            """, survey, now, r => ((int)r.GetInt64(0), (int)r.GetInt64(1), (int)r.GetInt64(2)), cancel);
        var (newOrganisations, newInvitations, updated) = counts[0];
        const string missingRows = """
            FROM "Invitations" i JOIN "Organisations" o ON o."Id" = i."OrganisationId"
            WHERE i."SurveyId" = @survey AND NOT EXISTS (SELECT 1 FROM "RosterStage" s WHERE s."Code" = o."Code")
            """;
        var missingCount = (await stage.ReadAsync("SELECT count(*) " + missingRows, survey, now, r => (int)r.GetInt64(0), cancel))[0];
        var missing = await stage.ReadAsync($"""SELECT o."Code" {missingRows} ORDER BY o."Code" LIMIT {MaxListed}""",
            survey, now, r => r.GetString(0), cancel);

        // Organisations: a new code is added (in file order), a changed name is updated; the series keeps every other one.
        await stage.ExecuteAsync("""
            UPDATE "Organisations" AS o SET "Name" = s."Name"
            FROM "RosterStage" s WHERE o."SeriesId" = @series AND o."Code" = s."Code" AND o."Name" <> s."Name"
            """, survey, now, cancel);
        await stage.ExecuteAsync("""
            INSERT INTO "Organisations" ("SeriesId", "Code", "Name", "CreatedAt")
            SELECT @series, s."Code", s."Name", @now FROM "RosterStage" s
            WHERE NOT EXISTS (SELECT 1 FROM "Organisations" o WHERE o."SeriesId" = @series AND o."Code" = s."Code")
            ORDER BY s."Row"
            """, survey, now, cancel);
        // Invitations: the wave's contact fields are replaced by the file's (a blank cell clears its field).
        await stage.ExecuteAsync("""
            UPDATE "Invitations" AS i SET "ContactName" = s."ContactName", "ContactEmail" = s."Email", "Cc" = s."Cc",
                "Category" = s."Category", "Attributes" = s."Attributes"
            FROM "RosterStage" s JOIN "Organisations" o ON o."SeriesId" = @series AND o."Code" = s."Code"
            WHERE i."SurveyId" = @survey AND i."OrganisationId" = o."Id"
              AND (i."ContactName" IS DISTINCT FROM s."ContactName" OR i."ContactEmail" IS DISTINCT FROM s."Email"
                   OR i."Cc" IS DISTINCT FROM s."Cc" OR i."Category" IS DISTINCT FROM s."Category" OR i."Attributes" IS DISTINCT FROM s."Attributes")
            """, survey, now, cancel);
        await stage.ExecuteAsync("""
            INSERT INTO "Invitations" ("SurveyId", "OrganisationId", "ContactName", "ContactEmail", "Cc", "Category", "Attributes", "CreatedAt")
            SELECT @survey, o."Id", s."ContactName", s."Email", s."Cc", s."Category", s."Attributes", @now
            FROM "RosterStage" s JOIN "Organisations" o ON o."SeriesId" = @series AND o."Code" = s."Code"
            WHERE NOT EXISTS (SELECT 1 FROM "Invitations" i WHERE i."SurveyId" = @survey AND i."OrganisationId" = o."Id")
            ORDER BY s."Row"
            """, survey, now, cancel);
        return new RosterImportResult(rows, newOrganisations, newInvitations, updated, rows - newInvitations - updated,
            missingCount, missing, warnings);
    }

    /// <summary>The stored form of an entry's CC list and attributes (null when there are none).</summary>
    internal static string? StoredCc(RosterEntry e) => e.Cc.Count == 0 ? null : string.Join("; ", e.Cc);

    internal static string? StoredAttributes(RosterEntry e) => e.Attributes.Count == 0 ? null : JsonSerializer.Serialize(e.Attributes, Json);

    /// <summary>The temporary table "RosterStage" on the transaction's connection, and SQL run beside it.</summary>
    private abstract class Stage(IDbContextTransaction tx) : IAsyncDisposable
    {
        protected DbTransaction Transaction { get; } = tx.GetDbTransaction();
        protected DbConnection Connection => Transaction.Connection!;
        public abstract int BatchSize { get; }
        public abstract Task CreateAsync(CancellationToken cancel);
        public abstract Task WriteAsync(List<RosterEntry> batch, CancellationToken cancel);
        public virtual Task DropAsync(CancellationToken cancel) => Task.CompletedTask;
        public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

        protected DbCommand Command(string sql, SurveyRecord? survey = null, DateTime? now = null)
        {
            var cmd = Connection.CreateCommand();
            cmd.Transaction = Transaction;
            cmd.CommandText = sql;
            cmd.CommandTimeout = 0; // a set-based statement over 100,000 rows may take a while on a slow disk
            if (survey is not null)
            {
                Add(cmd, "series", survey.SeriesId);
                Add(cmd, "survey", survey.Id);
            }
            if (now is not null) Add(cmd, "now", now.Value);
            return cmd;
        }

        private static void Add(DbCommand cmd, string name, object value)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }

        public async Task ExecuteAsync(string sql, SurveyRecord survey, DateTime now, CancellationToken cancel)
        {
            await using var cmd = Command(sql, survey, now);
            await cmd.ExecuteNonQueryAsync(cancel);
        }

        public async Task<List<T>> ReadAsync<T>(string sql, SurveyRecord survey, DateTime now, Func<DbDataReader, T> read, CancellationToken cancel)
        {
            await using var cmd = Command(sql, survey, now);
            await using var reader = await cmd.ExecuteReaderAsync(cancel);
            var list = new List<T>();
            while (await reader.ReadAsync(cancel)) list.Add(read(reader));
            return list;
        }
    }

    private sealed class SqliteStage(IDbContextTransaction tx) : Stage(tx)
    {
        private SqliteCommand? _insert;
        public override int BatchSize => 2000;

        public override async Task CreateAsync(CancellationToken cancel)
        {
            await using (var cmd = Command("""
                DROP TABLE IF EXISTS temp."RosterStage";
                CREATE TEMP TABLE "RosterStage" ("Code" TEXT NOT NULL PRIMARY KEY, "Row" INTEGER NOT NULL, "Name" TEXT NOT NULL,
                    "ContactName" TEXT, "Email" TEXT, "Cc" TEXT, "Category" TEXT, "Attributes" TEXT);
                """))
                await cmd.ExecuteNonQueryAsync(cancel);
            _insert = (SqliteCommand)Command("""
                INSERT INTO "RosterStage" VALUES ($code, $row, $name, $contact, $email, $cc, $category, $attributes)
                """);
            foreach (var name in new[] { "$code", "$row", "$name", "$contact", "$email", "$cc", "$category", "$attributes" })
                _insert.Parameters.Add(new SqliteParameter { ParameterName = name });
            _insert.Prepare();
        }

        /// <summary>SQLite runs in-process: one prepared statement rebound per row costs no round trip.</summary>
        public override async Task WriteAsync(List<RosterEntry> batch, CancellationToken cancel)
        {
            var p = _insert!.Parameters;
            foreach (var e in batch)
            {
                p[0].Value = e.Code;
                p[1].Value = e.Row;
                p[2].Value = e.Name;
                p[3].Value = (object?)e.ContactName ?? DBNull.Value;
                p[4].Value = (object?)e.Email ?? DBNull.Value;
                p[5].Value = (object?)StoredCc(e) ?? DBNull.Value;
                p[6].Value = (object?)e.Category ?? DBNull.Value;
                p[7].Value = (object?)StoredAttributes(e) ?? DBNull.Value;
                await _insert.ExecuteNonQueryAsync(cancel);
            }
        }

        public override async Task DropAsync(CancellationToken cancel)
        {
            await using var cmd = Command("""DROP TABLE temp."RosterStage" """);
            await cmd.ExecuteNonQueryAsync(cancel);
        }

        public override async ValueTask DisposeAsync()
        {
            if (_insert is not null) await _insert.DisposeAsync();
        }
    }

    private sealed class PostgresStage(IDbContextTransaction tx) : Stage(tx)
    {
        public override int BatchSize => 5000;

        public override async Task CreateAsync(CancellationToken cancel)
        {
            await using var cmd = Command("""
                CREATE TEMP TABLE "RosterStage" ("Code" varchar(40) NOT NULL PRIMARY KEY, "Row" bigint NOT NULL, "Name" varchar(200) NOT NULL,
                    "ContactName" varchar(100), "Email" varchar(200), "Cc" varchar(1000), "Category" varchar(100), "Attributes" text)
                ON COMMIT DROP
                """);
            await cmd.ExecuteNonQueryAsync(cancel);
        }

        public override async Task WriteAsync(List<RosterEntry> batch, CancellationToken cancel)
        {
            if (batch.Count == 0) return;
            await using var copy = await ((NpgsqlConnection)Connection).BeginBinaryImportAsync(
                """COPY "RosterStage" ("Code", "Row", "Name", "ContactName", "Email", "Cc", "Category", "Attributes") FROM STDIN (FORMAT BINARY)""", cancel);
            foreach (var e in batch)
            {
                await copy.StartRowAsync(cancel);
                await copy.WriteAsync(e.Code, NpgsqlDbType.Varchar, cancel);
                await copy.WriteAsync(e.Row, NpgsqlDbType.Bigint, cancel);
                await copy.WriteAsync(e.Name, NpgsqlDbType.Varchar, cancel);
                foreach (var value in new[] { e.ContactName, e.Email, StoredCc(e), e.Category })
                    if (value is null) await copy.WriteNullAsync(cancel);
                    else await copy.WriteAsync(value, NpgsqlDbType.Varchar, cancel);
                if (StoredAttributes(e) is { } attributes) await copy.WriteAsync(attributes, NpgsqlDbType.Text, cancel);
                else await copy.WriteNullAsync(cancel);
            }
            await copy.CompleteAsync(cancel);
        }
    }
}

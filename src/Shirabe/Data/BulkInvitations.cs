using System.Data.Common;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Shirabe.Data;

/// <summary>
/// One invitation to write in bulk (with a new link), with its organisation when that does not exist in the series yet,
/// and optionally the answers: a draft (version 1) and, when <see cref="SubmittedAt"/> is set, a first submission and
/// its history row. An organisation already invited to the survey gets the new link on its invitation.
/// </summary>
public sealed class NewInvitation
{
    public required string Code { get; init; }
    /// <summary>The new organisation's name; replaced by the stored name when the organisation already exists.</summary>
    public required string Name { get; set; }
    public string? Category { get; init; }
    public string? ContactName { get; init; }
    public required byte[] TokenHash { get; init; }
    /// <summary>Draft answers (stored JSON); null: the invitation only (nothing answered yet).</summary>
    public string? Answers { get; init; }
    /// <summary>Set: the answers are also submitted (version 1) at this time, which is also the draft's; else the draft is saved now.</summary>
    public DateTime? SubmittedAt { get; init; }
}

/// <summary>
/// Writes invitations (and their organisations, links and answers) batch by batch inside one transaction, without the
/// change tracker: ids are reserved up front, existing organisations of the survey's series and their invitations are
/// looked up with one parameter per batch, and the rows go in as multi-row prepared inserts (SQLite) or binary COPY
/// (PostgreSQL). docs/decisions/024-bulk-writes.md.
/// Nothing is visible to others until <see cref="CommitAsync"/>; disposing without it rolls everything back.
/// </summary>
public abstract class BulkInvitations : IAsyncDisposable
{
    private readonly IDbContextTransaction _tx;
    private readonly List<string> _taken = [];
    private readonly Dictionary<string, Found> _found = new(StringComparer.Ordinal);

    protected BulkInvitations(IDbContextTransaction tx, SurveyRecord survey, int? versionId, DateTime now)
    {
        _tx = tx;
        SurveyId = survey.Id;
        SeriesId = survey.SeriesId;
        VersionId = versionId;
        Now = now;
    }

    protected string SurveyId { get; }
    protected string SeriesId { get; }
    /// <summary>The survey's served version, stamped on the answers written (null: none stored yet).</summary>
    protected int? VersionId { get; }
    protected DateTime Now { get; }

    /// <summary>An organisation of the series found by code: its invitation to the survey, if any, and its answers.</summary>
    protected readonly record struct Found(int Id, string Name, int? InvitationId, bool Submitted, bool Drafted);
    protected DbTransaction Transaction => _tx.GetDbTransaction();

    /// <summary>Rows per batch: one lookup and one write per table per batch.</summary>
    public abstract int BatchSize { get; }

    /// <summary>
    /// The codes of the rows whose organisation already has a submission for the survey, or a draft when the row brings
    /// answers (nothing is written once there is one).
    /// </summary>
    public IReadOnlyList<string> Taken => _taken;

    /// <summary>
    /// Opens the database's one transaction for the whole bulk write. A survey not stored yet gets its row (and its
    /// series: survey.yaml `series`, else its id) without a definition version; the next start stores the definition.
    /// </summary>
    public static async Task<BulkInvitations> BeginAsync(ShirabeDb db, Core.Questionnaire.Survey survey, DateTime now,
        CancellationToken cancel = default)
    {
        var tx = await db.Database.BeginTransactionAsync(cancel); // SQLite: BEGIN IMMEDIATE, the writer's lock from the start
        try
        {
            var record = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Id == survey.Id, cancel);
            if (record is null)
            {
                var seriesId = survey.Series ?? survey.Id;
                if (!await db.Series.AnyAsync(s => s.Id == seriesId, cancel))
                    db.Series.Add(new Series { Id = seriesId, Title = survey.Title, CreatedAt = now });
                db.Surveys.Add(record = new SurveyRecord { Id = survey.Id, SeriesId = seriesId, Title = survey.Title, CreatedAt = now });
                await db.SaveChangesAsync(cancel);
                db.ChangeTracker.Clear();
            }
            var versionId = await db.SurveyVersions.Where(v => v.SurveyId == survey.Id
                    && (record.PublishedVersionId == null || v.Id == record.PublishedVersionId))
                .OrderByDescending(v => v.Number).Select(v => (int?)v.Id).FirstOrDefaultAsync(cancel);
            BulkInvitations bulk = db is PostgresShirabeDb
                ? new PostgresBulk(tx, record, versionId, now)
                : new SqliteBulk(tx, record, versionId, now);
            await bulk.StartAsync(cancel);
            return bulk;
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes one batch. Rows whose organisation exists in the series get that organisation (and its stored name), and
    /// its invitation to the survey when there is one; a row whose invitation already has a submission (or a draft,
    /// when the row brings answers) is added to <see cref="Taken"/>, and from then on nothing more is written (the
    /// caller rolls back), but the lookups go on so that every taken code is listed.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<NewInvitation> rows, CancellationToken cancel = default)
    {
        if (rows.Count == 0) return;
        _found.Clear();
        await LookUpAsync(rows.Select(r => r.Code).ToList(), _found, cancel);
        foreach (var r in rows)
            if (_found.TryGetValue(r.Code, out var a))
            {
                r.Name = a.Name;
                if (a.Submitted || a.Drafted && r.Answers is not null) _taken.Add(r.Code);
            }
        if (_taken.Count > 0) return;
        var newOrganisations = rows.Count(r => !_found.ContainsKey(r.Code));
        var newInvitations = rows.Count(r => _found.GetValueOrDefault(r.Code).InvitationId is null);
        var (organisationIds, invitationIds) = await ReserveIdsAsync(newOrganisations, newInvitations, cancel);
        var plan = new Planned[rows.Count];
        int nextOrganisation = 0, nextInvitation = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var existing = _found.TryGetValue(r.Code, out var a);
            plan[i] = new Planned(r, existing ? a.Id : organisationIds[nextOrganisation++], !existing,
                a.InvitationId ?? invitationIds[nextInvitation++], a.InvitationId is null);
        }
        await InsertAsync(plan, cancel);
    }

    public async Task CommitAsync(CancellationToken cancel = default) => await _tx.CommitAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        await DisposeCommandsAsync();
        await _tx.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected readonly record struct Planned(NewInvitation Row, long OrganisationId, bool NewOrganisation, long InvitationId, bool NewInvitation);

    protected abstract Task StartAsync(CancellationToken cancel);
    protected abstract Task LookUpAsync(List<string> codes, Dictionary<string, Found> found, CancellationToken cancel);
    protected abstract Task<(long[] Organisations, long[] Invitations)> ReserveIdsAsync(int organisations, int invitations, CancellationToken cancel);
    protected abstract Task InsertAsync(Planned[] plan, CancellationToken cancel);
    protected virtual ValueTask DisposeCommandsAsync() => ValueTask.CompletedTask;

    private sealed class SqliteBulk(IDbContextTransaction tx, SurveyRecord survey, int? versionId, DateTime now)
        : BulkInvitations(tx, survey, versionId, now)
    {
        private SqliteConnection _c = null!;
        private SqliteCommand _lookUp = null!;
        private long _nextOrganisation, _nextInvitation;
        private MultiRowInsert _organisations = null!, _invitations = null!, _links = null!, _drafts = null!;
        private SqliteCommand _submissions = null!, _history = null!;

        public override int BatchSize => 2000;

        protected override async Task StartAsync(CancellationToken cancel)
        {
            _c = (SqliteConnection)Transaction.Connection!;
            // The transaction holds the write lock: ids above the highest ever used are ours until commit.
            _nextOrganisation = await NextIdAsync("Organisations", cancel);
            _nextInvitation = await NextIdAsync("Invitations", cancel);
            _lookUp = Command("""
                SELECT o.Id, o.Code, o.Name, i.Id,
                       EXISTS (SELECT 1 FROM Submissions s WHERE s.InvitationId = i.Id),
                       EXISTS (SELECT 1 FROM Drafts d WHERE d.InvitationId = i.Id)
                FROM Organisations o LEFT JOIN Invitations i ON i.OrganisationId = o.Id AND i.SurveyId = $survey
                WHERE o.SeriesId = $series AND o.Code IN (SELECT value FROM json_each($codes))
                """);
            _lookUp.Parameters.AddWithValue("$survey", SurveyId);
            _lookUp.Parameters.AddWithValue("$series", SeriesId);
            _lookUp.Parameters.Add("$codes", SqliteType.Text);
            _organisations = new(_c, (SqliteTransaction)Transaction, "Organisations", ["Id", "SeriesId", "Code", "Name", "CreatedAt"]);
            _invitations = new(_c, (SqliteTransaction)Transaction, "Invitations", ["Id", "SurveyId", "OrganisationId", "Category", "ContactName", "CreatedAt"]);
            _links = new(_c, (SqliteTransaction)Transaction, "AccessLinks", ["InvitationId", "TokenHash", "CreatedAt"]);
            _drafts = new(_c, (SqliteTransaction)Transaction, "Drafts", ["InvitationId", "Answers", "Version", "UpdatedAt", "SurveyVersionId"]);
            // A submitted row's submission and history are its draft's answers and time: copied inside SQLite, so the
            // answers are bound once, not three times.
            _submissions = FromDrafts("""
                INSERT INTO Submissions (InvitationId, Answers, Version, DraftVersion, SubmittedAt, FirstSubmittedAt, SurveyVersionId, Valid, Channel)
                SELECT InvitationId, Answers, 1, 1, UpdatedAt, UpdatedAt, SurveyVersionId, 1, 'web' FROM Drafts WHERE InvitationId IN (SELECT value FROM json_each($ids))
                """);
            _history = FromDrafts("""
                INSERT INTO AnswerHistory (InvitationId, Version, Answers, SubmittedAt, SurveyVersionId)
                SELECT InvitationId, 1, Answers, UpdatedAt, SurveyVersionId FROM Drafts WHERE InvitationId IN (SELECT value FROM json_each($ids))
                """);
        }

        private async Task<long> NextIdAsync(string table, CancellationToken cancel)
        {
            await using var cmd = Command($"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), coalesce((SELECT max(Id) FROM {table}), 0)) + 1");
            return (long)(await cmd.ExecuteScalarAsync(cancel))!;
        }

        private SqliteCommand Command(string sql) => new(sql, _c, (SqliteTransaction)Transaction);

        private SqliteCommand FromDrafts(string sql)
        {
            var cmd = Command(sql);
            cmd.Parameters.Add("$ids", SqliteType.Text);
            cmd.Prepare();
            return cmd;
        }

        protected override async Task LookUpAsync(List<string> codes, Dictionary<string, Found> found, CancellationToken cancel)
        {
            _lookUp.Parameters["$codes"].Value = JsonSerializer.Serialize(codes);
            await using var reader = await _lookUp.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel))
                found[reader.GetString(1)] = new(reader.GetInt32(0), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetBoolean(4), reader.GetBoolean(5));
        }

        protected override Task<(long[], long[])> ReserveIdsAsync(int organisations, int invitations, CancellationToken cancel)
        {
            var a = new long[organisations];
            for (var i = 0; i < a.Length; i++) a[i] = _nextOrganisation++;
            var v = new long[invitations];
            for (var i = 0; i < v.Length; i++) v[i] = _nextInvitation++;
            return Task.FromResult((a, v));
        }

        protected override Task InsertAsync(Planned[] plan, CancellationToken cancel)
        {
            // Parents before children, table by table (the foreign keys are checked per statement).
            foreach (var p in plan)
                if (p.NewOrganisation)
                    _organisations.Add(p.OrganisationId, SeriesId, p.Row.Code, p.Row.Name, Now);
            _organisations.Flush();
            foreach (var p in plan)
                if (p.NewInvitation)
                    _invitations.Add(p.InvitationId, SurveyId, p.OrganisationId, p.Row.Category, p.Row.ContactName, Now);
            _invitations.Flush();
            foreach (var p in plan)
                _links.Add(p.InvitationId, p.Row.TokenHash, Now);
            _links.Flush();
            var submitted = new List<long>(plan.Length);
            foreach (var p in plan)
                if (p.Row.Answers is { } answers)
                {
                    _drafts.Add(p.InvitationId, answers, 1, p.Row.SubmittedAt ?? Now, VersionId);
                    if (p.Row.SubmittedAt is not null) submitted.Add(p.InvitationId);
                }
            _drafts.Flush();
            if (submitted.Count > 0)
            {
                var ids = JsonSerializer.Serialize(submitted);
                foreach (var cmd in new[] { _submissions, _history })
                {
                    cmd.Parameters["$ids"].Value = ids;
                    cmd.ExecuteNonQuery();
                }
            }
            return Task.CompletedTask;
        }

        protected override async ValueTask DisposeCommandsAsync()
        {
            if (_lookUp is not null) await _lookUp.DisposeAsync();
            foreach (var insert in new[] { _organisations, _invitations, _links, _drafts })
                insert?.Dispose();
            foreach (var cmd in new[] { _submissions, _history })
                if (cmd is not null) await cmd.DisposeAsync();
        }

    }

    private sealed class PostgresBulk(IDbContextTransaction tx, SurveyRecord survey, int? versionId, DateTime now)
        : BulkInvitations(tx, survey, versionId, now)
    {
        private NpgsqlConnection _c = null!;

        public override int BatchSize => 5000;

        protected override Task StartAsync(CancellationToken cancel)
        {
            _c = (NpgsqlConnection)Transaction.Connection!;
            return Task.CompletedTask;
        }

        protected override async Task LookUpAsync(List<string> codes, Dictionary<string, Found> found, CancellationToken cancel)
        {
            await using var cmd = new NpgsqlCommand("""
                SELECT o."Id", o."Code", o."Name", i."Id",
                       EXISTS (SELECT 1 FROM "Submissions" s WHERE s."InvitationId" = i."Id"),
                       EXISTS (SELECT 1 FROM "Drafts" d WHERE d."InvitationId" = i."Id")
                FROM "Organisations" o LEFT JOIN "Invitations" i ON i."OrganisationId" = o."Id" AND i."SurveyId" = @survey
                WHERE o."SeriesId" = @series AND o."Code" = ANY(@codes)
                """, _c, (NpgsqlTransaction)Transaction);
            cmd.Parameters.AddWithValue("survey", SurveyId);
            cmd.Parameters.AddWithValue("series", SeriesId);
            cmd.Parameters.AddWithValue("codes", codes.ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel))
                found[reader.GetString(1)] = new(reader.GetInt32(0), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetBoolean(4), reader.GetBoolean(5));
        }

        protected override async Task<(long[], long[])> ReserveIdsAsync(int organisations, int invitations, CancellationToken cancel)
        {
            // Taken from the identity sequences, so the server's own inserts never collide with these ids.
            await using var cmd = new NpgsqlCommand("""
                SELECT nextval(pg_get_serial_sequence('"Organisations"', 'Id')) FROM generate_series(1, @a);
                SELECT nextval(pg_get_serial_sequence('"Invitations"', 'Id')) FROM generate_series(1, @i);
                """, _c, (NpgsqlTransaction)Transaction);
            cmd.Parameters.AddWithValue("a", organisations);
            cmd.Parameters.AddWithValue("i", invitations);
            await using var reader = await cmd.ExecuteReaderAsync(cancel);
            var a = new List<long>(organisations);
            while (await reader.ReadAsync(cancel)) a.Add(reader.GetInt64(0));
            await reader.NextResultAsync(cancel);
            var v = new List<long>(invitations);
            while (await reader.ReadAsync(cancel)) v.Add(reader.GetInt64(0));
            return (a.ToArray(), v.ToArray());
        }

        protected override async Task InsertAsync(Planned[] plan, CancellationToken cancel)
        {
            await using (var copy = await _c.BeginBinaryImportAsync(
                """COPY "Organisations" ("Id", "SeriesId", "Code", "Name", "CreatedAt") FROM STDIN (FORMAT BINARY)""", cancel))
            {
                foreach (var p in plan.Where(p => p.NewOrganisation))
                {
                    copy.StartRow();
                    copy.Write((int)p.OrganisationId, NpgsqlDbType.Integer);
                    copy.Write(SeriesId, NpgsqlDbType.Varchar);
                    copy.Write(p.Row.Code, NpgsqlDbType.Varchar);
                    copy.Write(p.Row.Name, NpgsqlDbType.Varchar);
                    copy.Write(Now, NpgsqlDbType.TimestampTz);
                }
                await copy.CompleteAsync(cancel);
            }
            await using (var copy = await _c.BeginBinaryImportAsync(
                """COPY "Invitations" ("Id", "SurveyId", "OrganisationId", "Category", "ContactName", "CreatedAt") FROM STDIN (FORMAT BINARY)""", cancel))
            {
                foreach (var p in plan.Where(p => p.NewInvitation))
                {
                    copy.StartRow();
                    copy.Write((int)p.InvitationId, NpgsqlDbType.Integer);
                    copy.Write(SurveyId, NpgsqlDbType.Varchar);
                    copy.Write((int)p.OrganisationId, NpgsqlDbType.Integer);
                    WriteNullable(copy, p.Row.Category);
                    WriteNullable(copy, p.Row.ContactName);
                    copy.Write(Now, NpgsqlDbType.TimestampTz);
                }
                await copy.CompleteAsync(cancel);
            }
            await using (var copy = await _c.BeginBinaryImportAsync(
                """COPY "AccessLinks" ("InvitationId", "TokenHash", "CreatedAt") FROM STDIN (FORMAT BINARY)""", cancel))
            {
                foreach (var p in plan)
                {
                    copy.StartRow();
                    copy.Write((int)p.InvitationId, NpgsqlDbType.Integer);
                    copy.Write(p.Row.TokenHash, NpgsqlDbType.Bytea);
                    copy.Write(Now, NpgsqlDbType.TimestampTz);
                }
                await copy.CompleteAsync(cancel);
            }
            await using (var copy = await _c.BeginBinaryImportAsync(
                """COPY "Drafts" ("InvitationId", "Answers", "Version", "UpdatedAt", "SurveyVersionId") FROM STDIN (FORMAT BINARY)""", cancel))
            {
                foreach (var p in plan.Where(p => p.Row.Answers is not null))
                {
                    copy.StartRow();
                    copy.Write((int)p.InvitationId, NpgsqlDbType.Integer);
                    copy.Write(p.Row.Answers!, NpgsqlDbType.Text);
                    copy.Write(1, NpgsqlDbType.Integer);
                    copy.Write(p.Row.SubmittedAt ?? Now, NpgsqlDbType.TimestampTz);
                    WriteNullable(copy, VersionId);
                }
                await copy.CompleteAsync(cancel);
            }
            var submitted = plan.Where(p => p.Row is { Answers: not null, SubmittedAt: not null }).ToList();
            await using (var copy = await _c.BeginBinaryImportAsync(
                """COPY "Submissions" ("InvitationId", "Answers", "Version", "DraftVersion", "SubmittedAt", "FirstSubmittedAt", "SurveyVersionId", "Valid", "Channel") FROM STDIN (FORMAT BINARY)""", cancel))
            {
                foreach (var p in submitted)
                {
                    copy.StartRow();
                    copy.Write((int)p.InvitationId, NpgsqlDbType.Integer);
                    copy.Write(p.Row.Answers!, NpgsqlDbType.Text);
                    copy.Write(1, NpgsqlDbType.Integer);
                    copy.Write(1, NpgsqlDbType.Integer);
                    copy.Write(p.Row.SubmittedAt!.Value, NpgsqlDbType.TimestampTz);
                    copy.Write(p.Row.SubmittedAt!.Value, NpgsqlDbType.TimestampTz);
                    WriteNullable(copy, VersionId);
                    copy.Write(true, NpgsqlDbType.Boolean);
                    copy.Write(SubmissionChannel.Web, NpgsqlDbType.Varchar);
                }
                await copy.CompleteAsync(cancel);
            }
            await using (var copy = await _c.BeginBinaryImportAsync(
                """COPY "AnswerHistory" ("InvitationId", "Version", "Answers", "SubmittedAt", "SurveyVersionId") FROM STDIN (FORMAT BINARY)""", cancel))
            {
                foreach (var p in submitted)
                {
                    copy.StartRow();
                    copy.Write((int)p.InvitationId, NpgsqlDbType.Integer);
                    copy.Write(1, NpgsqlDbType.Integer);
                    copy.Write(p.Row.Answers!, NpgsqlDbType.Text);
                    copy.Write(p.Row.SubmittedAt!.Value, NpgsqlDbType.TimestampTz);
                    WriteNullable(copy, VersionId);
                }
                await copy.CompleteAsync(cancel);
            }
        }

        private static void WriteNullable(NpgsqlBinaryImporter copy, string? value)
        {
            if (value is null) copy.WriteNull();
            else copy.Write(value, NpgsqlDbType.Varchar);
        }

        private static void WriteNullable(NpgsqlBinaryImporter copy, int? value)
        {
            if (value is null) copy.WriteNull();
            else copy.Write(value.Value, NpgsqlDbType.Integer);
        }
    }
}

/// <summary>
/// `INSERT … VALUES (…), (…), …` of up to 16 rows, prepared once and rebound; the rest of a batch goes through a
/// one-row statement. SQLite runs in-process, so this saves statement work, not round trips.
/// </summary>
internal sealed class MultiRowInsert : IDisposable
{
    // SQLite finds each named parameter by a linear search, so the cost of binding grows with the square of the
    // parameters per statement: 16 rows of a few columns, fewer rows of many (the outbox's 14 columns: 6 rows).
    private readonly int _rowsPerStatement;
    private readonly SqliteCommand _many, _one;
    private readonly object?[][] _pending;
    private int _count;

    public MultiRowInsert(SqliteConnection connection, SqliteTransaction tx, string table, string[] columns)
    {
        _rowsPerStatement = Math.Clamp(96 / columns.Length, 1, 16);
        _pending = new object?[_rowsPerStatement][];
        _many = Build(connection, tx, table, columns, _rowsPerStatement);
        _one = Build(connection, tx, table, columns, 1);
    }

    private static SqliteCommand Build(SqliteConnection connection, SqliteTransaction tx, string table, string[] columns, int rows)
    {
        var sql = new StringBuilder($"INSERT INTO \"{table}\" (\"{string.Join("\", \"", columns)}\") VALUES ");
        var cmd = new SqliteCommand("", connection, tx);
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                var name = $"$p{r * columns.Length + c}";
                sql.Append(c == 0 ? name : ", " + name);
                cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            sql.Append(')');
        }
        cmd.CommandText = sql.ToString();
        cmd.Prepare();
        return cmd;
    }

    public void Add(params object?[] values)
    {
        _pending[_count++] = values;
        if (_count == _rowsPerStatement) Flush();
    }

    public void Flush()
    {
        if (_count == _rowsPerStatement) Execute(_many, 0, _rowsPerStatement);
        else
            for (var r = 0; r < _count; r++) Execute(_one, r, 1);
        _count = 0;
    }

    private void Execute(SqliteCommand cmd, int first, int rows)
    {
        var p = 0;
        for (var r = first; r < first + rows; r++)
            foreach (var v in _pending[r]!)
                cmd.Parameters[p++].Value = v ?? DBNull.Value;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _many.Dispose();
        _one.Dispose();
    }
}

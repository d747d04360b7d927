using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>A link just made: its row's id and the token, in clear only now.</summary>
public readonly record struct MadeLink(int InvitationId, int LinkId, string Token);

/// <summary>
/// Makes new personal links, the one rule every path follows (`invite create`, `mail invite`, the invitee's mail, the
/// console's reissue; docs/decisions/065): with a link key the token is derived from the link's id and a fresh stamp
/// (042), so Shirabe's reminders can carry the same link again; without one it is random and shown only now. Ids are
/// reserved before the rows are written, so a derived token is known without reading ids back: one id query and one
/// multi-row insert (SQLite) or binary COPY (PostgreSQL) per call, no round trip per link. Writes in the caller's
/// transaction (required: on SQLite it holds the write lock, so the ids above the highest are ours until it ends).
/// </summary>
public abstract class PersonalLinks : IAsyncDisposable
{
    private readonly LinkKeys _keys;
    private readonly DateTime _now;

    private PersonalLinks(IDbContextTransaction tx, LinkKeys keys, DateTime now)
    {
        Transaction = tx.GetDbTransaction();
        _keys = keys;
        _now = now;
    }

    protected System.Data.Common.DbTransaction Transaction { get; }

    /// <summary>Whether the links are derived (a key is configured) and so can be mailed again by Shirabe.</summary>
    public bool Derived => _keys.CanRecover;

    /// <summary>The writer for <paramref name="db"/>'s open transaction.</summary>
    public static PersonalLinks For(ShirabeDb db, LinkKeys keys, DateTime now)
    {
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("PersonalLinks writes inside the caller's transaction.");
        return db is PostgresShirabeDb ? new PostgresLinks(tx, keys, now) : new SqliteLinks(tx, keys, now);
    }

    /// <summary>Adds one live link to each invitation (in order) and returns their tokens. Revoking older links is the caller's.</summary>
    public async Task<MadeLink[]> AddAsync(IReadOnlyList<int> invitationIds, CancellationToken cancel = default)
    {
        if (invitationIds.Count == 0) return [];
        var ids = await ReserveAsync(invitationIds.Count, cancel);
        var made = new MadeLink[invitationIds.Count];
        var stamps = new string?[made.Length];
        for (var i = 0; i < made.Length; i++)
        {
            stamps[i] = Derived ? LinkKeys.NewStamp() : null;
            made[i] = new MadeLink(invitationIds[i], ids[i], stamps[i] is { } s ? _keys.Derive(ids[i], s) : InvitationTokens.NewToken());
        }
        await InsertAsync(made, stamps, _now, cancel);
        return made;
    }

    public abstract ValueTask DisposeAsync();
    protected abstract Task<int[]> ReserveAsync(int count, CancellationToken cancel);
    protected abstract Task InsertAsync(MadeLink[] made, string?[] stamps, DateTime now, CancellationToken cancel);

    private sealed class SqliteLinks(IDbContextTransaction tx, LinkKeys keys, DateTime now) : PersonalLinks(tx, keys, now)
    {
        private MultiRowInsert? _insert;
        private SqliteConnection Connection => (SqliteConnection)Transaction.Connection!;

        protected override async Task<int[]> ReserveAsync(int count, CancellationToken cancel)
        {
            // Above both the highest id and the AUTOINCREMENT counter; the transaction's write lock keeps them ours.
            await using var cmd = new SqliteCommand("""
                SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'AccessLinks'), 0), coalesce((SELECT max(Id) FROM AccessLinks), 0)) + 1
                """, Connection, (SqliteTransaction)Transaction);
            var first = (int)(long)(await cmd.ExecuteScalarAsync(cancel))!;
            return Enumerable.Range(first, count).ToArray();
        }

        protected override Task InsertAsync(MadeLink[] made, string?[] stamps, DateTime now, CancellationToken cancel)
        {
            _insert ??= new MultiRowInsert(Connection, (SqliteTransaction)Transaction, "AccessLinks",
                ["Id", "InvitationId", "TokenHash", "Stamp", "CreatedAt"]);
            for (var i = 0; i < made.Length; i++)
                _insert.Add(made[i].LinkId, made[i].InvitationId, InvitationTokens.Hash(made[i].Token), stamps[i], now);
            _insert.Flush();
            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync()
        {
            _insert?.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresLinks(IDbContextTransaction tx, LinkKeys keys, DateTime now) : PersonalLinks(tx, keys, now)
    {
        private NpgsqlConnection Connection => (NpgsqlConnection)Transaction.Connection!;

        protected override async Task<int[]> ReserveAsync(int count, CancellationToken cancel)
        {
            // From the identity sequence: the running server's own inserts never collide with these ids.
            await using var cmd = new NpgsqlCommand("""
                SELECT nextval(pg_get_serial_sequence('"AccessLinks"', 'Id'))::int FROM generate_series(1, @n)
                """, Connection, (NpgsqlTransaction)Transaction);
            cmd.Parameters.AddWithValue("n", count);
            var ids = new int[count];
            var i = 0;
            await using var reader = await cmd.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel)) ids[i++] = reader.GetInt32(0);
            return ids;
        }

        protected override async Task InsertAsync(MadeLink[] made, string?[] stamps, DateTime now, CancellationToken cancel)
        {
            await using var copy = await Connection.BeginBinaryImportAsync(
                """COPY "AccessLinks" ("Id", "InvitationId", "TokenHash", "Stamp", "CreatedAt") FROM STDIN (FORMAT BINARY)""", cancel);
            for (var i = 0; i < made.Length; i++)
            {
                await copy.StartRowAsync(cancel);
                await copy.WriteAsync(made[i].LinkId, NpgsqlDbType.Integer, cancel);
                await copy.WriteAsync(made[i].InvitationId, NpgsqlDbType.Integer, cancel);
                await copy.WriteAsync(InvitationTokens.Hash(made[i].Token), NpgsqlDbType.Bytea, cancel);
                if (stamps[i] is { } s) await copy.WriteAsync(s, NpgsqlDbType.Varchar, cancel);
                else await copy.WriteNullAsync(cancel);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancel);
            }
            await copy.CompleteAsync(cancel);
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

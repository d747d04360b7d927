using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// Writes new outbox mails (<see cref="Outbox.Make"/>) in bulk inside the caller's transaction: a multi-row prepared
/// insert (SQLite) or binary COPY (PostgreSQL) per call, without the change tracker, so queuing tens of thousands of
/// invitations or reminders costs no round trip and no tracked entity per mail (docs/decisions/024, 065). The ids are
/// the database's (nothing reads them back).
/// </summary>
public abstract class OutboxRows : IAsyncDisposable
{
    private static readonly string[] Columns =
        ["InvitationId", "ReminderId", "SnapshotId", "Kind", "To", "Cc", "Subject", "TextBody", "HtmlBody", "Values", "MessageId",
         "Status", "Attempts", "NextAttemptAt", "LeaseExpiresAt", "CreatedAt"];

    private OutboxRows(IDbContextTransaction tx) => Transaction = tx.GetDbTransaction();

    protected System.Data.Common.DbTransaction Transaction { get; }

    /// <summary>The writer for <paramref name="db"/>'s open transaction.</summary>
    public static OutboxRows For(ShirabeDb db)
    {
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("OutboxRows writes inside the caller's transaction.");
        return db is PostgresShirabeDb ? new PostgresRows(tx) : new SqliteRows(tx);
    }

    public abstract Task WriteAsync(IReadOnlyList<OutboxMail> mails, CancellationToken cancel = default);
    public abstract ValueTask DisposeAsync();

    private sealed class SqliteRows(IDbContextTransaction tx) : OutboxRows(tx)
    {
        private MultiRowInsert? _insert;

        public override Task WriteAsync(IReadOnlyList<OutboxMail> mails, CancellationToken cancel = default)
        {
            _insert ??= new MultiRowInsert((SqliteConnection)Transaction.Connection!, (SqliteTransaction)Transaction, "OutboxMails", Columns);
            foreach (var m in mails)
                _insert.Add(m.InvitationId, m.ReminderId, m.SnapshotId, m.Kind, m.To, m.Cc, m.Subject, m.TextBody, m.HtmlBody, m.Values,
                    m.MessageId, m.Status, m.Attempts, m.NextAttemptAt, m.LeaseExpiresAt, m.CreatedAt);
            _insert.Flush();
            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync()
        {
            _insert?.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresRows(IDbContextTransaction tx) : OutboxRows(tx)
    {
        public override async Task WriteAsync(IReadOnlyList<OutboxMail> mails, CancellationToken cancel = default)
        {
            if (mails.Count == 0) return;
            await using var copy = await ((NpgsqlConnection)Transaction.Connection!).BeginBinaryImportAsync(
                $"""COPY "OutboxMails" ("{string.Join("\", \"", Columns)}") FROM STDIN (FORMAT BINARY)""", cancel);
            foreach (var m in mails)
            {
                await copy.StartRowAsync(cancel);
                await copy.WriteAsync(m.InvitationId, NpgsqlDbType.Integer, cancel);
                if (m.ReminderId is { } r) await copy.WriteAsync(r, NpgsqlDbType.Integer, cancel);
                else await copy.WriteNullAsync(cancel);
                if (m.SnapshotId is { } s) await copy.WriteAsync(s, NpgsqlDbType.Bigint, cancel);
                else await copy.WriteNullAsync(cancel);
                foreach (var text in new[] { m.Kind, m.To, m.Cc, m.Subject, m.TextBody, m.HtmlBody, m.Values, m.MessageId, m.Status })
                    if (text is null) await copy.WriteNullAsync(cancel);
                    else await copy.WriteAsync(text, NpgsqlDbType.Text, cancel);
                await copy.WriteAsync(m.Attempts, NpgsqlDbType.Integer, cancel);
                await copy.WriteAsync(m.NextAttemptAt, NpgsqlDbType.Bigint, cancel);
                await copy.WriteAsync(m.LeaseExpiresAt, NpgsqlDbType.Bigint, cancel);
                await copy.WriteAsync(m.CreatedAt, NpgsqlDbType.TimestampTz, cancel);
            }
            await copy.CompleteAsync(cancel);
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

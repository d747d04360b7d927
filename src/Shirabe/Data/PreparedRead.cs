using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Shirabe.Data;

/// <summary>
/// A hot read by one parameter, with its SQL parsed and planned once rather than on every request
/// (docs/decisions/073). Microsoft.Data.Sqlite prepares the SQL of every new command again, and a pooled connection's
/// statements go when it is closed; so on SQLite the read keeps a few connections of its own open, each with its command
/// prepared, and a request takes one for itself (never two requests on one connection). PostgreSQL runs it on the
/// context's connection: Npgsql prepares it on the server by itself (Max Auto Prepare, <see cref="Database"/>).
/// </summary>
public sealed class PreparedRead(string sql) : IDisposable
{
    // Connections kept idle, at most: more requests at once open more, and the surplus is closed when they finish.
    private static readonly int MaxIdle = Environment.ProcessorCount * 4;
    private readonly ConcurrentBag<SqliteCommand> _idle = [];
    private volatile bool _disposed;

    public string Sql => sql;

    /// <summary>Runs the read with <paramref name="parameter"/> as <c>@p</c>; <paramref name="read"/> reads its rows.</summary>
    public async Task<T> ExecuteAsync<T>(Database database, ShirabeDb db, object parameter, Func<DbDataReader, T> read, CancellationToken cancel)
    {
        if (database.Provider != DbProvider.Sqlite || database.IsInMemory) return await OnContextAsync(db, parameter, read, cancel);
        if (!_idle.TryTake(out var command)) command = Open(database.ConnectionString);
        var reusable = false;
        try
        {
            command.Parameters[0].Value = parameter;
            T result;
            // Synchronous: Microsoft.Data.Sqlite's async methods run synchronously anyway. Disposing the reader resets
            // the statement, so no read transaction is left open on an idle connection (WAL checkpoints can proceed).
            using (var reader = command.ExecuteReader()) result = read(reader);
            reusable = true;
            return result;
        }
        finally
        {
            if (reusable && !_disposed && _idle.Count < MaxIdle)
            {
                _idle.Add(command);
                if (_disposed) CloseIdle();
            }
            else Close(command);
        }
    }

    private async Task<T> OnContextAsync<T>(ShirabeDb db, object parameter, Func<DbDataReader, T> read, CancellationToken cancel)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancel);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var p = command.CreateParameter();
            p.ParameterName = "@p";
            p.Value = parameter;
            command.Parameters.Add(p);
            await using var reader = await command.ExecuteReaderAsync(cancel);
            return read(reader);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private SqliteCommand Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.Add(new SqliteParameter { ParameterName = "@p" });
            command.Prepare();
            return command;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Close(SqliteCommand command)
    {
        var connection = command.Connection;
        command.Dispose();
        connection?.Dispose();
    }

    private void CloseIdle()
    {
        while (_idle.TryTake(out var command)) Close(command);
    }

    public void Dispose()
    {
        _disposed = true;
        CloseIdle();
    }
}

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Shirabe.Data;

public enum DbProvider { Sqlite, Postgres }

/// <summary>
/// Which database Shirabe uses, from one connection string (--db, config Shirabe:Db, or SHIRABE_DB):
/// a string starting with <c>Host=</c> is PostgreSQL; anything else is SQLite (<c>Data Source=FILE</c> or a file path).
/// Without one, the SQLite file data/shirabe.db under the repository (the embedded default).
/// </summary>
public sealed class Database : IDisposable
{
    private readonly Func<ShirabeDb> _create;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PreparedRead> _prepared = new();

    public Database(string? connectionString, string dataDir)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            connectionString = Path.Combine(dataDir, "shirabe.db");
        if (connectionString.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            Provider = DbProvider.Postgres;
            ConnectionString = connectionString;
            var options = new DbContextOptionsBuilder<PostgresShirabeDb>().UseNpgsql(Tuned(connectionString)).Options;
            _create = new PooledDbContextFactory<PostgresShirabeDb>(options).CreateDbContext;
        }
        else
        {
            Provider = DbProvider.Sqlite;
            var csb = connectionString.Contains('=')
                ? new SqliteConnectionStringBuilder(connectionString)
                : new SqliteConnectionStringBuilder { DataSource = connectionString };
            if (Directory.Exists(dataDir)) DataFiles.SecureFolder(dataDir);
            if (csb.DataSource != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(csb.DataSource)) is { } dir)
            {
                if (!Directory.Exists(dir) || Path.GetFullPath(dir).TrimEnd('/') == Path.GetFullPath(dataDir).TrimEnd('/'))
                    DataFiles.SecureFolder(dir);
                DataFiles.SecureSqlite(Path.GetFullPath(csb.DataSource));
            }
            ConnectionString = csb.ToString();
            IsInMemory = csb.DataSource == ":memory:" || csb.Mode == SqliteOpenMode.Memory;
            var options = new DbContextOptionsBuilder<SqliteShirabeDb>().UseSqlite(ConnectionString).Options;
            _create = new PooledDbContextFactory<SqliteShirabeDb>(options).CreateDbContext;
        }
    }

    public DbProvider Provider { get; }
    public string ConnectionString { get; }
    /// <summary>An in-memory SQLite database: each connection has its own unless shared, so no read keeps connections.</summary>
    public bool IsInMemory { get; }

    /// <summary>The hot read <paramref name="sql"/>, kept prepared for this database (<see cref="PreparedRead"/>).</summary>
    public PreparedRead Prepared(string sql) => _prepared.GetOrAdd(sql, s => new PreparedRead(s));

    /// <summary>Closes the connections the prepared reads keep (the app's container disposes this singleton).</summary>
    public void Dispose()
    {
        foreach (var read in _prepared.Values) read.Dispose();
    }

    /// <summary>
    /// Npgsql's pool settings for Shirabe's many short queries, unless the connection string sets them: statements
    /// used twice are prepared on the server (PostgreSQL then skips parsing and planning the page view's six-table join:
    /// 3.2× the page views per second in docs/benchmarks.md), and a connection going back to the pool is not reset
    /// with DISCARD ALL (a round trip per use; Shirabe keeps no session state: its locks and temporary tables are the
    /// transaction's).
    /// </summary>
    private static string Tuned(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Has(params string[] keys) => given.Keys.Cast<string>().Any(k => keys.Contains(k.Replace(" ", ""), StringComparer.OrdinalIgnoreCase));
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Has("MaxAutoPrepare")) tuned.MaxAutoPrepare = 64;
        if (!Has("NoResetOnClose")) tuned.NoResetOnClose = true;
        return tuned.ConnectionString;
    }

    /// <summary>A short description for logs, without any password.</summary>
    public string Describe() => Provider == DbProvider.Sqlite
        ? "SQLite " + new SqliteConnectionStringBuilder(ConnectionString).DataSource
        : "PostgreSQL " + string.Join(";", ConnectionString.Split(';')
            .Where(p => !p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)));

    /// <summary>A context from the pool: disposing it gives it back, reset (a page view then skips setting up EF
    /// Core's services for a new context: docs/decisions/067).</summary>
    public ShirabeDb CreateContext() => _create();

    /// <summary>Whether migrations are missing (a database not made or not upgraded by this version).</summary>
    public async Task<bool> HasPendingMigrationsAsync(CancellationToken cancel = default)
    {
        await using var db = CreateContext();
        return await PendingAsync(db, cancel);
    }

    private static async Task<bool> PendingAsync(ShirabeDb db, CancellationToken cancel) =>
        (await db.Database.GetPendingMigrationsAsync(cancel)).Any();

    /// <summary>Applies the provider's pending migrations (creating the database when needed).</summary>
    public async Task MigrateAsync(CancellationToken cancel = default)
    {
        await using var db = CreateContext();
        // EF's MigrateAsync also rebuilds the last migration's model and compares it with the code's on every call: most of
        // a command's start-up when nothing is pending (the tests' has-pending-model-changes check covers what it checks).
        if (!await db.Database.CanConnectAsync(cancel) || await PendingAsync(db, cancel))
            await db.Database.MigrateAsync(cancel);
        // Readers do not wait for the writer, and a crash cannot leave a half-written page (kept in the file).
        if (Provider == DbProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancel);
    }
}

/// <summary>
/// The data folder and the SQLite files hold every answer: readable by the server's user only (0700 / 0600), like the
/// data-protection key ring. Applied when created and again on every start (older installs were 0755 / 0644).
/// </summary>
public static class DataFiles
{
    public const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder (0700) or narrows an existing one to 0700.</summary>
    public static void SecureFolder(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
            return;
        }
        Directory.CreateDirectory(dir, PrivateFolder);
        File.SetUnixFileMode(dir, PrivateFolder);
    }

    /// <summary>
    /// Creates an empty database file with 0600 before SQLite opens it (SQLite gives -wal, -shm and -journal the mode
    /// of the database file), and narrows the existing files to 0600.
    /// </summary>
    public static void SecureSqlite(string file)
    {
        if (OperatingSystem.IsWindows()) return;
        if (!File.Exists(file))
            try
            {
                using var _ = new FileStream(file, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = PrivateFile,
                });
            }
            catch (IOException)
            {
                // created meanwhile by another process: narrowed below
            }
        foreach (var f in new[] { file, file + "-wal", file + "-shm", file + "-journal" })
            if (File.Exists(f)) File.SetUnixFileMode(f, PrivateFile);
    }
}

/// <summary>Design-time factories for `dotnet ef migrations add --context SqliteShirabeDb|PostgresShirabeDb`.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteShirabeDb>
{
    public SqliteShirabeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteShirabeDb>().UseSqlite("Data Source=design.db").Options);
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresShirabeDb>
{
    public PostgresShirabeDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresShirabeDb>().UseNpgsql("Host=localhost;Database=shirabe").Options);
}

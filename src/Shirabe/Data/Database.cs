using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shirabe.Data;

public enum DbProvider { Sqlite, Postgres }

/// <summary>
/// Which database Shirabe uses, from one connection string (--db, config Shirabe:Db, or SHIRABE_DB):
/// a string starting with <c>Host=</c> is PostgreSQL; anything else is SQLite (<c>Data Source=FILE</c> or a file path).
/// Without one, the SQLite file data/shirabe.db under the repository (the embedded default).
/// </summary>
public sealed class Database
{
    private readonly DbContextOptions _options;

    public Database(string? connectionString, string dataDir)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            connectionString = Path.Combine(dataDir, "shirabe.db");
        if (connectionString.TrimStart().StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            Provider = DbProvider.Postgres;
            ConnectionString = connectionString;
            _options = new DbContextOptionsBuilder<PostgresShirabeDb>().UseNpgsql(connectionString).Options;
        }
        else
        {
            Provider = DbProvider.Sqlite;
            var csb = connectionString.Contains('=')
                ? new SqliteConnectionStringBuilder(connectionString)
                : new SqliteConnectionStringBuilder { DataSource = connectionString };
            if (csb.DataSource != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(csb.DataSource)) is { } dir)
                Directory.CreateDirectory(dir);
            ConnectionString = csb.ToString();
            _options = new DbContextOptionsBuilder<SqliteShirabeDb>().UseSqlite(ConnectionString).Options;
        }
    }

    public DbProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>A short description for logs, without any password.</summary>
    public string Describe() => Provider == DbProvider.Sqlite
        ? "SQLite " + new SqliteConnectionStringBuilder(ConnectionString).DataSource
        : "PostgreSQL " + string.Join(";", ConnectionString.Split(';')
            .Where(p => !p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)));

    public ShirabeDb CreateContext() => Provider == DbProvider.Postgres
        ? new PostgresShirabeDb((DbContextOptions<PostgresShirabeDb>)_options)
        : new SqliteShirabeDb((DbContextOptions<SqliteShirabeDb>)_options);

    /// <summary>Applies the provider's pending migrations (creating the database when needed).</summary>
    public async Task MigrateAsync(CancellationToken cancel = default)
    {
        await using var db = CreateContext();
        await db.Database.MigrateAsync(cancel);
        // Readers do not wait for the writer, and a crash cannot leave a half-written page (kept in the file).
        if (Provider == DbProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancel);
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

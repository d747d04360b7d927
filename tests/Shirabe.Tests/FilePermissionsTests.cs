using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Tests;

/// <summary>Issue 7, finding 11: the data folder (0700) and the SQLite files (0600) are the server's user's only.</summary>
public class FilePermissionsTests
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task ANewDataFolder_AndItsSqliteFiles_AreForTheServersUserOnly()
    {
        if (OperatingSystem.IsWindows()) return;
        var parent = Directory.CreateTempSubdirectory("shirabe-perm-").FullName;
        try
        {
            var dataDir = Path.Combine(parent, "data");
            var database = new Database(null, dataDir);
            await database.MigrateAsync();
            await using (var db = database.CreateContext())
            {
                db.Series.Add(new Series { Id = "p", Title = "権限" });
                db.Organisations.Add(new Organisation { SeriesId = "p", Code = "P01", Name = "権限協会" });
                await db.SaveChangesAsync();
                Assert.Equal(Folder, File.GetUnixFileMode(dataDir));
                var file = Path.Combine(dataDir, "shirabe.db");
                Assert.True(File.Exists(file + "-wal"));
                foreach (var f in new[] { file, file + "-wal", file + "-shm" })
                    Assert.True(Private == File.GetUnixFileMode(f), $"{Path.GetFileName(f)}: {File.GetUnixFileMode(f)}");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task AnOlderInstallsWorldReadableFiles_AreNarrowedOnStart()
    {
        if (OperatingSystem.IsWindows()) return;
        var parent = Directory.CreateTempSubdirectory("shirabe-perm-").FullName;
        try
        {
            var dataDir = Path.Combine(parent, "data");
            await new Database(null, dataDir).MigrateAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var file = Path.Combine(dataDir, "shirabe.db");
            const UnixFileMode readable = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            File.SetUnixFileMode(dataDir, Folder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            File.SetUnixFileMode(file, readable);

            _ = new Database(null, dataDir); // what every start (serve, demo, a command) does first
            Assert.Equal(Folder, File.GetUnixFileMode(dataDir));
            Assert.Equal(Private, File.GetUnixFileMode(file));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task TheServersDatabase_AndKeyRing_AreForTheServersUserOnly()
    {
        if (OperatingSystem.IsWindows()) return;
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.InviteAsync(); // a write: the -wal file exists
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(app.Database.ConnectionString).DataSource;
        foreach (var f in new[] { file, file + "-wal", file + "-shm" })
            Assert.True(Private == File.GetUnixFileMode(f), $"{Path.GetFileName(f)}: {File.GetUnixFileMode(f)}");
        Assert.Equal(Folder, File.GetUnixFileMode(Path.Combine(Path.GetDirectoryName(file)!, "keys")));
    }
}

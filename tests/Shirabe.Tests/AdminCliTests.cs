using Microsoft.EntityFrameworkCore;
using Shirabe.Cli;
using Shirabe.Data;

namespace Shirabe.Tests;

/// <summary>`shirabe admin add-user` as docs/cli.md documents it.</summary>
public class AdminCliTests
{
    [Fact]
    public async Task AddUser_StoresAHashedPassword_AndRefusesATakenNameWithoutReset()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        var db = Path.Combine(dir, "admin.db");
        try
        {
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "sato", "--role", "admin", "--generate", "--db", db], TextWriter.Null, TextWriter.Null));
            string hash, stamp;
            await using (var ctx = new Database(db, dir).CreateContext())
            {
                var user = await ctx.AdminUsers.SingleAsync();
                Assert.Equal("sato", user.Name);
                Assert.StartsWith("AQAAAA", user.PasswordHash); // PasswordHasher V3 (PBKDF2), never the password
                (hash, stamp) = (user.PasswordHash, user.Stamp);
            }

            Assert.Equal(2, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "sato", "--role", "admin", "--generate", "--db", db], TextWriter.Null, TextWriter.Null));
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "sato", "--generate", "--reset", "--db", db], TextWriter.Null, TextWriter.Null));
            await using (var ctx = new Database(db, dir).CreateContext())
            {
                var user = await ctx.AdminUsers.SingleAsync();
                Assert.NotEqual(hash, user.PasswordHash);
                Assert.NotEqual(stamp, user.Stamp); // open sessions end
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>--role is required for a new user and stored; --reset keeps it or changes it; each change is audited
    /// with no user (the command line); the last 管理者 cannot be made an analyst here either.</summary>
    [Fact]
    public async Task AddUser_StoresTheRole_AndAuditsTheChange()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        var db = Path.Combine(dir, "admin.db");
        try
        {
            var error = new StringWriter();
            Assert.Equal(2, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "ito", "--generate", "--db", db], TextWriter.Null, error));
            Assert.Contains("--role を指定してください", error.ToString());
            Assert.NotEqual(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "ito", "--role", "root", "--generate", "--db", db], TextWriter.Null, TextWriter.Null));
            var output = new StringWriter();
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "ito", "--role", "analyst", "--generate", "--db", db], output, TextWriter.Null));
            Assert.Contains("「ito」（集計担当）を登録しました", output.ToString());
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "sato", "--role", "admin", "--generate", "--db", db], TextWriter.Null, TextWriter.Null));
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "ito", "--generate", "--reset", "--db", db], TextWriter.Null, TextWriter.Null));
            await using (var ctx = new Database(db, dir).CreateContext())
            {
                var roles = await ctx.StaffRoles.Join(ctx.AdminUsers, r => r.UserId, u => u.Id, (r, u) => new { u.Name, r.Role, r.SeriesId }).OrderBy(x => x.Name).ToListAsync();
                Assert.Equal(["ito:analyst:", "sato:admin:"], roles.Select(r => $"{r.Name}:{r.Role}:{r.SeriesId}"));
            }
            Assert.Equal(2, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "sato", "--role", "analyst", "--generate", "--reset", "--db", db], TextWriter.Null, TextWriter.Null));
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "ito", "--role", "admin", "--generate", "--reset", "--db", db], TextWriter.Null, TextWriter.Null));
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "sato", "--role", "analyst", "--generate", "--reset", "--db", db], TextWriter.Null, TextWriter.Null));
            await using (var ctx = new Database(db, dir).CreateContext())
            {
                var entries = await ctx.AuditEntries.OrderBy(e => e.Id).ToListAsync();
                Assert.All(entries, e => Assert.Null(e.UserId));
                Assert.Equal(["user.add", "user.add", "user.password", "user.role", "user.password", "user.role", "user.password"], entries.Select(e => e.Action));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}

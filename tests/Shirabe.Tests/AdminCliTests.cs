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
            Assert.Equal(0, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "sato", "--generate", "--db", db], TextWriter.Null, TextWriter.Null));
            string hash, stamp;
            await using (var ctx = new Database(db, dir).CreateContext())
            {
                var user = await ctx.AdminUsers.SingleAsync();
                Assert.Equal("sato", user.Name);
                Assert.StartsWith("AQAAAA", user.PasswordHash); // PasswordHasher V3 (PBKDF2), never the password
                (hash, stamp) = (user.PasswordHash, user.Stamp);
            }

            Assert.Equal(2, await ShirabeCommands.RunAsync(["admin", "add-user", "--name", "sato", "--generate", "--db", db], TextWriter.Null, TextWriter.Null));
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
}

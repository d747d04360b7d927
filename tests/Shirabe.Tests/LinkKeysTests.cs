using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests;

/// <summary>Links that a reminder can carry again (docs/decisions/042): derivation, the key's loading and its place.</summary>
public sealed class LinkKeysTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("shirabe-linkkey-");
    private string DataDir => Path.Combine(_dir.FullName, "data");

    public void Dispose() => _dir.Delete(recursive: true);

    private static byte[] Key(byte seed) => Enumerable.Range(0, 32).Select(i => (byte)(seed + i)).ToArray();

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void Derive_IsStable_InTheTokenFormat_AndIsTheHmacOfLinkIdAndStamp()
    {
        var keys = LinkKeys.From(Key(1), "test");
        var token = keys.Derive(42, "stamp-1");
        Assert.Equal(token, LinkKeys.From(Key(1), "again").Derive(42, "stamp-1"));
        Assert.True(InvitationTokens.LooksValid(token));
        var mac = HMACSHA256.HashData(Key(1), Encoding.UTF8.GetBytes("link:42:stamp-1"));
        Assert.Equal(Convert.ToBase64String(mac, 0, 18).Replace('+', '-').Replace('/', '_'), token);

        Assert.NotEqual(token, LinkKeys.From(Key(2), "other").Derive(42, "stamp-1")); // another key
        Assert.NotEqual(token, keys.Derive(43, "stamp-1"));                          // another link
        Assert.NotEqual(token, keys.Derive(42, "stamp-2"));                          // another stamp (a reissue)
        Assert.NotEqual(LinkKeys.NewStamp(), LinkKeys.NewStamp());
    }

    [Fact]
    public void Recover_GivesTheTokenOnlyWhenItsHashIsTheStoredOne()
    {
        var keys = LinkKeys.From(Key(1), "test");
        var stored = InvitationTokens.Hash(keys.Derive(7, "s"));
        Assert.Equal(keys.Derive(7, "s"), keys.Recover(7, "s", stored));
        Assert.Null(LinkKeys.From(Key(9), "rotated").Recover(7, "s", stored)); // made under another key: no dead link
        Assert.Null(keys.Recover(7, null, stored));                             // a random link has no stamp
        Assert.Null(keys.Recover(8, "s", stored));
        Assert.Null(LinkKeys.None.Recover(7, "s", stored));
        Assert.False(LinkKeys.None.CanRecover);
        Assert.Throws<InvalidOperationException>(() => LinkKeys.None.Derive(7, "s"));
    }

    [Fact]
    public void TheKey_ComesFromTheSettingOrAFile_AndBadOnesAreRefusedInJapanese()
    {
        var b64 = Convert.ToBase64String(Key(1));
        var fromSetting = LinkKeys.Load(Config(("Shirabe:LinkKey", b64)), DataDir, embedded: false, NullLogger.Instance);
        Assert.Equal(LinkKeys.From(Key(1), "x").Derive(1, "s"), fromSetting.Derive(1, "s"));

        var file = Path.Combine(_dir.FullName, "secrets", "link.key");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, b64 + "\n");
        var fromFile = LinkKeys.Load(Config(("Shirabe:LinkKeyFile", file)), DataDir, embedded: false, NullLogger.Instance);
        Assert.Equal(fromSetting.Derive(1, "s"), fromFile.Derive(1, "s"));
        Assert.Equal(file, fromFile.Source);

        Assert.Contains("短すぎます（16 バイト", Assert.Throws<Core.UserError>(() =>
            LinkKeys.Load(Config(("Shirabe:LinkKey", Convert.ToBase64String(new byte[16]))), DataDir, false, NullLogger.Instance)).Message);
        Assert.Contains("base64 ではありません", Assert.Throws<Core.UserError>(() =>
            LinkKeys.Load(Config(("Shirabe:LinkKey", "not base64!")), DataDir, false, NullLogger.Instance)).Message);
        Assert.Contains("両方が設定されています", Assert.Throws<Core.UserError>(() =>
            LinkKeys.Load(Config(("Shirabe:LinkKey", b64), ("Shirabe:LinkKeyFile", file)), DataDir, false, NullLogger.Instance)).Message);
        Assert.Contains("がありません", Assert.Throws<Core.UserError>(() =>
            LinkKeys.Load(Config(("Shirabe:LinkKeyFile", file + ".missing")), DataDir, false, NullLogger.Instance)).Message);

        // A server with its own database and no key: random links, nothing recoverable, nothing written.
        Assert.False(LinkKeys.Load(Config(), DataDir, embedded: false, NullLogger.Instance, Path.Combine(_dir.FullName, "cfg", "link.key")).CanRecover);
        Assert.False(Directory.Exists(Path.Combine(_dir.FullName, "cfg")));
    }

    [Fact]
    public void AKeyFileInsideTheDataFolder_IsRefused_EvenThroughASymbolicLink()
    {
        Directory.CreateDirectory(DataDir);
        var inside = Path.Combine(DataDir, "keys", "link.key");
        Directory.CreateDirectory(Path.GetDirectoryName(inside)!);
        File.WriteAllText(inside, Convert.ToBase64String(Key(1)));
        var e = Assert.Throws<Core.UserError>(() => LinkKeys.Load(Config(("Shirabe:LinkKeyFile", inside)), DataDir, false, NullLogger.Instance));
        Assert.Contains("データフォルダ", e.Message, StringComparison.Ordinal);
        Assert.Contains("外に置いてください", e.Message, StringComparison.Ordinal);

        var link = Path.Combine(_dir.FullName, "elsewhere");
        Directory.CreateSymbolicLink(link, Path.Combine(DataDir, "keys"));
        Assert.True(LinkKeys.IsInside(Path.Combine(link, "link.key"), DataDir));
        Assert.Throws<Core.UserError>(() => LinkKeys.Load(Config(("Shirabe:LinkKeyFile", Path.Combine(link, "link.key"))), DataDir, false, NullLogger.Instance));

        // A folder whose name only starts like the data folder's is outside it.
        Assert.False(LinkKeys.IsInside(DataDir + "-keys/link.key", DataDir));
        // The embedded default is refused there too.
        Assert.Throws<Core.UserError>(() => LinkKeys.Load(Config(), DataDir, embedded: true, NullLogger.Instance, Path.Combine(DataDir, "link.key")));
    }

    [Fact]
    public void TheEmbeddedDefault_MakesItsKeyOnce_Private_AndKeepsIt()
    {
        var file = Path.Combine(_dir.FullName, "config", "shirabe", "link.key");
        var log = new ListLogger();
        var first = LinkKeys.Load(Config(), DataDir, embedded: true, log, file);
        Assert.Contains(log.Lines, l => l.StartsWith("Warning: Link key: created " + file, StringComparison.Ordinal));
        Assert.True(first.CanRecover);
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(DataFiles.PrivateFile, File.GetUnixFileMode(file));
            Assert.Equal(DataFiles.PrivateFolder, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        }
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file).Trim()).Length);
        // The next start reads the same key: links made before still derive the same.
        var again = LinkKeys.Load(Config(), DataDir, embedded: true, NullLogger.Instance, file);
        Assert.Equal(first.Derive(5, "s"), again.Derive(5, "s"));
        Assert.DoesNotContain(log.Lines, l => l.Contains("other users", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, DataFiles.PrivateFile | UnixFileMode.OtherRead);
            LinkKeys.Load(Config(), DataDir, embedded: true, log, file);
            Assert.Contains(log.Lines, l => l.StartsWith("Warning: Link key: " + file + " can be read by other users", StringComparison.Ordinal));
        }
        // A home that cannot be written to: the demo still starts, without a key.
        if (!OperatingSystem.IsWindows() && Environment.UserName != "root")
        {
            var locked = Path.Combine(_dir.FullName, "locked");
            Directory.CreateDirectory(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            Assert.False(LinkKeys.Load(Config(), DataDir, embedded: true, log, Path.Combine(locked, "shirabe", "link.key")).CanRecover);
            Assert.Contains(log.Lines, l => l.Contains("could not be made or read", StringComparison.Ordinal));
            File.SetUnixFileMode(locked, DataFiles.PrivateFolder);
        }
        // A configured key wins over the default file.
        Assert.NotEqual(first.Derive(5, "s"), LinkKeys.Load(Config(("Shirabe:LinkKey", Convert.ToBase64String(Key(3)))), DataDir, true, NullLogger.Instance, file).Derive(5, "s"));
    }

    [Fact]
    public void TheDefaultFile_IsUnderTheUsersConfigFolder_NotTheDataFolder()
    {
        var path = LinkKeys.DefaultFile();
        Assert.EndsWith(Path.Combine("shirabe", "link.key"), path, StringComparison.Ordinal);
        Assert.False(LinkKeys.IsInside(path, Path.Combine(ShirabePaths.Root, "data")));
    }

    /// <summary>
    /// End to end: a link stored only as the hash of its derived token opens the questionnaire; the token made again
    /// goes into a reminder through the outbox and the pickup folder, and the link read back from the .eml opens the
    /// same answers.
    /// </summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ADerivedLink_OpensTheQuestionnaire_AndTheReminderCarriesTheSameWorkingLink(string provider)
    {
        var pickup = Path.Combine(_dir.FullName, "mail");
        var settings = new MailSettings { From = new MailboxAddress("調査事務局", "secretariat@example.jp"), Poll = TimeSpan.Zero, PickupDir = pickup };
        await using var app = await TestApp.StartAsync(provider, services: s => s.AddSingleton(settings));
        var keys = app.Services.GetRequiredService<LinkKeys>(); // the app's own, from Shirabe:LinkKey
        Assert.Equal("Shirabe:LinkKey", keys.Source);
        Assert.Equal(LinkKeys.From(Convert.FromBase64String(TestApp.LinkKey), "x").Derive(1, "s"), keys.Derive(1, "s"));
        var stamp = LinkKeys.NewStamp();

        // As the invite command will: the row first (its id is the link's), then the hash of the derived token.
        int id, invitationId;
        await using (var db = app.Db())
        {
            await TestApp.InviteAsync(db, app.Survey.Id, "K01", "一般社団法人テスト工業会");
            var link = await db.AccessLinks.SingleAsync(l => l.Invitation.Organisation.Code == "K01");
            id = link.Id;
            invitationId = link.InvitationId;
            link.TokenHash = InvitationTokens.Hash(keys.Derive(id, stamp));
            await db.SaveChangesAsync();
        }
        var first = keys.Derive(id, stamp);
        var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(InvitationTokens.Path(first))).StatusCode);

        // The reminder: only the hash is read back from the database.
        byte[] stored;
        await using (var db = app.Db()) stored = await db.AccessLinks.Where(l => l.Id == id).Select(l => l.TokenHash).SingleAsync();
        var token = keys.Recover(id, stamp, stored);
        Assert.Equal(first, token);
        var site = new Uri("https://survey.example.jp/");
        var content = MailTemplates.Content(app.Survey, MailKind.Reminder,
            new MailRecipient("一般社団法人テスト工業会", "山田 太郎", "yamada@example.jp"), new Uri(site, InvitationTokens.Path(token!)).AbsoluteUri, site);
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<Outbox>().EnqueueAsync(invitationId, MailKind.Reminder, content);
        Assert.Equal(1, (await new MailDrain(app.Database, settings, app.Clock).RunAsync()).Sent);

        var eml = await MimeMessage.LoadAsync(Directory.GetFiles(pickup).Single());
        Assert.Equal("【ご回答のお願い】" + app.Survey.Title, eml.Subject);
        Assert.Equal(("山田 太郎", "yamada@example.jp"), (eml.To.Mailboxes.Single().Name, eml.To.Mailboxes.Single().Address));
        var url = Regex.Match(eml.TextBody ?? "", @"https://survey\.example\.jp/a/[A-Za-z0-9_-]{24}").Value;
        Assert.Contains($"<a href=\"{url}\">", eml.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(url).AbsolutePath)).StatusCode);
        Assert.Equal(first, url[^InvitationTokens.Length..]);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}

using System.Security.Cryptography;
using System.Text;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// The link key (docs/decisions/042-recoverable-links-and-mail-templates.md): a personal link's token is
/// HMAC-SHA256(key, "link:" + link id + ":" + stamp), cut to today's token format (docs/decisions/005), so a reminder
/// can carry the same link again while the database keeps only the token's SHA-256. The key lives outside the data
/// folder and the database (<c>Shirabe:LinkKey</c> or <c>Shirabe:LinkKeyFile</c>): a stolen database or backup opens no
/// answers. Without a key, tokens are random (<see cref="InvitationTokens.NewToken"/>) and cannot be mailed again.
/// </summary>
public sealed class LinkKeys
{
    public const int MinKeyBytes = 32;
    private readonly byte[]? _key;

    private LinkKeys(byte[]? key, string? source)
    {
        _key = key;
        Source = source;
    }

    /// <summary>No key: links are random and reminders say the link must be reissued.</summary>
    public static readonly LinkKeys None = new(null, null);

    /// <summary>A key of at least <see cref="MinKeyBytes"/> bytes; <paramref name="source"/> says where it came from (for the log).</summary>
    public static LinkKeys From(byte[] key, string source) => key.Length >= MinKeyBytes
        ? new LinkKeys(key.ToArray(), source)
        : throw new Core.UserError($"{source} の個人リンク用の鍵が短すぎます（{key.Length} バイト。{MinKeyBytes} バイト以上の乱数を base64 で指定してください）。");

    /// <summary>Whether links can be made again for reminders.</summary>
    public bool CanRecover => _key is not null;

    /// <summary>Where the key came from (a setting's name or a file path), or null without a key.</summary>
    public string? Source { get; }

    /// <summary>A fresh stamp for a new link: 96 random bits, URL-safe (not secret; stored with the link).</summary>
    public static string NewStamp() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', '-').Replace('/', '_');

    /// <summary>The token of link <paramref name="linkId"/> with <paramref name="stamp"/>: 24 URL-safe characters, as a random token.</summary>
    public string Derive(long linkId, string stamp)
    {
        if (_key is null) throw new InvalidOperationException("No link key: tokens are random and cannot be derived.");
        ArgumentException.ThrowIfNullOrEmpty(stamp);
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"link:{linkId}:{stamp}"));
        return Convert.ToBase64String(mac, 0, 18).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>
    /// The token of a stored link, made again for a reminder, or null when it cannot be (no key, a random link without
    /// a stamp, or a link made under another key): the stored hash decides, so a reminder never carries a dead link.
    /// </summary>
    public string? Recover(long linkId, string? stamp, byte[] storedHash)
    {
        if (_key is null || string.IsNullOrEmpty(stamp)) return null;
        var token = Derive(linkId, stamp);
        return CryptographicOperations.FixedTimeEquals(InvitationTokens.Hash(token), storedHash) ? token : null;
    }

    // ---------------------------------------------------------------- loading

    /// <summary>
    /// The key the server and every command (`mail`, `invite create`) use with <paramref name="database"/>: the one rule,
    /// so a link made by one is recovered by the others. The embedded default's file only with SQLite.
    /// </summary>
    public static LinkKeys For(IConfiguration config, string dataDir, Database database, ILogger log) =>
        Load(config, dataDir, embedded: database.Provider == DbProvider.Sqlite, log);

    /// <summary>What the command line prints when there is no key (`mail invite`, `mail remind`, `invite create`).</summary>
    public const string NoKeyNotice = "注意: 個人リンクの鍵（Shirabe:LinkKey または Shirabe:LinkKeyFile）がないため、新しい回答用リンクはランダムに作ります。"
        + "ランダムなリンクは作ったときにしか表示できず（データベースにはハッシュだけを保存します）、Shirabe から送る督促メールには載せられません"
        + "（最初のメールのリンクを案内する文になります）。";

    /// <summary>
    /// The key from <c>Shirabe:LinkKey</c> (base64; environment <c>Shirabe__LinkKey</c>) or the file named by
    /// <c>Shirabe:LinkKeyFile</c> (base64 text), which must not be inside <paramref name="dataDir"/>. Without either, the
    /// embedded kind (<paramref name="embedded"/>: SQLite, as the default and the demo) uses <paramref name="defaultFile"/>
    /// (<see cref="DefaultFile"/>), made on first start with 0600; a PostgreSQL server has no key.
    /// </summary>
    public static LinkKeys Load(IConfiguration config, string dataDir, bool embedded, ILogger log, string? defaultFile = null)
    {
        var s = config.GetSection("Shirabe");
        var inline = s["LinkKey"];
        var file = s["LinkKeyFile"];
        if (!string.IsNullOrWhiteSpace(inline) && !string.IsNullOrWhiteSpace(file))
            throw new Core.UserError("Shirabe:LinkKey と Shirabe:LinkKeyFile の両方が設定されています。どちらか一方にしてください。");
        if (!string.IsNullOrWhiteSpace(inline))
        {
            var keys = From(Base64(inline, "Shirabe:LinkKey"), "Shirabe:LinkKey");
            log.LogInformation("Link key: from Shirabe:LinkKey (reminders can carry the first mail's link)");
            return keys;
        }
        if (!string.IsNullOrWhiteSpace(file))
        {
            var keys = ReadFile(file, dataDir);
            log.LogInformation("Link key: {File} (reminders can carry the first mail's link)", keys.Source);
            WarnIfShared(keys.Source!, log);
            return keys;
        }
        if (!embedded)
        {
            log.LogWarning("Link key: none (Shirabe:LinkKey or Shirabe:LinkKeyFile): links are random, and reminders cannot carry "
                           + "them (they point to the first mail and offer a new link; decision 042)");
            return None;
        }
        if ((defaultFile ?? DefaultFile()) is var candidate && !Path.IsPathRooted(candidate))
        {
            log.LogWarning("Link key: no home folder for {File}; links are random and reminders cannot carry them", candidate);
            return None;
        }
        var path = Path.GetFullPath(candidate);
        bool created;
        LinkKeys loaded;
        try
        {
            created = CreateIfMissing(path, dataDir);
            loaded = ReadFile(path, dataDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only home (a container) must not stop the demo: it runs as a server without a key does.
            log.LogWarning("Link key: {File} could not be made or read ({Error}); links are random and reminders cannot carry them", path, e.Message);
            return None;
        }
        if (created)
            log.LogWarning("Link key: created {File} (0600, outside the data folder). Keep it apart from the database and its backups: "
                           + "the two together open every link; without it reminders cannot carry existing links (decision 042)", path);
        else log.LogInformation("Link key: {File}", path);
        WarnIfShared(path, log);
        return loaded;
    }

    private static void WarnIfShared(string path, ILogger log)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
            log.LogWarning("Link key: {File} can be read by other users (mode {Mode}); chmod 600 it", path, File.GetUnixFileMode(path));
    }

    /// <summary>The embedded default's key file: $XDG_CONFIG_HOME/shirabe/link.key, else ~/.config/shirabe/link.key.</summary>
    public static string DefaultFile()
    {
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } x && Path.IsPathRooted(x)
            ? x : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "shirabe", "link.key");
    }

    /// <summary>Reads a key file (base64 text), refusing one inside the data folder (a backup of it would hold the key).</summary>
    public static LinkKeys ReadFile(string file, string dataDir)
    {
        var path = Path.GetFullPath(file);
        RefuseInside(path, dataDir);
        if (!File.Exists(path))
            throw new Core.UserError($"個人リンクの鍵のファイル {path}（Shirabe:LinkKeyFile）がありません。");
        var text = File.ReadAllText(path);
        return From(Base64(text, path), path);
    }

    /// <summary>Whether <paramref name="path"/> (after following symbolic links) is inside <paramref name="dataDir"/>.</summary>
    public static bool IsInside(string path, string dataDir)
    {
        var file = Real(path);
        var data = Real(dataDir).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return (file + Path.DirectorySeparatorChar).StartsWith(data, comparison);
    }

    private static void RefuseInside(string path, string dataDir)
    {
        if (IsInside(path, dataDir))
            throw new Core.UserError($"個人リンクの鍵のファイル {path} がデータフォルダ {Path.GetFullPath(dataDir)} の中にあります。データフォルダ"
                                     + "（とそのバックアップ）に鍵があると、盗まれたバックアップから全員の回答が開けます。データフォルダの外に置いてください。");
    }

    private static bool CreateIfMissing(string path, string dataDir)
    {
        RefuseInside(path, dataDir);
        if (File.Exists(path)) return false;
        var dir = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, DataFiles.PrivateFolder);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinKeyBytes)) + "\n";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = DataFiles.PrivateFile;
            using var stream = new FileStream(path, options);
            stream.Write(Encoding.ASCII.GetBytes(key));
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false; // another process made it first: use theirs
        }
    }

    private static byte[] Base64(string text, string source)
    {
        try { return Convert.FromBase64String(text.Trim()); }
        catch (FormatException)
        {
            throw new Core.UserError($"{source} の個人リンク用の鍵が base64 ではありません（例: openssl rand -base64 32 の出力）。");
        }
    }

    /// <summary>The path with every symbolic link on the way followed (the parts that exist).</summary>
    private static string Real(string path, int depth = 0)
    {
        var full = Path.GetFullPath(path);
        if (depth > 32) return full;
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is { } target)
                next = Real(Path.IsPathRooted(target) ? target : Path.Combine(current, target), depth + 1);
            current = next;
        }
        return current;
    }
}

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// The public address of the site that mails link to (<c>Shirabe:PublicUrl</c>, e.g. <c>https://survey.example.jp/</c>,
/// docs/web.md). Without the setting, the server's own listening address (right for the demo and a test server; behind a
/// proxy or a host name, set the setting).
/// </summary>
public sealed class PublicSite(IConfiguration config, IServiceProvider services)
{
    public const string Setting = "Shirabe:PublicUrl";

    /// <summary>The address, ending in '/'.</summary>
    public Uri Url => FromSetting(config) ?? Listening() ?? new Uri("http://localhost:5000/");

    /// <summary>Whether <see cref="Url"/> comes from the setting (the console says so where it matters).</summary>
    public bool IsConfigured => FromSetting(config) is not null;

    /// <summary>The setting's address, or null when it is not set. Throws <see cref="Core.UserError"/> for a bad value.</summary>
    public static Uri? FromSetting(IConfiguration config)
    {
        if (config[Setting] is not { Length: > 0 } text) return null;
        text = text.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || text.Any(char.IsWhiteSpace))
            throw new Core.UserError($"{Setting} の「{text}」は https://survey.example.jp/ のような http(s) のアドレスにしてください。");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>
    /// The address the command line makes links with (it has no listening address): the setting; without it, with SQLite
    /// (the demo) <c>http://localhost:5000/</c>, said on <paramref name="notice"/>; with PostgreSQL a <see cref="Core.UserError"/>.
    /// </summary>
    public static Uri ForCommandLine(IConfiguration config, Data.DbProvider provider, TextWriter notice)
    {
        if (FromSetting(config) is { } url) return url;
        if (provider != Data.DbProvider.Sqlite)
            throw new Core.UserError("Shirabe:PublicUrl（回答者が開くサイトのアドレス、例 https://survey.example.jp/）を設定してください。回答用リンクはこのアドレスで作ります。");
        notice.WriteLine("注意: Shirabe:PublicUrl が設定されていないため、回答用リンクは http://localhost:5000/ で作ります（デモ用）。");
        return new Uri("http://localhost:5000/");
    }

    /// <summary>The first address Kestrel listens on, a wildcard host as localhost; null under a test server.</summary>
    private Uri? Listening()
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
                    ?? addresses?.FirstOrDefault();
        if (first is null) return null;
        first = first.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost")
            .Replace("://+", "://localhost").Replace("://*", "://localhost");
        return Uri.TryCreate(first.TrimEnd('/') + "/", UriKind.Absolute, out var uri) ? uri : null;
    }
}

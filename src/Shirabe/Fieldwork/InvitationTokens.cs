using System.Security.Cryptography;
using System.Text;

namespace Shirabe.Fieldwork;

/// <summary>
/// The personal-link tokens: 144 random bits as 24 URL-safe characters. Only SHA-256 of a token is stored
/// (docs/decisions/005-invitation-tokens.md).
/// </summary>
public static class InvitationTokens
{
    public const int Length = 24;

    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Whether the text can be a token at all (checked before any database lookup).</summary>
    public static bool LooksValid(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The path of an invitation's questionnaire.</summary>
    public static string Path(string token) => "/a/" + token;

    /// <summary>The link a respondent opens: <paramref name="site"/> (ending in '/') + a/TOKEN.</summary>
    public static string Url(Uri site, string token) => new Uri(site, Path(token).TrimStart('/')).AbsoluteUri;
}

/// <summary>
/// Counts wrong or expired links per client IP; over the limit, every lookup from that IP is refused for the rest of
/// the minute, so tokens cannot be guessed at speed. Successful lookups cost nothing (load tests, busy offices behind
/// one IP).
/// </summary>
public sealed class FailedLookupLimiter(ShirabeSettings settings) : PerMinuteLimiter<string>(settings.FailedLookupsPerMinute);

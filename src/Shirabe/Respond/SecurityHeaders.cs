using Microsoft.AspNetCore.Antiforgery;
using Shirabe.Fieldwork;

namespace Shirabe.Respond;

/// <summary>
/// Headers on every response: a CSP without inline script or style, no framing, no MIME sniffing, and no referrer
/// (a personal link must not leak to another site through the Referer header). Pages behind a token are not cached.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h.ContentSecurityPolicy = ContentSecurityPolicy;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            if (context.Request.Path.StartsWithSegments("/a"))
                h.CacheControl = "no-store";
            return Task.CompletedTask;
        });
        return next(context);
    }
}

/// <summary>
/// Binds each form's anti-forgery token to the personal link it was issued on, so a token from one association's page
/// is refused on another's.
/// </summary>
public sealed class TokenBoundAntiforgery : IAntiforgeryAdditionalDataProvider
{
    public string GetAdditionalData(HttpContext context) =>
        context.GetRouteValue("token") is string token
            ? Convert.ToHexString(InvitationTokens.Hash(token), 0, 8)
            // staff entry: a form token of one invitee's questionnaire is refused on any other page
            : RespondPageModel.StaffEntryOf(context) is { } id ? "paper:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "";

    public bool ValidateAdditionalData(HttpContext context, string additionalData) =>
        string.Equals(additionalData ?? "", GetAdditionalData(context), StringComparison.Ordinal);
}

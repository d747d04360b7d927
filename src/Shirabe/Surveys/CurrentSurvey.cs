using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;

namespace Shirabe.Surveys;

/// <summary>The survey of the folder the server was started with (Shirabe:Survey): the default when a request names none.</summary>
public sealed record ServedSurvey(Survey Survey);

/// <summary>
/// The survey a request works on, and its stored version (stamped on every draft save and submission; null only
/// before the definition is stored). Scoped: one per request, set by <see cref="SurveyResolver"/>; `Survey` is
/// resolved from it, so every page and service of the request sees the same survey.
/// </summary>
public sealed class CurrentSurvey(ServedSurvey served, SurveyCatalog catalog)
{
    public Survey Survey { get; private set; } = served.Survey;
    public int? VersionId { get; private set; } = catalog.ServedVersionId;
    /// <summary>The stored survey (null: the served folder's survey before it was stored).</summary>
    public StoredSurvey? Stored { get; private set; }
    public bool Resolved { get; set; }
    /// <summary>The console's survey was named by ?survey= or the cookie (not the default): a user without a role in its
    /// series gets 403 instead of another survey (Admin.AdminAuth).</summary>
    public bool Chosen { get; set; }
    /// <summary>Chosen with ?survey= in the console: remembered in the cookie once the user is known to see it (Admin.AdminAuth).</summary>
    public bool Remember { get; set; }
    /// <summary>Chosen by the cookie: ignored (and the cookie dropped) when the user may not see it (Admin.AdminAuth).</summary>
    public bool Remembered { get; set; }
    /// <summary>The series whose staff roles apply (docs/decisions/060).</summary>
    public string SeriesId => Stored?.Record.SeriesId ?? Survey.Series ?? Survey.Id;

    public void Use(StoredSurvey stored)
    {
        Stored = stored;
        Survey = stored.Survey;
        VersionId = stored.Version.Id;
    }
}

/// <summary>
/// Picks the request's survey (docs/web.md "Several surveys"): a personal link's (/a/{token}/…) from its invitation, so
/// a link of one survey never opens another; in the console the one chosen with ?survey=ID (remembered in a cookie once
/// the user is known to see it, docs/decisions/061), else the cookie's, else the newest stored survey (the newest the user may see: Admin.AdminAuth); elsewhere (the blank questionnaire, the privacy notice) the one named by ?survey=ID,
/// else the newest, else the served folder's.
/// </summary>
public sealed class SurveyResolver(RequestDelegate next)
{
    public const string Cookie = "shirabe-survey";

    public async Task InvokeAsync(HttpContext http, CurrentSurvey current, SurveyCatalog catalog, ShirabeDb db,
        Fieldwork.FailedLookupLimiter limiter)
    {
        var path = http.Request.Path;
        // Once per request: an error page re-executed for it keeps the request's survey (its contact, its title).
        if (current.Resolved || path.StartsWithSegments("/error"))
        {
            await next(http);
            return;
        }
        current.Resolved = true;
        var cancel = http.RequestAborted;
        StoredSurvey? stored = null;
        if (path.StartsWithSegments("/a", out var rest))
        {
            var token = rest.Value?.TrimStart('/').Split('/')[0];
            // A client out of guesses gets no query at all (the page answers 429 without looking the link up).
            if (Fieldwork.InvitationTokens.LooksValid(token)
                && !limiter.IsExhausted(http.Connection.RemoteIpAddress?.ToString() ?? "unknown"))
            {
                // The link's one query (its invitation, draft and submission too): the page reuses it.
                if (await Fieldwork.LinkedInvitation.GetAsync(db, token!, http) is { VersionId: { } version } linked)
                    stored = await catalog.GetAsync(db, linked.Survey, version, cancel);
            }
        }
        else
        {
            var console = path.StartsWithSegments("/admin");
            var asked = http.Request.Query["survey"].ToString();
            // A console page of one stored survey (/admin/surveys/{id}/…) works on that survey: its series' roles apply.
            if (path.StartsWithSegments("/admin/surveys", out var surveyPath) && surveyPath.Value?.Split('/') is [_, { Length: > 0 and <= 40 } named, ..]
                && await catalog.GetAsync(db, named, cancel) is { } page)
            {
                stored = page;
                current.Chosen = true;
            }
            else if (asked.Length is > 0 and <= 40 && await catalog.GetAsync(db, asked, cancel) is { } chosen)
            {
                stored = chosen;
                current.Chosen = console;
                current.Remember = console;
            }
            else if (console && http.Request.Cookies[Cookie] is { Length: > 0 and <= 40 } remembered)
            {
                stored = await catalog.GetAsync(db, remembered, cancel);
                current.Chosen = current.Remembered = stored is not null;
            }
            if (stored is null && await db.Surveys.AsNoTracking().OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
                    .Select(s => s.Id).FirstOrDefaultAsync(cancel) is { } newest)
                stored = await catalog.GetAsync(db, newest, cancel);
        }
        if (stored is not null) current.Use(stored);
        await next(http);
    }

    /// <summary>Remembers the console's survey for the next requests (only one the user may see: Admin.AdminAuth).</summary>
    public static void Store(HttpContext http, string surveyId) => http.Response.Cookies.Append(Cookie, surveyId, Options(http));

    /// <summary>Forgets the console's survey (the cookie named one the user may not see).</summary>
    public static void Forget(HttpContext http) => http.Response.Cookies.Delete(Cookie, Options(http));

    private static CookieOptions Options(HttpContext http) => new()
    {
        Path = "/admin", HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps, IsEssential = true,
    };
}

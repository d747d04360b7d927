using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shirabe.Pdf;

namespace Shirabe.Tests;

/// <summary>
/// Issue 7, "keep them closed": every route of the app, enumerated from the endpoint data source (a new route without a
/// row here fails the test), called by every principal with GET and POST, against the expected status. To add a
/// principal: add it to <see cref="PrincipalsAsync"/> and a column to every row. Issue 11: a signed-in 集計担当 (analyst)
/// reads progress, results, answers and reports and drafts the report, and gets 403 with the console's Japanese page
/// for everything else (docs/decisions/035-staff-roles.md).
/// </summary>
public class AuthorizationMatrixTests
{
    private const string Anonymous = "anonymous", Respondent = "respondent", OtherRespondent = "other association", Admin = "admin",
        Analyst = "analyst";

    /// <summary>What a principal sends: its client (with its cookies), the link it puts in {token}, its form token.</summary>
    private sealed record Caller(string Name, HttpClient Client, string Token, string? Csrf);

    /// <summary>
    /// One route: the pattern as the endpoint data source has it, a concrete path ({token} is the caller's), and the
    /// status per principal for GET and for a plain POST (with the caller's own form token, if any).
    /// </summary>
    private sealed record Row(string Pattern, string Path, Dictionary<string, (int Get, int Post)> Expected);

    private static Row R(string pattern, string path, (int, int) anonymous, (int, int) respondent, (int, int) other, (int, int) admin,
        (int, int) analyst) =>
        new(pattern, path, new()
        {
            [Anonymous] = anonymous, [Respondent] = respondent, [OtherRespondent] = other, [Admin] = admin, [Analyst] = analyst,
        });

    /// <summary>The title of the console's refusal page (403).</summary>
    internal const string Refused = "この操作の権限がありません";

    // 302 on /admin = to the sign-in page; 404 = the same "wrong link" page as any unknown token; 400 = form token missing
    // or issued on another link (a respondent's is bound to its link); 405 = no handler for a plain POST, or a GET-only
    // endpoint; 503 = PDF renderer busy (held by the test: authorized, not rendered). Review's POST without draftVersion
    // is 400; the section's POST with the caller's own form token saves and moves on (302). 403 = signed in without
    // the role (the analyst): refused before any handler, form token or route value is looked at.
    private static readonly Row[] Matrix =
    [
        R("/", "/", (200, 400), (200, 400), (200, 400), (200, 400), (200, 400)),
        R("/error/{code:int?}", "/error/404", (200, 405), (200, 405), (200, 405), (200, 405), (200, 405)),
        R("/survey/blank", "/survey/blank", (200, 400), (200, 400), (200, 400), (200, 400), (200, 400)),
        R("/survey/blank.pdf", "/survey/blank.pdf", (503, 405), (503, 405), (503, 405), (503, 405), (503, 405)),
        R("/survey/privacy", "/survey/privacy", (200, 400), (200, 400), (200, 400), (200, 400), (200, 400)),
        R("/a/{token}", "/a/{token}", (404, 400), (200, 405), (200, 405), (404, 400), (404, 400)),
        R("/a/{token}/s/{section}/{part:int?}", "/a/{token}/s/1", (404, 404), (200, 302), (200, 302), (404, 404), (404, 404)),
        R("/a/{token}/review", "/a/{token}/review", (404, 404), (200, 400), (200, 400), (404, 404), (404, 404)),
        R("/a/{token}/thanks", "/a/{token}/thanks", (404, 400), (302, 405), (302, 405), (404, 400), (404, 400)),
        R("/a/{token}/print", "/a/{token}/print", (404, 400), (200, 405), (200, 405), (404, 400), (404, 400)),
        R("/a/{token}/answers.pdf", "/a/{token}/answers.pdf", (404, 405), (503, 405), (503, 405), (404, 405), (404, 405)),
        R("/admin/signin", "/admin/signin", (200, 400), (200, 400), (200, 400), (200, 401), (200, 401)),
        R("/admin", "/admin", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/results", "/admin/results", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/results/compare", "/admin/results/compare", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/results/figures/{key}.png", "/admin/results/figures/1-3.png", (302, 405), (302, 405), (302, 405), (200, 405), (200, 405)),
        R("/admin/invitees/{id:int}", "/admin/invitees/1", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/invitees/{id:int}/reissue", "/admin/invitees/1/reissue", (302, 302), (302, 302), (302, 302), (200, 200), (403, 403)), // POST reissues: an admin may
        // Validity and address: a plain POST (no choice) is refused with the page's own message (400); staff entry of paper
        // answers: the admin's form token from /admin is not one of this invitee's questionnaire (400).
        R("/admin/invitees/{id:int}/validity", "/admin/invitees/1/validity", (302, 302), (302, 302), (302, 302), (200, 400), (403, 403)),
        R("/admin/invitees/{id:int}/mail", "/admin/invitees/1/mail", (302, 302), (302, 302), (302, 302), (200, 400), (403, 403)), // no kind confirmed: 400
        R("/admin/invitees/{id:int}/address", "/admin/invitees/1/address", (302, 302), (302, 302), (302, 302), (200, 400), (403, 403)),
        R("/admin/invitees/{id:int}/paper/s/{section}/{part:int?}", "/admin/invitees/1/paper/s/1", (302, 302), (302, 302), (302, 302), (200, 400), (403, 403)),
        R("/admin/invitees/{id:int}/paper/review", "/admin/invitees/1/paper/review", (302, 302), (302, 302), (302, 302), (200, 400), (403, 403)),
        R("/admin/roster.{format:regex(^(csv|xlsx)$)}", "/admin/roster.csv", (302, 405), (302, 405), (302, 405), (200, 405), (403, 405)),
        R("/admin/roster", "/admin/roster", (302, 302), (302, 302), (302, 302), (200, 405), (403, 403)), // uploads have a handler
        R("/admin/roster/imports/{id:guid}", "/admin/roster/imports/" + Guid.NewGuid(), (302, 302), (302, 302), (302, 302), (404, 405), (403, 403)),
        R("/admin/roster/file.{format:regex(^(csv|xlsx)$)}", "/admin/roster/file.csv", (302, 405), (302, 405), (302, 405), (200, 405), (403, 405)),
        R("/admin/invitees/{id:int}/edit", "/admin/invitees/1/edit", (302, 302), (302, 302), (302, 302), (200, 200), (403, 403)), // POST saves: an admin may
        R("/admin/report", "/admin/report", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/report/narrative/{key}", "/admin/report/narrative/1-3", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/report/answers/{key}", "/admin/report/answers/2-2", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/report/jobs/{id:guid}", "/admin/report/jobs/" + Guid.NewGuid(), (302, 302), (302, 302), (302, 302), (404, 405), (404, 405)),
        R("/admin/report/jobs/{id:guid}/file", "/admin/report/jobs/" + Guid.NewGuid() + "/file", (302, 405), (302, 405), (302, 405), (404, 405), (404, 405)),
        R("/admin/mail", "/admin/mail", (302, 302), (302, 302), (302, 302), (200, 405), (403, 403)),
        R("/admin/mail/bounces", "/admin/mail/bounces", (302, 302), (302, 302), (302, 302), (200, 422), (403, 403)), // no mailbox configured: 422
        R("/admin/mail/templates/{kind}", "/admin/mail/templates/invitation", (302, 302), (302, 302), (302, 302), (200, 405), (403, 403)),
        R("/admin/users", "/admin/users", (302, 302), (302, 302), (302, 302), (200, 405), (403, 403)),
        R("/admin/audit", "/admin/audit", (302, 302), (302, 302), (302, 302), (200, 405), (403, 403)),
        R("/admin/audit.csv", "/admin/audit.csv", (302, 405), (302, 405), (302, 405), (200, 405), (403, 405)),
        // Surveys (decision 054): 集計担当 may read the list, history, previews and exports; only 管理者 changes. Version 1 is
        // the served survey, stored at start. A plain POST: the upload and the next wave refuse a form without a file or fields
        // (422), the editor has only named handlers (405), publishing publishes (302).
        R("/admin/surveys", "/admin/surveys", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/surveys/upload", "/admin/surveys/upload", (302, 302), (302, 302), (302, 302), (200, 422), (403, 403)),
        R("/admin/surveys/{id}", "/admin/surveys/sc3-2023", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/surveys/{id}/next", "/admin/surveys/sc3-2023/next", (302, 302), (302, 302), (302, 302), (200, 422), (403, 403)),
        R("/admin/surveys/{id}/edit/{versionId:int}/{group?}", "/admin/surveys/sc3-2023/edit/1", (302, 302), (302, 302), (302, 302), (200, 405), (403, 403)),
        R("/admin/surveys/{id}/publish/{versionId:int}", "/admin/surveys/sc3-2023/publish/1", (302, 302), (302, 302), (302, 302), (200, 302), (403, 403)),
        R("/admin/surveys/{id}/preview/{versionId:int}/s/{section}/{part:int?}", "/admin/surveys/sc3-2023/preview/1/s/1", (302, 302), (302, 302), (302, 302), (200, 405), (200, 405)),
        R("/admin/surveys/{id}/versions/{versionId:int}/survey.{format:regex(^(yaml|xlsx)$)}", "/admin/surveys/sc3-2023/versions/1/survey.xlsx", (302, 405), (302, 405), (302, 405), (200, 405), (200, 405)),
        R("/admin/surveys/{id}/versions/{versionId:int}/report.yaml", "/admin/surveys/sc3-2023/versions/1/report.yaml", (302, 405), (302, 405), (302, 405), (200, 405), (200, 405)),
        R("/admin/signout", "/admin/signout", (302, 302), (302, 302), (302, 302), (200, 302), (200, 302)),
    ];

    private static async Task<List<Caller>> PrincipalsAsync(TestApp app, string ownToken, string otherToken)
    {
        var unknown = "AAAAAAAAAAAAAAAAAAAAAAAA"; // well-formed, never issued
        var respondent = app.Client();
        var other = app.Client();
        var admin = await app.SignedInClientAsync();
        var analyst = await app.SignedInAsAsync("shukei", Shirabe.Admin.StaffRoles.Analyst);
        return
        [
            new(Anonymous, app.Client(), unknown, null),
            new(Respondent, respondent, ownToken, await TestApp.CsrfTokenAsync(respondent, $"/a/{ownToken}/s/1")),
            // Holds only its own link: uses it in {token} (and must see only its own association) and posts with its form token.
            new(OtherRespondent, other, otherToken, await TestApp.CsrfTokenAsync(other, $"/a/{otherToken}/s/1")),
            new(Admin, admin, unknown, await TestApp.CsrfTokenAsync(admin, "/admin")),
            // A valid form token of its own: a refusal is by role, not by a missing token.
            new(Analyst, analyst, unknown, await TestApp.CsrfTokenAsync(analyst, "/admin")),
        ];
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task EveryRoute_AsEveryPrincipal_GetsTheExpectedStatus(string provider)
    {
        await using var pdf = new ChromiumPdf(pages: 1, queue: 0);
        // Five principals' unknown-link lookups: above the default limit of failed lookups per minute.
        await using var app = await TestApp.StartAsync(provider, failedLookups: 40, services: s => s.Replace(ServiceDescriptor.Singleton(pdf)));
        using var busy = await pdf.EnterAsync(false, default); // PDFs answer 503 once authorized: no Chromium needed
        await app.ImportReconstructedAsync();
        var own = await app.InviteAsync("M01", "自分の工業会");
        var other = await app.InviteAsync("M02", "他人の工業会");
        var callers = await PrincipalsAsync(app, own, other);

        // Every route the app maps has a row, and every row is a route the app maps.
        var patterns = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/')).ToHashSet();
        var rows = Matrix.Select(r => r.Pattern).ToHashSet();
        Assert.True(patterns.SetEquals(rows), $"routes without a row: {string.Join(", ", patterns.Except(rows))}; " +
                                              $"rows without a route: {string.Join(", ", rows.Except(patterns))}");

        var failures = new List<string>();
        foreach (var row in Matrix.OrderBy(r => r.Pattern == "/admin/signout")) // signing out last
            foreach (var caller in callers)
            {
                if (!row.Expected.TryGetValue(caller.Name, out var expected))
                {
                    failures.Add($"{row.Pattern}: no expectation for {caller.Name}");
                    continue;
                }
                var path = row.Path.Replace("{token}", caller.Token);
                var get = await caller.Client.GetAsync(path);
                var getBody = await get.Content.ReadAsStringAsync();
                if ((int)get.StatusCode != expected.Get) failures.Add($"GET {row.Pattern} as {caller.Name}: {(int)get.StatusCode}, expected {expected.Get}");
                if (caller.Name is Anonymous or OtherRespondent && getBody.Contains("自分の工業会")) failures.Add($"GET {row.Pattern} as {caller.Name}: shows the respondent's association");
                var form = new List<KeyValuePair<string, string>> { new("action", "next") };
                if (caller.Csrf is not null) form.Add(new("__RequestVerificationToken", caller.Csrf));
                if (get.StatusCode == HttpStatusCode.Forbidden && !getBody.Contains(Refused)) failures.Add($"GET {row.Pattern} as {caller.Name}: 403 without the Japanese page");
                var post = await caller.Client.PostAsync(path, new FormUrlEncodedContent(form));
                if ((int)post.StatusCode != expected.Post) failures.Add($"POST {row.Pattern} as {caller.Name}: {(int)post.StatusCode}, expected {expected.Post}");
                if (post.StatusCode == HttpStatusCode.Forbidden && !(await post.Content.ReadAsStringAsync()).Contains(Refused))
                    failures.Add($"POST {row.Pattern} as {caller.Name}: 403 without the Japanese page");
            }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>A form token issued on one association's link is refused on another's, whatever the route.</summary>
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnotherAssociationsFormToken_IsRefusedOnEveryFormOfThisLink(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var own = await app.InviteAsync("M01", "自分の工業会");
        var other = await app.InviteAsync("M02", "他人の工業会");
        var attacker = app.Client();
        var foreign = await TestApp.CsrfTokenAsync(attacker, $"/a/{other}/s/1");
        foreach (var row in Matrix.Where(r => r.Pattern.StartsWith("/a/{token}", StringComparison.Ordinal) && r.Expected[Respondent].Post != 405))
        {
            var response = await attacker.PostAsync(row.Path.Replace("{token}", own), new FormUrlEncodedContent(
                [new("action", "next"), new("__RequestVerificationToken", foreign), new("draftVersion", "0")]));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{row.Pattern}: {(int)response.StatusCode}");
        }
        Assert.Null(await app.DraftAsync("M01"));
        Assert.Empty(await app.SubmissionsAsync("M01"));
    }
}

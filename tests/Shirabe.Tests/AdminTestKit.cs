using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Shirabe.Admin;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>Helpers for the console tests: users, signing in, posting console forms, seeding responses.</summary>
public static partial class AdminTestKit
{
    public const string Name = "jimukyoku";
    public const string Password = "correct-horse-battery-staple";

    public static async Task AddAdminAsync(this TestApp app, string name = Name, string password = Password)
    {
        await using var db = app.Db();
        await new AdminUsers(db, new PasswordHasher<AdminUser>(), app.Clock).AddAsync(name, password);
    }

    /// <summary>A user with <paramref name="role"/> (StaffRoles.Admin or StaffRoles.Analyst); returns its id.</summary>
    public static async Task<int> AddUserAsync(this TestApp app, string name, string role, string password = Password)
    {
        await using var db = app.Db();
        return (await new AdminUsers(db, new PasswordHasher<AdminUser>(), app.Clock).AddAsync(name, password, role: role)).Id;
    }

    /// <summary>A client signed in as a new user <paramref name="name"/> with <paramref name="role"/>.</summary>
    public static async Task<HttpClient> SignedInAsAsync(this TestApp app, string name, string role)
    {
        await app.AddUserAsync(name, role);
        var client = app.Client();
        var response = await PostSignInAsync(client, name, Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string name, string password, string? returnUrl = null)
    {
        var token = await TestApp.CsrfTokenAsync(client, "/admin/signin");
        var form = new List<KeyValuePair<string, string>>
        {
            new("name", name), new("password", password), new("__RequestVerificationToken", token),
        };
        if (returnUrl is not null) form.Add(new("returnUrl", returnUrl));
        return await client.PostAsync("/admin/signin", new FormUrlEncodedContent(form));
    }

    /// <summary>A client signed in as the test admin (created when missing).</summary>
    public static async Task<HttpClient> SignedInClientAsync(this TestApp app, bool addUser = true)
    {
        if (addUser) await app.AddAdminAsync();
        var client = app.Client();
        var response = await PostSignInAsync(client, Name, Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/admin", response.Headers.Location?.OriginalString);
        return client;
    }

    /// <summary>Posts a console form: the form token is read from <paramref name="page"/> first.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, string action,
        params (string Name, string Value)[] fields)
    {
        var token = await TestApp.CsrfTokenAsync(client, page);
        var form = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        form.Add(new("__RequestVerificationToken", token));
        return await client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>Imports the reconstructed SC3 responses (48 submitted) into the app's database.</summary>
    public static async Task ImportReconstructedAsync(this TestApp app)
    {
        await using var db = app.Db();
        await using var csv = File.OpenRead(ReportFixtures.ResponsesPath);
        await ResponsesTransfer.ImportAsync(db, app.Survey, csv, app.Clock);
    }

    /// <summary>Imports one more submitted response: R01's answers with <paramref name="change"/> applied, under a new id.</summary>
    public static async Task SubmitOneMoreAsync(this TestApp app, string id, Func<Response, Survey, Response> change)
    {
        var survey = app.Survey;
        Response first;
        using (var s = File.OpenRead(ReportFixtures.ResponsesPath)) first = ResponsesCsv.Read(s, survey).First();
        var response = change(first with { Id = id, SubmittedAt = app.Clock.GetUtcNow() }, survey);
        using var ms = new MemoryStream();
        ResponsesCsv.Write(ms, survey, [response]);
        ms.Position = 0;
        await using var db = app.Db();
        await ResponsesTransfer.ImportAsync(db, survey, ms, app.Clock);
    }

    /// <summary>The text of the element with id <paramref name="id"/> (a simple, non-nested element).</summary>
    public static string ById(string html, string id)
    {
        var m = Regex.Match(html, $"id=\"{Regex.Escape(id)}\"[^>]*>([^<]*)<");
        Assert.True(m.Success, $"no element #{id}");
        return WebUtility.HtmlDecode(m.Groups[1].Value).Trim();
    }

    /// <summary>The HTML of the section with id <paramref name="id"/>.</summary>
    public static string Section(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section #{id}");
        var end = html.IndexOf("</section>", start, StringComparison.Ordinal);
        return html[start..end];
    }

    /// <summary>The counts of a choice table in order (the number cells without a percent sign).</summary>
    public static long[] Counts(string tableHtml) =>
        CountCell().Matches(tableHtml).Select(m => long.Parse(m.Groups[1].Value.Replace(",", ""))).ToArray();

    [GeneratedRegex("<td class=\"num\"[^>]*>([0-9,]+)</td>")]
    private static partial Regex CountCell();
}

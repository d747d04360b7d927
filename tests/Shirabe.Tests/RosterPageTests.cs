using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;

namespace Shirabe.Tests;

/// <summary>The console's roster page: upload (管理者 only, all or nothing, errors escaped), export, editing an invitee.</summary>
public class RosterPageTests
{
    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] file, string name = "roster.csv", string? csrf = null)
    {
        csrf ??= await TestApp.CsrfTokenAsync(client, "/admin");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(csrf), "__RequestVerificationToken" },
            { new StringContent(""), "encoding" },
            { new ByteArrayContent(file), "file", name },
        };
        var posted = await client.PostAsync("/admin/roster?handler=upload", form);
        if (posted.StatusCode != HttpStatusCode.Redirect) return posted;
        // The import runs in the background: its page reloads itself until it is done or refused.
        var job = posted.Headers.Location!.OriginalString;
        Assert.Matches("^/admin/roster/imports/[0-9a-f-]{36}$", job);
        for (var i = 0; i < 600; i++)
        {
            var page = await client.GetAsync(job);
            if (!(await page.Content.ReadAsStringAsync()).Contains("data-state=\"running\"")) return page;
            await Task.Delay(50);
        }
        throw new TimeoutException("the roster import did not finish in 30 s");
    }

    private static byte[] Sample => File.ReadAllBytes(RosterImportTests.SamplePath);

    private static async Task<int> InvitationsAsync(TestApp app)
    {
        await using var db = app.Db();
        return await db.Invitations.CountAsync();
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnAdminUploadsTheSample_AndSeesTheSummary_AnAnalystIsRefused(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var analyst = await app.SignedInAsAsync("shukei", StaffRoles.Analyst);
        var refused = await UploadAsync(analyst, Sample);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains(AuthorizationMatrixTests.Refused, await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/admin/roster")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/admin/roster/file.csv")).StatusCode);
        Assert.Equal(0, await InvitationsAsync(app));

        var admin = await app.SignedInClientAsync();
        var noToken = await UploadAsync(admin, Sample, csrf: "x");
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Equal(0, await InvitationsAsync(app));

        var page = await admin.GetStringAsync("/admin/roster");
        Assert.Contains("enctype=\"multipart/form-data\"", page);
        var response = await UploadAsync(admin, Sample);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("57 件を取り込みました: 新規 57 件、更新 0 件、変更なし 0 件（新しい団体 57 件）。", body);
        Assert.Contains("data-state=\"done\"", body);
        Assert.Contains("<strong id=\"invitee-count\">57</strong>", await admin.GetStringAsync("/admin/roster"));
        Assert.Equal(57, await InvitationsAsync(app));

        // An XLSX export of it, re-uploaded, changes nothing.
        var xlsx = await admin.GetAsync("/admin/roster/file.xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Contains("sc3-2023-%E5%90%8D%E7%B0%BF-", xlsx.Content.Headers.ContentDisposition!.ToString()); // 名簿
        var again = await UploadAsync(admin, await xlsx.Content.ReadAsByteArrayAsync(), "roster.xlsx");
        Assert.Contains("57 件を取り込みました: 新規 0 件、更新 0 件、変更なし 57 件", await again.Content.ReadAsStringAsync());

        var csv = await admin.GetStringAsync("/admin/roster/file.csv");
        Assert.Contains("\"R03\",\"日本フォーム印刷工業連合会\",\"加藤 光男\",\"contact-r03@example.jp\",\"jimukyoku-r03@example.jp\",\"製造業\"", csv);
        await using var db = app.Db();
        var actions = await db.AuditEntries.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(2, actions.Count(a => a == AuditAction.RosterImported));
        Assert.Equal(2, actions.Count(a => a == AuditAction.RosterDownloaded));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ABadRoster_ListsItsErrorsEscaped_AndImportsNothing_AScriptInANameIsShownAsText(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = await app.SignedInClientAsync();
        const string script = "<script>alert(1)</script>";
        var bad = Encoding.UTF8.GetBytes($"コード,団体名,メールアドレス\nX1,{script},<img src=x onerror=alert(2)>@example.jp\nX2,普通の団体,ok@example.jp\n,名無し,\n");

        var response = await UploadAsync(admin, bad);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-state=\"failed\"", body);
        Assert.Contains("2 件の誤りがあります。何も取り込んでいません。", body);
        Assert.Contains("<td>2 行目</td>", body);
        Assert.Contains("<td>4 行目</td>", body);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;@example.jp", body);
        Assert.DoesNotContain("<img src=x", body);
        Assert.Equal(0, await InvitationsAsync(app));

        var good = await UploadAsync(admin, Encoding.UTF8.GetBytes($"コード,団体名,メールアドレス\nX1,{script},x1@example.jp\n"));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        int id;
        await using (var db = app.Db())
            id = await db.Organisations.Where(o => o.Code == "X1").Select(o => o.Id).SingleAsync();
        foreach (var path in new[] { "/admin", $"/admin/invitees/{id}/edit" })
        {
            var page = await admin.GetStringAsync(path);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page);
            Assert.DoesNotContain(script, page);
        }
        var found = await admin.GetAsync("/admin/roster?code=X1");
        Assert.Equal($"/admin/invitees/{id}/edit", found.Headers.Location?.OriginalString);
    }

    /// <summary>Random bytes, a broken zip, a cut-off multipart body: a 4xx with the page, never a 5xx, nothing imported.</summary>
    [Fact]
    public async Task MalformedUploads_AreRefusedWithoutAServerError_AndImportNothing()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        var admin = await app.SignedInClientAsync();
        var random = new Random(48);
        var files = new List<(byte[] Bytes, string Name)>();
        for (var i = 0; i < 20; i++)
        {
            var bytes = new byte[random.Next(0, 2000)];
            random.NextBytes(bytes);
            files.Add((bytes, i % 2 == 0 ? "roster.csv" : "roster.xlsx"));
            files.Add(([.. "PK\u0003\u0004"u8, .. bytes], "roster.xlsx"));
        }
        files.Add((Encoding.UTF8.GetBytes("コード,団体名\nA1,\"閉じない引用符\n"), "roster.csv"));
        foreach (var (bytes, name) in files)
        {
            var response = await UploadAsync(admin, bytes, name);
            Assert.True((int)response.StatusCode is 200 or 422, $"{name} {bytes.Length} bytes: {(int)response.StatusCode}");
        }
        var csrf = await TestApp.CsrfTokenAsync(admin, "/admin");
        var cut = new ByteArrayContent(Encoding.UTF8.GetBytes(
            $"--b\r\nContent-Disposition: form-data; name=\"__RequestVerificationToken\"\r\n\r\n{csrf}\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\r\nコード,団体名\nA1,"));
        cut.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");
        var truncated = await admin.PostAsync("/admin/roster?handler=upload", cut);
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Contains("<h1>操作を完了できませんでした</h1>", await truncated.Content.ReadAsStringAsync());
        Assert.Equal(0, await InvitationsAsync(app));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task EditingAnInvitee_SavesValidContactFields_RefusesBadOnes_AndLogsFieldNamesOnly(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = await app.SignedInClientAsync();
        await UploadAsync(admin, Sample);
        int id;
        await using (var db = app.Db())
            id = await db.Organisations.Where(o => o.Code == "R05").Select(o => o.Id).SingleAsync();
        var path = $"/admin/invitees/{id}/edit";
        var form = await admin.GetStringAsync(path);
        Assert.Contains("value=\"contact-r05@example.jp\"", form);
        Assert.Contains("<label for=\"Category\">業種</label>", form); // SC3's category item's short

        var refused = await AdminTestKit.PostFormAsync(admin, path, path, ("ContactName", "新しい 担当"), ("ContactEmail", "全角＠example.jp"),
            ("Cc", ""), ("Category", "製造業"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("保存していません", await refused.Content.ReadAsStringAsync());

        var saved = await AdminTestKit.PostFormAsync(admin, path, path, ("ContactName", "新しい 担当"), ("ContactEmail", "new-r05@example.jp"),
            ("Cc", "a@example.jp；b@example.jp"), ("Category", "その他"));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("保存しました。", await saved.Content.ReadAsStringAsync());
        await using (var db = app.Db())
        {
            var r05 = await db.Invitations.SingleAsync(i => i.OrganisationId == id);
            Assert.Equal(("新しい 担当", "new-r05@example.jp", "a@example.jp; b@example.jp", "その他"), (r05.ContactName, r05.ContactEmail, r05.Cc, r05.Category));
            var audit = await db.AuditEntries.SingleAsync(a => a.Action == AuditAction.InviteeEdited);
            Assert.Equal($"organisation:{id}", audit.Target);
            Assert.Contains("\"fields\":[\"ContactName\",\"ContactEmail\",\"Cc\"]", audit.Detail);
            Assert.DoesNotContain("@", audit.Detail);
        }

        var analyst = await app.SignedInAsAsync("shukei", StaffRoles.Analyst);
        var token = await TestApp.CsrfTokenAsync(analyst, "/admin");
        var post = await analyst.PostAsync(path, new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("ContactEmail", "evil@example.jp")]));
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        await using (var db = app.Db())
            Assert.Equal("new-r05@example.jp", await db.Invitations.Where(i => i.OrganisationId == id).Select(i => i.ContactEmail).SingleAsync());
    }
}

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Browser.Tests;

/// <summary>
/// The secretariat at the console: a server of its own on the survey's last day (2023-12-15 17:00 JST) with the 48
/// reconstructed submissions, nine associations that have not answered, one with a draft and one (R01) with unsent
/// changes to its submission.
/// </summary>
public sealed class ConsoleSite(ShirabeServer server, IPage page)
{
    public const string Name = "jimukyoku";
    public const string Password = "correct-horse-battery-staple";
    public static readonly DateTimeOffset LastDay = new(2023, 12, 15, 17, 0, 0, TimeSpan.FromHours(9));

    public ShirabeServer Server => server;
    public IPage Page => page;
    public Dictionary<string, string> Tokens { get; } = [];

    public static async Task<ConsoleSite> StartAsync(IPage page)
    {
        var server = await ShirabeServer.StartAsync(LastDay);
        var site = new ConsoleSite(server, page);
        var ids = Enumerable.Range(1, 48).Select(i => $"R{i:D2}").ToArray();
        foreach (var imported in await server.ImportAsync(ids)) site.Tokens[imported.Code] = imported.Token;
        for (var i = 1; i <= 9; i++) site.Tokens[$"N{i:D2}"] = await server.InviteAsync($"N{i:D2}", $"一般社団法人架空未回答協会{i}");
        await using var db = server.Services.GetRequiredService<Database>().CreateContext();
        var clock = server.Services.GetRequiredService<TimeProvider>();
        await new AdminUsers(db, new PasswordHasher<AdminUser>(), clock).AddAsync(Name, Password);
        var n01 = await db.Invitations.SingleAsync(x => x.Organisation.Code == "N01");
        db.Drafts.Add(new Draft { InvitationId = n01.Id, Answers = "{}", Version = 1, UpdatedAt = clock.GetUtcNow().UtcDateTime });
        var r01 = await db.Drafts.SingleAsync(d => d.Invitation.Organisation.Code == "R01");
        r01.Version++;
        await db.SaveChangesAsync();
        return site;
    }

    public async Task<int> AssociationIdAsync(string code)
    {
        await using var db = server.Services.GetRequiredService<Database>().CreateContext();
        return await db.Organisations.Where(a => a.Code == code).Select(a => a.Id).SingleAsync();
    }

    public async Task<IResponse> OpenAsync(string path, int expectedStatus = 200)
    {
        var response = await page.GoToAsync(server.Url(path));
        Assert.True(expectedStatus == (int)response.Status, $"{path}: {response.Status}");
        return response;
    }

    /// <summary>Clicks what matches <paramref name="selector"/> and waits for the page it leads to.</summary>
    public async Task<IResponse> ClickAsync(string selector)
    {
        var navigation = page.WaitForNavigationAsync();
        await page.ClickAsync(selector);
        return await navigation;
    }

    public async Task SignInAsync()
    {
        await OpenAsync("/admin/signin");
        await page.TypeAsync("#name", Name);
        await page.TypeAsync("#password", Password);
        var response = await ClickAsync("form.signin button");
        Assert.EndsWith("/admin", response.Url);
    }

    public Task<string> TextAsync(string selector) =>
        page.EvaluateFunctionAsync<string>("s => document.querySelector(s)?.innerText ?? ''", selector);

    public async ValueTask DisposeAsync() => await server.DisposeAsync();
}

/// <summary>Every console page in the states the secretariat sees it.</summary>
public static class ConsoleTour
{
    public static async Task VisitEveryPageAsync(ConsoleSite site, Func<string, Task> check)
    {
        var page = site.Page;
        await site.OpenAsync("/admin/signin");
        await check("ログイン");
        await page.TypeAsync("#name", ConsoleSite.Name);
        await page.TypeAsync("#password", "wrong-password");
        await site.ClickAsync("form.signin button");
        await check("ログイン（失敗）");
        await site.SignInAsync();
        await check("回収状況");
        await site.OpenAsync("/admin?status=unopened&sort=name&dir=desc");
        await check("回収状況（未開封・名前順）");
        await site.OpenAsync("/admin?size=200");
        await check("回収状況（200 件表示）");

        var r01 = await site.AssociationIdAsync("R01");
        await site.OpenAsync($"/admin/invitees/{r01}");
        await check("団体の回答");
        await site.OpenAsync($"/admin/invitees/{r01}?v=draft");
        await check("団体の回答（未送信の下書き）");
        var n02 = await site.AssociationIdAsync("N02");
        await site.OpenAsync($"/admin/invitees/{n02}");
        await check("団体の回答（未回答）");
        await site.OpenAsync($"/admin/invitees/{n02}/reissue");
        await check("リンク再発行の確認");
        await site.ClickAsync("form.confirm-actions button");
        await check("リンク再発行（新しいリンク）");
        await site.OpenAsync($"/admin/invitees/{r01}/validity");
        await check("回答の有効・無効");
        await site.OpenAsync($"/admin/invitees/{n02}/address");
        await check("宛先エラー");
        await site.OpenAsync($"/admin/invitees/{n02}/mail");
        await check("依頼メールを送る（送れない理由）");
        await site.OpenAsync("/admin/mail/bounces");
        await check("不達通知（メールボックス未設定）");
        await site.OpenAsync($"/admin/invitees/{n02}/paper/s/1");
        await check("紙・郵送の回答の入力");
        await site.OpenAsync($"/admin/invitees/{n02}/paper/review");
        await check("紙・郵送の回答の確認");

        await site.OpenAsync("/admin/results");
        await check("集計結果（セクション 1）");
        await site.OpenAsync("/admin/results?f=1-6%3D5&rows=4-3-a&cols=4-4-a&section=2");
        await check("集計結果（絞り込み・クロス集計・セクション 2）");
        await site.OpenAsync("/admin/results?f=1-3%3D9&section=4");
        await check("集計結果（指定の誤り）");
        await site.OpenAsync("/admin/results?section=all");
        await check("集計結果（すべての表）");
        await site.OpenAsync("/admin/results/compare");
        await check("前回比較（前回の調査なし）");

        await site.OpenAsync("/admin/report");
        await check("報告書");
        await site.OpenAsync("/admin/report/narrative/2-4");
        await check("本文の編集");
        await site.OpenAsync(await FirstCurationLinkAsync(site));
        await check("主な回答の選定");

        await site.OpenAsync("/admin/report");
        await site.ClickAsync("form input[name=format][value=html] ~ button");
        await check("報告書の作成（状況）");
        // admin.js reloads the status page until the file is ready.
        await page.WaitForSelectorAsync("#job-state[data-state=done]", new WaitForSelectorOptions { Timeout = 60_000 });
        Assert.Matches("^sc3-2023-報告書-20231215\\.html をダウンロード$", await site.TextAsync("#download"));
        await check("報告書の作成（完了）");

        await site.OpenAsync("/admin/roster");
        await check("名簿");
        var file = await page.QuerySelectorAsync("#roster-file");
        await file.UploadFileAsync(Path.Combine(ShirabePaths.DefaultSurvey, "roster.csv"));
        await site.ClickAsync("#upload-form button");
        // admin.js reloads the import's page until it is done.
        await page.WaitForSelectorAsync("#job-state[data-state=done]", new WaitForSelectorOptions { Timeout = 30_000 });
        Assert.Contains("57 件を取り込みました", await site.TextAsync("#import-done"));
        await check("名簿（取り込み完了）");
        await site.OpenAsync($"/admin/invitees/{n02}/edit");
        await check("連絡先の編集");
        await page.EvaluateExpressionAsync("document.querySelector('#ContactEmail').value = 'tanaka＠example.jp'");
        await site.ClickAsync("#edit-form button");
        Assert.Contains("保存していません", await site.TextAsync("#edit-errors"));
        await check("連絡先の編集（誤り）");

        await site.OpenAsync("/admin/surveys");
        await check("調査票");
        await site.OpenAsync("/admin/surveys/upload");
        await check("調査票のアップロード");
        await site.OpenAsync("/admin/surveys/sc3-2023/next");
        await check("次回の調査を作成");
        await site.ClickAsync("#create");
        await check("版の履歴（作成した次回の調査）");
        await site.ClickAsync("#version-1 a[href*='/preview/']");
        await check("プレビュー");
        await site.OpenAsync(new Uri(page.Url).AbsolutePath.Split("/preview/")[0]);
        await site.ClickAsync("#edit-latest");
        await check("文言の編集");
        await site.ClickAsync("#preview");
        await check("文言の編集（プレビュー）");
        await site.OpenAsync(new Uri(page.Url).AbsolutePath.Split("/edit/")[0]);
        await site.ClickAsync("#publish-latest");
        await check("公開（前回との違い）");

        await site.OpenAsync("/admin/users");
        await check("ユーザー");
        await page.TypeAsync("#name", "tanaka");
        await site.ClickAsync("form[action$='handler=add'] button");
        await page.WaitForSelectorAsync("#new-password");
        await check("ユーザー（追加・パスワードを一度だけ表示）");
        await site.OpenAsync("/admin/audit");
        await check("操作記録");
    }

    private static async Task<string> FirstCurationLinkAsync(ConsoleSite site)
    {
        await site.OpenAsync("/admin/report");
        var href = await site.Page.EvaluateExpressionAsync<string>("document.querySelector('a[href^=\"/admin/report/answers/\"]').getAttribute('href')");
        Assert.False(string.IsNullOrEmpty(href));
        return href;
    }
}

[Collection(BrowserCollection.Name)]
public sealed class ConsoleTests(ShirabeSite site)
{
    [Fact]
    public async Task EveryConsolePage_HasNoAxeViolationsOfWcag21AA()
    {
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        await page.SetBypassCSPAsync(true);
        await using var console = await ConsoleSite.StartAsync(page);
        var violations = new List<string>();
        var pages = 0;
        await ConsoleTour.VisitEveryPageAsync(console, async name =>
        {
            pages++;
            violations.AddRange((await Axe.ScanAsync(page)).Select(v => $"{name}: {v}"));
        });
        Assert.True(pages >= 26, $"only {pages} pages were scanned");
        Assert.True(violations.Count == 0, "axe-core violations:\n" + string.Join("\n", violations));
    }

    [Fact]
    public async Task EveryConsolePage_FitsA375PixelScreenWithoutHorizontalScrolling()
    {
        var (context, page) = await site.NewPageAsync(375, 812);
        await using var _ = context;
        await using var console = await ConsoleSite.StartAsync(page);
        var tooWide = new List<string>();
        var pages = 0;
        await ConsoleTour.VisitEveryPageAsync(console, async name =>
        {
            pages++;
            var scroll = await page.EvaluateExpressionAsync<int>("document.scrollingElement.scrollWidth");
            var inner = await page.EvaluateExpressionAsync<int>("innerWidth");
            Assert.Equal(375, inner);
            if (scroll > inner)
            {
                // Name the widest elements, so a failure says what to fix.
                var culprits = await page.EvaluateExpressionAsync<string>(
                    "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)" +
                    ".slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '')).join(', ')");
                tooWide.Add($"{name}: scrollWidth {scroll} > innerWidth {inner} ({culprits})");
            }
        });
        Assert.True(pages >= 26, $"only {pages} pages were checked");
        Assert.True(tooWide.Count == 0, string.Join("\n", tooWide));

        // The wide tables are still readable: they scroll inside their own box.
        await console.OpenAsync("/admin/report");
        var scrollers = await page.EvaluateExpressionAsync<int>(
            "[...document.querySelectorAll('.table-scroll')].filter(e => e.scrollWidth > e.clientWidth).length");
        Assert.True(scrollers > 0, "no table scrolls in its own box at 375 px");
    }

    [Fact]
    public async Task Reissuing_AsksForConfirmationFirst_WithoutJavaScript()
    {
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        await page.SetJavaScriptEnabledAsync(false);
        await using var console = await ConsoleSite.StartAsync(page);
        await console.SignInAsync();
        var oldLink = "/a/" + console.Tokens["N03"];

        await console.OpenAsync("/admin?q=N03");
        Assert.Equal(["回答を見る（一般社団法人架空未回答協会3）", "リンク再発行（一般社団法人架空未回答協会3）"],
            await page.EvaluateFunctionAsync<string[]>("() => [...document.querySelectorAll('tbody .row-actions a')].map(a => a.textContent.trim())"));
        await console.ClickAsync("tbody .row-actions a[href$='/reissue']");
        Assert.Contains("旧リンクを開くと「リンクが無効です」と表示されます", await console.TextAsync("#reissue-warning"));
        await console.OpenAsync(oldLink); // nothing happened yet: the link still works
        Assert.DoesNotContain("無効", await console.TextAsync("main"));

        await console.OpenAsync("/admin?q=N03");
        await console.ClickAsync("tbody .row-actions a[href$='/reissue']");
        await console.ClickAsync(".confirm-actions a"); // やめる
        Assert.EndsWith("/admin", page.Url);
        await console.OpenAsync(oldLink);

        await console.OpenAsync("/admin?q=N03");
        await console.ClickAsync("tbody .row-actions a[href$='/reissue']");
        await console.ClickAsync(".confirm-actions button");
        var newLink = await console.TextAsync("#new-link");
        Assert.StartsWith(console.Server.BaseUrl + "/a/", newLink);
        await console.OpenAsync(oldLink, 404);
        await page.GoToAsync(newLink);
        Assert.Equal(200, (int)(await page.ReloadAsync()).Status);
    }

    [Fact]
    public async Task FiltersAndCrossTables_ArePickedFromListsOfWording()
    {
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        await using var console = await ConsoleSite.StartAsync(page);
        await console.SignInAsync();
        await console.OpenAsync("/admin/results");

        var labels = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#rows option')].map(o => o.textContent.trim())");
        Assert.Contains("設問 4-3-a 業界ガイドライン策定支援の活用意向：活用意向", labels);
        Assert.Contains("設問 4-4-a 専門家派遣による規程・体制構築支援の活用意向：活用意向", labels);
        Assert.Equal(labels.Length, labels.Distinct().Count());

        await page.SelectAsync("#f0", "1-6=5");
        await page.SelectAsync("#rows", "4-3-a");
        await page.SelectAsync("#cols", "4-4-a");
        await console.ClickAsync("form.results-form button[type=submit]");
        Assert.Contains("f=1-6%3D5", page.Url);
        Assert.Equal("設問 1-6 会員の業種 = 5. 製造業", await console.TextAsync("#segment"));
        Assert.Equal("25", await console.TextAsync("#n"));
        Assert.StartsWith("クロス集計: 表側 設問 4-3-a 業界ガイドライン策定支援の活用意向：活用意向 × 表頭 設問 4-4-a",
            await console.TextAsync("#cross-title"));
        Assert.Equal("5. 製造業", await page.EvaluateExpressionAsync<string>("document.querySelector('#f0').selectedOptions[0].textContent.trim().slice(4)"));

        // Another section keeps the choices.
        await console.ClickAsync(".section-nav a[href*='section=3']");
        Assert.Equal("25", await console.TextAsync("#n"));
        Assert.Equal("1-6=5", await page.EvaluateExpressionAsync<string>("document.querySelector('#f0').value"));
    }

    [Fact]
    public async Task SaveAndDiscard_LookDifferent_AndSignInIsStyled()
    {
        var (context, page) = await site.NewPageAsync(375, 812);
        await using var _ = context;
        await using var console = await ConsoleSite.StartAsync(page);
        await console.OpenAsync("/admin/signin");
        var field = await page.EvaluateExpressionAsync<double>("document.querySelector('#name').getBoundingClientRect().width");
        Assert.True(field > 250, $"the user-name box is {field} px wide at 375 px");
        await console.SignInAsync();

        await console.OpenAsync("/admin/report/narrative/1-3");
        await page.TypeAsync("#text", "（追記）");
        await console.ClickAsync("button.primary");
        await console.OpenAsync("/admin/report/narrative/1-3");
        const string look = "t => { const b = [...document.querySelectorAll('button')].find(x => x.textContent.trim() === t); const s = getComputedStyle(b); return s.backgroundColor + ' ' + s.color + ' ' + s.borderColor; }";
        var save = await page.EvaluateFunctionAsync<string>(look, "保存");
        var discard = await page.EvaluateFunctionAsync<string>(look, "下書きに戻す（編集を破棄）");
        Assert.NotEqual(save, discard);
        Assert.StartsWith("rgb(0, 63, 125)", save); // filled: the main action
        Assert.Contains("rgb(176, 0, 32)", discard); // red: it throws work away
    }

    /// <summary>The picture of the progress page kept in docs/ (SHIRABE_SCREENSHOT=path writes it there).</summary>
    [Fact]
    public async Task TheProgressPage_Screenshot()
    {
        var (context, page) = await site.NewPageAsync(1280, 900);
        await using var _ = context;
        await using var console = await ConsoleSite.StartAsync(page);
        await console.SignInAsync();
        await console.OpenAsync("/admin?size=50");
        var path = Environment.GetEnvironmentVariable("SHIRABE_SCREENSHOT") is { Length: > 0 } p ? p
            : Path.Combine(console.Server.Directory, "console-progress.png");
        await page.ScreenshotAsync(path, new ScreenshotOptions { Clip = new PuppeteerSharp.Media.Clip { X = 0, Y = 0, Width = 1280, Height = 1500 } });
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.Equal("57", await console.TextAsync("#count-invited"));
        Assert.Equal("修正中（未送信の変更あり）", await page.EvaluateExpressionAsync<string>(
            "[...document.querySelectorAll('tbody tr')].find(r => r.cells[0].textContent === 'R01').cells[3].textContent"));
    }
}

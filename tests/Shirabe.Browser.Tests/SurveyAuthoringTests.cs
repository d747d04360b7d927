using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Browser.Tests;

/// <summary>
/// The secretariat starts the 2024 wave from 2023 in the console (docs/web.md "Surveys"): creates it, changes a
/// question's wording, previews it as a respondent would see it, publishes it after reading the diff, and an invitee
/// of the new wave answers it from a link and reads the new wording. The clock is in the 2024 wave's period.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SurveyAuthoringTests(ShirabeSite site)
{
    private static readonly DateTimeOffset During2024 = new(2024, 11, 1, 10, 0, 0, TimeSpan.FromHours(9));
    private const string NewWording = "貴団体・協会の会員の数（2024年4月1日現在）をお選びください。";

    [Fact]
    public async Task NextWaveFrom2023_ChangeAWording_Preview_Publish()
    {
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        await using var server = await ShirabeServer.StartAsync(During2024);
        await using (var db = server.Services.GetRequiredService<Database>().CreateContext())
            await new AdminUsers(db, new PasswordHasher<AdminUser>(), server.Services.GetRequiredService<TimeProvider>())
                .AddAsync(ConsoleSite.Name, ConsoleSite.Password);
        var console = new ConsoleSite(server, page);
        await console.SignInAsync();

        // The list, then the next wave: the form suggests the next year's id, title and period.
        await console.OpenAsync("/admin/surveys");
        await console.ClickAsync("#survey-sc3-2023 a.next-wave");
        Assert.Equal("sc3-2024", await page.EvaluateExpressionAsync<string>("document.querySelector('#NewId').value"));
        Assert.Equal("2024-10-19", await page.EvaluateExpressionAsync<string>("document.querySelector('#Opens').value"));
        await page.EvaluateExpressionAsync("document.querySelector('#Title').value = ''");
        await page.TypeAsync("#Title", "業界セキュリティガイドラインに関するアンケート（2024年度）");
        await console.ClickAsync("#create");
        Assert.EndsWith("/admin/surveys/sc3-2024?done=created", page.Url);
        Assert.Contains("下書き", await console.TextAsync("#phase"));

        // The wording editor: 1-3's prompt changed, previewed unsaved, then saved as version 2.
        await console.ClickAsync("#edit-latest");
        const string field = "[data-path='sections/0/questions/2/prompt']";
        await page.EvaluateFunctionAsync("s => document.querySelector(s).value = ''", field);
        await page.TypeAsync(field, NewWording);
        await console.ClickAsync("#preview");
        Assert.Contains(NewWording, await console.TextAsync("#preview-pane"));
        await page.TypeAsync("#note", "会員数の設問文を修正");
        await console.ClickAsync("#save");
        Assert.Contains("第2版として保存しました", await console.TextAsync("#edit-done"));
        Assert.Equal(NewWording, await page.EvaluateFunctionAsync<string>("s => document.querySelector(s).value", field));

        // The saved version as a respondent's page, and its next page.
        await console.OpenAsync("/admin/surveys/sc3-2024");
        await console.ClickAsync("#version-2 a[href*='/preview/']");
        Assert.Contains("第2版（回答は保存されません）", await console.TextAsync("#preview-banner"));
        Assert.Contains(NewWording, await console.TextAsync("#question-1-3"));
        await console.ClickAsync("#preview-next");
        Assert.Contains("ページ 2 /", await console.TextAsync(".progress-text"));

        // Publish after reading the diff with 2023.
        await console.OpenAsync("/admin/surveys/sc3-2024");
        await console.ClickAsync("#publish-latest");
        var diff = await console.TextAsync("#wave-diff");
        Assert.Contains("設問 1-3 のラベル", diff);
        Assert.Contains(NewWording, diff);
        await console.ClickAsync("#publish");
        Assert.Contains("第2版を公開しました", await console.TextAsync("#surveys-done"));
        Assert.Contains("第2版（公開中）", await console.TextAsync("#version-2"));
        await console.OpenAsync("/admin/surveys");
        Assert.Contains("公開中", await console.TextAsync("#survey-sc3-2024 .phase"));
        await using var check = server.Services.GetRequiredService<Database>().CreateContext();
        var wave = await check.Surveys.SingleAsync(s => s.Id == "sc3-2024");
        Assert.Equal("sc3-2023", wave.PreviousSurveyId);
        Assert.NotNull(await check.SurveyVersions.Where(v => v.Id == wave.PublishedVersionId).Select(v => v.Comparability).SingleAsync());

        // An invitee of the new wave opens its link and answers the published wording.
        var token = await server.InviteAsync("T2024", "一般社団法人次回試験工業会", surveyId: "sc3-2024");
        await console.OpenAsync($"/a/{token}");
        Assert.Contains("一般社団法人次回試験工業会", await page.EvaluateExpressionAsync<string>("document.body.innerText"));
        await console.OpenAsync($"/a/{token}/s/1");
        Assert.Contains(NewWording, await console.TextAsync("#question-1-3"));
        await page.ClickAsync("label[for='q1_3-2']");
        await console.ClickAsync("button[value=save]");
        await using var after = server.Services.GetRequiredService<Database>().CreateContext();
        var draft = await after.Drafts.SingleAsync(d => d.Invitation.Organisation.Code == "T2024");
        Assert.Equal(wave.PublishedVersionId, draft.SurveyVersionId);
        Assert.Contains("\"q1_3\":\"2\"", draft.Answers);
    }
}

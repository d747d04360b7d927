using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shirabe.Admin;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Fieldwork;
using Shirabe.Surveys;

namespace Shirabe.Tests;

/// <summary>
/// The demo's two waves (sc3-2023 closed, the sc3-2024 sample open, the same organisations) and the console's 前回比較
/// page that sets them side by side (issue 10 items 3 and 6, docs/decisions/056).
/// </summary>
public class DemoWavesTests
{
    /// <summary>The demo's clock: after 2023 closed, inside the sample wave's period.</summary>
    private static readonly DateTimeOffset DemoNow = new(2024, 11, 15, 18, 0, 0, TimeSpan.FromHours(9));

    private static readonly string SurveysDir = Path.Combine(AppContext.BaseDirectory, "surveys");
    private static readonly string SampleCsv = Path.Combine(SurveysDir, "sc3-2024", "responses-2024-sample.csv");

    private static Task<(DemoSeed.Wave First, DemoSeed.Wave Next)> SeedAsync(TestApp app) =>
        DemoSeed.SeedWavesAsync(app.Database, app.Services.GetRequiredService<SurveyCatalog>(), SurveysDir, app.Clock,
            app.Services.GetRequiredService<LinkKeys>());

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheDemo_StoresBothWaves_2023ClosedWithItsResponses_2024OpenWithTheSameOrganisations(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, DemoNow);
        var (first, next) = await SeedAsync(app);

        Assert.Equal(("sc3-2023", "sc3-2024"), (first.Stored.Record.Id, next.Stored.Record.Id));
        Assert.Equal(SurveyPhase.Closed, first.Stored.Survey.Period.PhaseAt(DemoNow));
        Assert.Equal(SurveyPhase.Open, next.Stored.Survey.Period.PhaseAt(DemoNow));
        Assert.Equal((57, 48, 0), (first.Links.Count, first.Links.Count(l => l.Submitted), first.Drafts));
        Assert.Equal((57, DemoSeed.SampleSubmissions, 4), (next.Links.Count, next.Links.Count(l => l.Submitted), next.Drafts));
        Assert.Equal(first.Links.Select(l => l.Code), next.Links.Select(l => l.Code));
        Assert.Equal(["R09", "R10", "R11", "R12"], next.Links.Where(l => l.Drafted).Select(l => l.Code));

        await using (var db = app.Db())
        {
            var surveys = await db.Surveys.AsNoTracking().OrderBy(s => s.Id).ToListAsync();
            Assert.Equal([("sc3-2023", "sc3-2023", null), ("sc3-2024", "sc3-2023", "sc3-2023")],
                surveys.Select(s => (s.Id, s.SeriesId, s.PreviousSurveyId)).ToList());
            Assert.Equal(1, await db.SurveyVersions.CountAsync(v => v.SurveyId == "sc3-2023")); // the served folder's, not a second copy
            Assert.Equal(1, await db.SurveyVersions.CountAsync(v => v.SurveyId == "sc3-2024"));
            Assert.Equal(57, await db.Organisations.CountAsync()); // one row per organisation, invited to both waves
            Assert.Equal(57, await db.Invitations.CountAsync(i => i.SurveyId == "sc3-2023"));
            Assert.Equal(57, await db.Invitations.CountAsync(i => i.SurveyId == "sc3-2024"));
            Assert.Equal(48, await db.Submissions.CountAsync(s => s.Invitation.SurveyId == "sc3-2023" && s.Valid));
            Assert.Equal(8, await db.Submissions.CountAsync(s => s.Invitation.SurveyId == "sc3-2024"));
            Assert.Equal(4, await SubmittedResponses.DraftsAsync(db, next.Stored.Survey));
            // Every 2024 answer is stamped with the 2024 definition it was given on.
            Assert.Equal(12, await db.Drafts.CountAsync(d => d.Invitation.SurveyId == "sc3-2024" && d.SurveyVersionId == next.Stored.Version.Id));
            // With a link key every printed link is derived, so invitations and reminders can carry it (decision 042).
            Assert.Equal(114, await db.AccessLinks.CountAsync(l => l.Stamp != null && l.RevokedAt == null));
            Assert.Equal("製造業", await db.Invitations.Where(i => i.SurveyId == "sc3-2024" && i.Organisation.Code == "N01")
                .Select(i => i.Category).SingleAsync());
        }

        // Each wave's link opens its own wave: the sample says it is a sample; 2023 has closed.
        var respondent = app.Client();
        var sample = await HttpAssert.StatusAsync(HttpStatusCode.OK, await respondent.GetAsync($"/a/{next.Links[^1].Token}"));
        Assert.Contains("サンプル：実際の調査票ではありません", sample);
        var closed = await respondent.GetAsync($"/a/{first.Links[^1].Token}");
        Assert.Contains("受付は 2023年12月15日 で終了しました", await closed.Content.ReadAsStringAsync());
        Assert.DoesNotContain("サンプル", await closed.Content.ReadAsStringAsync());
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheComparisonPage_SetsEachWavesOwnNumbersSideBySide_RenamedOptionOnItsRow_AddedItemMarked(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, DemoNow);
        var (first, next) = await SeedAsync(app);
        // A submission marked invalid is not tabulated.
        await using (var db = app.Db())
            await db.Submissions.Where(s => s.Invitation.SurveyId == "sc3-2024" && s.Invitation.Organisation.Code == "R02")
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Valid, false).SetProperty(x => x.ValidityReason, "重複"));
        var analyst = await app.SignedInAsAsync("shukei", StaffRoles.Analyst);

        var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync("/admin/results/compare?survey=sc3-2024"));
        // Each wave from its own file: 2023's 48 rows; 2024's submitted rows but the invalid one.
        var before = Read(first.Stored.Survey, Path.Combine(SurveysDir, "sc3-2023", "responses-2023.csv"));
        var now = Read(next.Stored.Survey, SampleCsv).Take(DemoSeed.SampleSubmissions).Where(r => r.Id != "R02").ToList();
        Assert.Equal("7", AdminTestKit.ById(html, "current-n"));
        Assert.Equal("48", AdminTestKit.ById(html, "previous-n"));
        Assert.Contains("サンプル：実際の調査票ではありません", AdminTestKit.ById(html, "current-title"));

        // 1-3 (reworded note only: comparable): every option's count and percent of both waves on its row.
        foreach (var option in Item(next.Stored.Survey, "1-3").Options)
            AssertRow(html, option.ReportLabel, Count(now, "1-3", option.Code), Count(before, "1-3", option.Code));
        // 2-9-a: 特に無し is option 8 in 2024 and was 6 in 2023 (sameAs): its row has 2023's option 6.
        var none = Item(next.Stored.Survey, "2-9-a").FindOption(8)!;
        Assert.Equal("特に無し", none.ReportLabel);
        var before6 = Count(before, "2-9-a", 6);
        Assert.True(before6.Count > 0);
        AssertRow(html, "特に無し", Count(now, "2-9-a", 8), before6);
        AssertRow(html, "その他", Count(now, "2-9-a", 7), Count(before, "2-9-a", 7));
        // The added question 3-4 is not compared, and says why.
        var notes = AdminTestKit.Section(html, "not-compared");
        Assert.Contains("生成 AI の業務利用に関する情報提供（設問 3-4）」は、前回の調査にない設問のため比較していません", notes);
        Assert.Contains("<svg", html); // the report's charts, inline

        // One item picked: its table only; an item not compared says why.
        var one = await analyst.GetStringAsync("/admin/results/compare?item=1-3");
        Assert.Single(Regex.Matches(one, "<table class=\"data\">"));
        Assert.Contains("会員数（設問 1-3）（前回比較）", one);
        var added = await analyst.GetStringAsync("/admin/results/compare?item=3-4");
        Assert.Contains("前回の調査にない設問", AdminTestKit.ById(added, "reason"));
        Assert.DoesNotContain("<table class=\"data\">", added);

        // The results page links to it; 2023 has no previous wave.
        Assert.Contains("href=\"/admin/results/compare\"", await analyst.GetStringAsync("/admin/results"));
        var oldest = await analyst.GetStringAsync("/admin/results/compare?survey=sc3-2023");
        Assert.Contains("前回の調査が設定されていない", AdminTestKit.ById(oldest, "no-previous"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheComparisonPage_EscapesLabels(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, DemoNow);
        var catalog = app.Services.GetRequiredService<SurveyCatalog>();
        var yaml = (await File.ReadAllTextAsync(Path.Combine(SurveysDir, "sc3-2024", "survey.yaml")))
            .Replace("          - 10社未満\n", "          - \"10社未満<script>alert(1)</script>\"\n");
        Assert.Contains("<script>", yaml);
        await catalog.AddAsync(yaml, null);
        await using (var db = app.Db())
            await db.Surveys.Where(s => s.Id == "sc3-2024").ExecuteUpdateAsync(s => s.SetProperty(x => x.PreviousSurveyId, "sc3-2023"));
        var client = await app.SignedInClientAsync();

        var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync("/admin/results/compare?survey=sc3-2024&item=1-3"));
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("10社未満&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("<svg", html);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AConsoleReportOfTheSampleWave_HasTheComparisonWithTheStoredPreviousWave(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, DemoNow);
        await SeedAsync(app);
        var client = await app.SignedInClientAsync();
        Assert.Contains("sc3-2023", AdminTestKit.ById(await client.GetStringAsync("/admin/report?survey=sc3-2024"), "comparison-note"));

        var report = System.Text.Encoding.UTF8.GetString(await DownloadAsync(client, "html"));
        Assert.Contains("会員数（<span class=\"nw\">設問 1-3</span>）（前回比較）", report);
        Assert.Contains("前回（2023年） n=48", report);
        Assert.Contains("前回の調査にない設問のため比較していません", report);

        // 2023 has no previous wave: its report is as before.
        Assert.DoesNotContain("comparison-note", await client.GetStringAsync("/admin/report?survey=sc3-2023"));
        var old = System.Text.Encoding.UTF8.GetString(await DownloadAsync(client, "html"));
        Assert.DoesNotContain("（前回比較）", old);
    }

    [Fact]
    public async Task ReportOfAStoredSurvey_WithAPreviousFile_IsRefused()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite, DemoNow);
        var result = await CliTests.Run("report", "--survey-id", "sc3-2023", "--db", app.Database.ConnectionString,
            "--previous", Path.Combine(SurveysDir, "sc3-2023"), "--previous-responses", Path.Combine(SurveysDir, "sc3-2023", "responses-2023.csv"),
            "--format", "html", "--out", Path.Combine(Path.GetTempPath(), "never-" + Guid.NewGuid() + ".html"));
        Assert.Equal(2, result.Code);
        Assert.Contains("--survey-id と --previous は一緒に使えません", result.Err);
    }

    private static List<Response> Read(Survey survey, string path)
    {
        using var stream = File.OpenRead(path);
        return ResponsesCsv.Read(stream, survey).ToList();
    }

    /// <summary>How many of the asked respondents chose <paramref name="code"/>, and the percent (half-up, one decimal).</summary>
    private static (long Count, string Percent) Count(List<Response> responses, string itemCode, int code)
    {
        var asked = responses.Where(r => Answer(r, itemCode).State != AnswerState.NotAsked).ToList();
        var count = asked.Count(r => Answer(r, itemCode) is { State: AnswerState.Given } a && (a.Choice == code || a.Has(code)));
        var percent = asked.Count == 0 ? 0m : Math.Round(count * 100m / asked.Count, 1, MidpointRounding.AwayFromZero);
        return (count, percent.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%");
    }

    private static Item Item(Survey survey, string code) => survey.TryGetItem(code, out var item) ? item : throw new KeyNotFoundException(code);

    private static Answer Answer(Response r, string itemCode) => r.Answers[Index(r, itemCode)];

    private static int Index(Response r, string itemCode) => ItemIndex.TryGetValue(itemCode, out var i) ? i : throw new KeyNotFoundException(itemCode);

    private static readonly Dictionary<string, int> ItemIndex = SurveyLoader.LoadFile(Path.Combine(SurveysDir, "sc3-2024"))
        .Items.ToDictionary(i => i.Code, i => i.Index);

    private static void AssertRow(string html, string label, (long Count, string Percent) now, (long Count, string Percent) before) =>
        Assert.Matches($"<th scope=\"row\">{Regex.Escape(System.Net.WebUtility.HtmlEncode(label))}</th>\\s*"
                       + $"<td class=\"num\">{now.Count}</td>\\s*<td class=\"num\">{Regex.Escape(now.Percent)}</td>\\s*"
                       + $"<td class=\"num\">{before.Count}</td>\\s*<td class=\"num\">{Regex.Escape(before.Percent)}</td>", html);

    /// <summary>Starts a download from the console, follows the job until done, and fetches the file.</summary>
    private static async Task<byte[]> DownloadAsync(HttpClient client, string format)
    {
        var start = await AdminTestKit.PostFormAsync(client, "/admin/report", "/admin/report?handler=download", ("format", format));
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var status = start.Headers.Location!.OriginalString;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((await client.GetStringAsync(status)).Contains("data-state=\"running\""))
        {
            Assert.True(DateTime.UtcNow < deadline, "the report took too long");
            await Task.Delay(200);
        }
        var file = await client.GetAsync(status + "/file");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        return await file.Content.ReadAsByteArrayAsync();
    }
}

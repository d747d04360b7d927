using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shirabe.Core;
using Shirabe.Data;
using Shirabe.Fieldwork;
using Shirabe.Surveys;

namespace Shirabe.Tests;

/// <summary>Surveys stored in the database (docs/decisions/030): versions, several surveys served at once, the CLI.</summary>
public class SurveyCatalogTests
{
    private static readonly string MemberDir = Path.Combine(AppContext.BaseDirectory, "test-surveys", "member-self-assessment");
    private static string MemberYaml => File.ReadAllText(Path.Combine(MemberDir, "survey.yaml"));
    private const string MemberId = "member-self-assessment";

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Adding_StoresVersions_AndASurveyWithAnswersAcceptsOnlyWordingChanges(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var catalog = app.Services.GetRequiredService<SurveyCatalog>();

        // The served folder was stored at start as version 1.
        Assert.Equal(1, (await catalog.GetAsync("sc3-2023"))!.Version.Number);

        var (first, change) = await catalog.AddAsync(MemberYaml, null);
        Assert.Equal((CatalogChange.NewSurvey, 1, MemberId), (change, first.Version.Number, first.Record.SeriesId));
        Assert.Equal(SurveyCatalog.Sha256(SurveyCatalog.Canonical(MemberYaml), null), first.Version.Sha256);
        Assert.Equal(CatalogChange.Unchanged, (await catalog.AddAsync(MemberYaml.ReplaceLineEndings("\r\n"), null)).Change);

        // Without answers any change is a new version.
        var removed = MemberYaml.Replace("          - { code: B1c, label: パスワードの管理 }\n", "");
        Assert.NotEqual(MemberYaml, removed);
        var (second, _) = await catalog.AddAsync(removed, null);
        Assert.Equal(2, second.Version.Number);
        Assert.False(second.Survey.TryGetItem("B1c", out _));

        // Once someone answered: wording yes, structure no (with the list of changes), and nothing stored.
        await using (var db = app.Db())
        {
            await TestApp.InviteAsync(db, MemberId, "M01", "会員一");
            var invitation = await db.Invitations.SingleAsync(i => i.SurveyId == MemberId);
            db.Drafts.Add(new Draft { InvitationId = invitation.Id, Answers = "{}", Version = 1, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var reworded = removed.Replace("従業員数をお選びください。", "従業員の人数をお選びください。");
        var (third, wording) = await catalog.AddAsync(reworded, null);
        Assert.Equal((CatalogChange.NewVersion, 3), (wording, third.Version.Number));
        var error = await Assert.ThrowsAsync<UserError>(() => catalog.AddAsync(MemberYaml, null));
        Assert.Contains("B1c", error.Message);
        await using (var db = app.Db())
            Assert.Equal([1, 2, 3], await db.SurveyVersions.Where(v => v.SurveyId == MemberId).OrderBy(v => v.Number).Select(v => v.Number).ToListAsync());
        Assert.Equal(3, (await catalog.GetAsync(MemberId))!.Version.Number);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TwoSurveys_AreServedAtOnce_EachLinkOpensItsOwn_AndTheConsoleSwitchesBetweenThem(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.Services.GetRequiredService<SurveyCatalog>().AddAsync(MemberYaml, null);
        var sc3 = await app.InviteAsync("R01", "一般社団法人SC3団体");
        string member;
        await using (var db = app.Db())
            member = await TestApp.InviteAsync(db, MemberId, "M01", "会員企業一号");

        var respondent = app.Client();
        var a = await HttpAssert.StatusAsync(HttpStatusCode.OK, await respondent.GetAsync($"/a/{sc3}"));
        Assert.Contains("業界セキュリティガイドラインに関するアンケート", a);
        Assert.DoesNotContain("会員企業セキュリティ自己点検", a);
        var b = await HttpAssert.StatusAsync(HttpStatusCode.OK, await respondent.GetAsync($"/a/{member}"));
        Assert.Contains("会員企業セキュリティ自己点検", b);
        Assert.Contains("会員企業一号", b);
        Assert.DoesNotContain("業界セキュリティガイドラインに関するアンケート", b);
        // A page of the other survey is not a page of this link: SC3's section 2 does not exist in the member survey.
        Assert.Equal(HttpStatusCode.NotFound, (await respondent.GetAsync($"/a/{member}/s/2")).StatusCode);
        // The public pages of each survey: its blank questionnaire (linked from its own pages with ?survey=ID).
        Assert.Contains($"/survey/blank?survey={MemberId}", b);
        Assert.Contains("従業員数をお選びください。", await respondent.GetStringAsync($"/survey/blank?survey={MemberId}"));
        Assert.DoesNotContain("従業員数をお選びください。", await respondent.GetStringAsync("/survey/blank?survey=sc3-2023"));

        var staff = await app.SignedInClientAsync();
        var newest = await staff.GetStringAsync("/admin");
        Assert.Contains("会員企業一号", newest); // the newest survey by default
        Assert.Contains("<option value=\"sc3-2023\"", newest);
        var chosen = await staff.GetStringAsync("/admin?survey=sc3-2023");
        Assert.Contains("一般社団法人SC3団体", chosen);
        Assert.DoesNotContain("会員企業一号", chosen);
        var remembered = await staff.GetStringAsync("/admin");
        Assert.Contains("一般社団法人SC3団体", remembered);
        Assert.Contains("<option value=\"sc3-2023\" selected=\"selected\"", remembered);
        var back = await staff.GetStringAsync($"/admin?survey={MemberId}");
        Assert.Contains("会員企業一号", back);
        Assert.DoesNotContain("一般社団法人SC3団体", back);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Cli_AddListExport_RoundTrip_AndTabulateFromTheDatabase_MatchesTheExportedFile(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var cs = app.Database.ConnectionString;
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        try
        {
            var added = await CliTests.Run("survey", "add", MemberDir, "--db", cs);
            Assert.True(added.Code == 0, added.Err);
            Assert.Equal($"{MemberId}\t第1版", added.Out.Trim());
            Assert.Equal(0, (await CliTests.Run("survey", "add", MemberDir, "--db", cs)).Code);

            var list = await CliTests.Run("survey", "list", "--db", cs);
            Assert.Equal(0, list.Code);
            Assert.Contains($"{MemberId}\t{MemberId}\t会員企業セキュリティ自己点検\t1\t", list.Out);
            Assert.Contains("sc3-2023\tsc3-2023\t", list.Out);

            var yaml = Path.Combine(dir, "exported.yaml");
            Assert.Equal(0, (await CliTests.Run("survey", "export", MemberId, "--format", "yaml", "--out", yaml, "--db", cs)).Code);
            Assert.Equal(SurveyCatalog.Canonical(MemberYaml), await File.ReadAllTextAsync(yaml));
            var xlsx = Path.Combine(dir, "exported.xlsx");
            Assert.Equal(0, (await CliTests.Run("survey", "export", MemberId, "--format", "xlsx", "--out", xlsx, "--db", cs)).Code);
            Assert.Equal(MemberId, SurveyWorkbook.ReadFile(xlsx).Survey.Id);
            var missing = await CliTests.Run("survey", "export", "no-such-survey", "--format", "yaml", "--out", yaml, "--db", cs);
            Assert.NotEqual(0, missing.Code);
            Assert.Contains("no-such-survey", missing.Err);

            // The member survey's responses in the database; one marked invalid is not tabulated.
            var catalog = app.Services.GetRequiredService<SurveyCatalog>();
            var stored = (await catalog.GetAsync(MemberId))!;
            List<ResponsesTransfer.Imported> imported;
            await using (var db = app.Db())
            await using (var csv = File.OpenRead(Path.Combine(MemberDir, "responses.csv")))
                imported = await ResponsesTransfer.ImportAsync(db, stored.Survey, csv, app.Clock);
            await using (var db = app.Db())
            {
                var first = await db.Submissions.OrderBy(s => s.Id).FirstAsync();
                first.Valid = false;
                first.ValidityReason = "重複回答";
                await db.SaveChangesAsync();
            }
            var exported = Path.Combine(dir, "responses.csv");
            await using (var db = app.Db())
            await using (var output = File.Create(exported))
                await ResponsesTransfer.ExportAsync(db, stored.Survey, output);

            var fromDb = await CliTests.Run("tabulate", "--survey-id", MemberId, "--db", cs, "--format", "json");
            Assert.True(fromDb.Code == 0, fromDb.Err);
            var fromFile = await CliTests.Run("tabulate", "--survey", yaml, "--responses", exported, "--format", "json");
            Assert.True(fromFile.Code == 0, fromFile.Err);
            Assert.Equal(fromFile.Out, fromDb.Out);
            Assert.Equal(imported.Count(i => i.Submitted) - 1, JsonNode.Parse(fromDb.Out)!["respondents"]!.GetValue<int>());

            var both = await CliTests.Run("tabulate", "--survey-id", MemberId, "--survey", yaml, "--db", cs);
            Assert.NotEqual(0, both.Code);
            Assert.Contains("--survey-id", both.Err);

            var html = Path.Combine(dir, "report.html");
            var report = await CliTests.Run("report", "--survey-id", MemberId, "--db", cs, "--format", "html", "--out", html);
            Assert.True(report.Code == 0, report.Err);
            Assert.Contains("会員企業セキュリティ自己点検", await File.ReadAllTextAsync(html));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

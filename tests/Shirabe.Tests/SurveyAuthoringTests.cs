using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Surveys;

namespace Shirabe.Tests;

/// <summary>
/// The console's survey pages (docs/web.md "Surveys", decision 054): next wave, wording editor, preview, publish with
/// the diff, upload of YAML and workbooks with their errors, the freeze of a wave with answers, roles and escaping.
/// </summary>
public partial class SurveyAuthoringTests
{
    internal static readonly string Sc3_2024 = Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2024", "survey.yaml");
    private const string NewWording = "貴団体・協会の会員の数（2024年4月1日現在）をお選びください。";
    /// <summary>1-3's prompt in sc3-2023 (section 1, third question): a one-item question, its prompt is the item's label.</summary>
    internal const string Prompt13 = "sections/0/questions/2/prompt";

    internal static async Task<HttpResponseMessage> CreateNextWaveAsync(HttpClient admin, string from = "sc3-2023", string id = "sc3-2024",
        string? csrfPage = null) =>
        await AdminTestKit.PostFormAsync(admin, csrfPage ?? $"/admin/surveys/{from}/next", $"/admin/surveys/{from}/next",
            ("NewId", id), ("Title", "業界セキュリティガイドラインに関するアンケート（2024年度）"), ("Opens", "2024-10-15"), ("Closes", "2024-12-13"));

    internal static async Task<SurveyVersion> LatestAsync(TestApp app, string surveyId)
    {
        await using var db = app.Db();
        return await db.SurveyVersions.AsNoTracking().Where(v => v.SurveyId == surveyId).OrderByDescending(v => v.Number).FirstAsync();
    }

    internal static async Task<HttpResponseMessage> PostWordingAsync(HttpClient admin, string surveyId, int versionId, string handler,
        params (string Path, string Value)[] values) => await PostWordingAsync(admin, surveyId, versionId, handler, null, values);

    private static async Task<HttpResponseMessage> PostWordingAsync(HttpClient admin, string surveyId, int versionId, string handler,
        string? csrfPage, params (string Path, string Value)[] values)
    {
        var page = $"/admin/surveys/{surveyId}/edit/{versionId}/1";
        return await AdminTestKit.PostFormAsync(admin, csrfPage ?? page, $"{page}?handler={handler}",
            [.. values.Select(v => (EditModelPrefix + v.Path, v.Value)), ("note", "会員数の設問文を修正")]);
    }

    private const string EditModelPrefix = Shirabe.Admin.Authoring.EditModel.FieldPrefix;

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task NextWaveFrom2023_ChangeAWording_PreviewShowsIt_PublishRecordsTheDiff(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = await app.SignedInClientAsync();

        var list = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync("/admin/surveys"));
        Assert.Contains("sc3-2023", list);
        Assert.Contains("下書き", list);

        var created = await CreateNextWaveAsync(admin);
        Assert.True(created.StatusCode == HttpStatusCode.Redirect, Regex.Match(await created.Content.ReadAsStringAsync(), "next-errors[\\s\\S]*?</ul>").Value);
        Assert.Equal("/admin/surveys/sc3-2024?done=created", created.Headers.Location?.OriginalString);
        SurveyRecord wave;
        await using (var db = app.Db())
        {
            wave = await db.Surveys.AsNoTracking().SingleAsync(s => s.Id == "sc3-2024");
            var previous = await db.Surveys.AsNoTracking().SingleAsync(s => s.Id == "sc3-2023");
            Assert.Equal("sc3-2023", wave.PreviousSurveyId);
            Assert.Equal(previous.SeriesId, wave.SeriesId);
            Assert.Null(wave.PublishedVersionId); // a draft
        }
        var first = await LatestAsync(app, "sc3-2024");
        var copy = SurveyLoader.Load(first.SurveyYaml);
        Assert.Equal(new DateOnly(2024, 10, 15), copy.Period.Opens);
        Assert.Equal(new DateOnly(2024, 12, 13), copy.Period.Closes);
        Assert.StartsWith("# SC3 2023", first.SurveyYaml); // the copy keeps the file's comments
        Assert.Equal((await LatestAsync(app, "sc3-2023")).ReportYaml!.Replace("survey: sc3-2023", "survey: \"sc3-2024\""), first.ReportYaml);

        // Preview of the unsaved edit: the respondent's rendering with the new wording; nothing stored.
        var preview = await HttpAssert.StatusAsync(HttpStatusCode.OK, await PostWordingAsync(admin, "sc3-2024", first.Id, "preview", (Prompt13, NewWording)));
        Assert.Contains(NewWording, Regex.Match(preview, "id=\"preview-pane\"[\\s\\S]*").Value);
        Assert.Equal(first.Id, (await LatestAsync(app, "sc3-2024")).Id);

        var saved = await PostWordingAsync(admin, "sc3-2024", first.Id, "save", (Prompt13, NewWording));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var second = await LatestAsync(app, "sc3-2024");
        Assert.Equal(2, second.Number);
        Assert.Equal("会員数の設問文を修正", second.Note);
        // Only that text changed: the rest of the file is as it was, line for line.
        Assert.Equal(first.SurveyYaml.Split('\n').Length, second.SurveyYaml.Split('\n').Length);
        Assert.Single(first.SurveyYaml.Split('\n').Zip(second.SurveyYaml.Split('\n')), p => p.First != p.Second);
        var diff = SurveyDiff.Compare(SurveyLoader.Load(first.SurveyYaml), SurveyLoader.Load(second.SurveyYaml));
        var change = Assert.Single(diff.Changes);
        Assert.True(change.Wording);

        // The saved version, previewed as a respondent's page.
        var page = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync($"/admin/surveys/sc3-2024/preview/{second.Id}/s/1"));
        Assert.Contains(NewWording, page);
        Assert.Contains("回答は保存されません", page);
        Assert.DoesNotContain(NewWording, await admin.GetStringAsync($"/admin/surveys/sc3-2024/preview/{first.Id}/s/1"));

        // Before publishing: the diff with the previous wave names the change; publishing records comparability.
        var before = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync($"/admin/surveys/sc3-2024/publish/{second.Id}"));
        var waveDiff = Regex.Match(before, "id=\"wave-diff\"[\\s\\S]*?id=\"published-diff-title\"").Value;
        Assert.Contains("設問 1-3 のラベル", waveDiff);
        Assert.Contains(NewWording, waveDiff);
        var published = await AdminTestKit.PostFormAsync(admin, $"/admin/surveys/sc3-2024/publish/{second.Id}", $"/admin/surveys/sc3-2024/publish/{second.Id}");
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        await using (var db = app.Db())
        {
            Assert.Equal(second.Id, (await db.Surveys.AsNoTracking().SingleAsync(s => s.Id == "sc3-2024")).PublishedVersionId);
            var stored = await db.SurveyVersions.AsNoTracking().SingleAsync(v => v.Id == second.Id);
            Assert.NotNull(stored.PublishedAt);
            var comparability = SurveyAuthoring.ReadComparability(stored.Comparability);
            Assert.True(comparability["1-3"].Comparable);
            Assert.Equal(copy.Items.Count, comparability.Count);
            var actions = await db.AuditEntries.AsNoTracking().Select(a => a.Action).ToListAsync();
            Assert.Contains(AuditAction.SurveyNextWave, actions);
            Assert.Contains(AuditAction.SurveyWordingSaved, actions);
            Assert.Contains(AuditAction.SurveyPublished, actions);
        }
        var history = await admin.GetStringAsync("/admin/surveys/sc3-2024");
        Assert.Contains("第2版（公開中）", history);
        Assert.Contains("会員数の設問文を修正", history);
        Assert.Contains("公開中", await admin.GetStringAsync("/admin/surveys"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task UploadYamlAndWorkbook_GoodOnesStored_BrokenOnesListEveryProblemAndStoreNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = await app.SignedInClientAsync();

        // A good YAML: a new survey, a draft.
        var good = await UploadAsync(admin, "survey.yaml", File.ReadAllBytes(Sc3_2024));
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        Assert.Equal("/admin/surveys/sc3-2024?done=uploaded", good.Headers.Location?.OriginalString);
        Assert.Equal(1, (await LatestAsync(app, "sc3-2024")).Number);

        // A broken YAML: every problem with its line and column; nothing stored.
        var text = File.ReadAllText(Sc3_2024).Replace("id: sc3-2024", "id: sc3-2025").Replace("kind: single", "kind: singel");
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("kind: singel")) + 1;
        var broken = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, await UploadAsync(admin, "survey.yaml", Encoding.UTF8.GetBytes(text)));
        Assert.Contains($"survey.yaml {line} 行", broken);
        Assert.Contains("kind「singel」は使えません", broken);
        await using (var db = app.Db()) Assert.False(await db.Surveys.AnyAsync(s => s.Id == "sc3-2025"));

        // Round trip: the stored 2023 version exported as a workbook uploads back to the same definition.
        var v1 = await LatestAsync(app, "sc3-2023");
        var xlsx = await admin.GetByteArrayAsync($"/admin/surveys/sc3-2023/versions/{v1.Id}/survey.xlsx");
        var uploaded = await UploadAsync(admin, "sc3-2023.xlsx", xlsx);
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var v2 = await LatestAsync(app, "sc3-2023");
        Assert.Equal(2, v2.Number); // the YAML text is the workbook's (no comments), the definition the same
        Assert.True(SurveyDiff.Compare(SurveyLoader.Load(v1.SurveyYaml), SurveyLoader.Load(v2.SurveyYaml)).IsEmpty);
        Assert.Equal(SurveyWorkbook.Read(new MemoryStream(xlsx), "x.xlsx").Yaml, v2.SurveyYaml);
        Assert.Equal(v1.ReportYaml, v2.ReportYaml); // no report.yaml uploaded: the layout is kept
        var again = await admin.GetByteArrayAsync($"/admin/surveys/sc3-2023/versions/{v2.Id}/survey.xlsx");
        var same = await UploadAsync(admin, "again.xlsx", again);
        Assert.Equal("/admin/surveys/sc3-2023?done=unchanged", same.Headers.Location?.OriginalString);
        Assert.Contains("新しい版は作っていません", await admin.GetStringAsync("/admin/surveys/sc3-2023?done=unchanged"));
        Assert.Equal(v2.Id, (await LatestAsync(app, "sc3-2023")).Id); // the same text again: no new version
        Assert.Equal(v1.SurveyYaml, await admin.GetStringAsync($"/admin/surveys/sc3-2023/versions/{v1.Id}/survey.yaml"));

        // A broken workbook: its errors name the sheet and the cell.
        var (bad, cell) = BreakKind(xlsx, "singel");
        var errors = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, await UploadAsync(admin, "broken.xlsx", bad));
        Assert.Contains($"survey!{cell}", errors);
        Assert.Contains("kind「singel」は使えません", errors);
        Assert.Equal(v2.Id, (await LatestAsync(app, "sc3-2023")).Id);

        // With report.yaml: one that does not fit is refused with where it goes wrong; one that fits is stored with it.
        var report2023 = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2023", "report.yaml"));
        var misfit = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity,
            await UploadAsync(admin, "survey.yaml", File.ReadAllBytes(Sc3_2024), report: Encoding.UTF8.GetBytes(report2023)));
        Assert.Contains("報告書は調査「sc3-2023」用ですが、調査票は「sc3-2024」です", misfit);
        Assert.Equal(1, (await LatestAsync(app, "sc3-2024")).Number);
        var fitting = report2023.Replace("survey: sc3-2023", "survey: sc3-2024").Replace("\ntitle: ", "\ntitle: 2024 ");
        var withReport = await UploadAsync(admin, "survey.yaml", File.ReadAllBytes(Sc3_2024), report: Encoding.UTF8.GetBytes(fitting));
        await HttpAssert.StatusAsync(HttpStatusCode.Redirect, withReport);
        Assert.Equal(SurveyCatalog.Canonical(fitting), (await LatestAsync(app, "sc3-2024")).ReportYaml);

        // Not a definition at all.
        Assert.Contains("調査票は survey.yaml", await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity,
            await UploadAsync(admin, "notes.txt", "hello"u8.ToArray())));
        Assert.Contains("Excel のワークブック（.xlsx）として読めません", await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity,
            await UploadAsync(admin, "fake.xlsx", "not a zip"u8.ToArray())));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AWaveWithAnswers_RefusesAStructuralChange_WithTheDiffMessage_AndTakesWording(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var admin = await app.SignedInClientAsync();
        var v1 = await LatestAsync(app, "sc3-2023");
        // Answered without being published (the served folder's survey): its period's phase, marked 未公開.
        Assert.Contains("未公開（受付中）", await admin.GetStringAsync("/admin/surveys"));
        Assert.Contains("未公開（受付中）", await admin.GetStringAsync("/admin/surveys/sc3-2023"));

        // An option removed from 1-3: refused, the message lists the change; nothing stored.
        var structural = v1.SurveyYaml.Replace("label: 氏名（フリガナ）, personal: true }", "label: 氏名（フリガナ）, personal: true, required: true }");
        Assert.NotEqual(v1.SurveyYaml, structural);
        var refused = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity, await UploadAsync(admin, "survey.yaml", Encoding.UTF8.GetBytes(structural)));
        Assert.Contains("回答のある調査「sc3-2023」では、文言（設問文・ラベル・注記・略称）以外は変更できません", refused);
        Assert.Contains("設問 1-1-b: 必須 なし → あり", refused);
        Assert.Equal(v1.Id, (await LatestAsync(app, "sc3-2023")).Id);

        // A wording change is taken, and kept in the history.
        Assert.Equal(HttpStatusCode.Redirect, (await PostWordingAsync(admin, "sc3-2023", v1.Id, "save", (Prompt13, NewWording))).StatusCode);
        var v2 = await LatestAsync(app, "sc3-2023");
        Assert.Equal(2, v2.Number);
        var history = await admin.GetStringAsync("/admin/surveys/sc3-2023");
        Assert.Contains("第1版との違い", history);
        Assert.Contains(NewWording, history);

        // An edit made on an older version would undo the newer one: refused.
        var stale = await HttpAssert.StatusAsync(HttpStatusCode.UnprocessableEntity,
            await PostWordingAsync(admin, "sc3-2023", v1.Id, "save", (Prompt13, "古い版からの変更")));
        Assert.Contains("第2版が作られています", stale);

        // Publishing a structurally different version over the answered one is refused too.
        await using (var db = app.Db())
            await db.Surveys.Where(s => s.Id == "sc3-2023").ExecuteUpdateAsync(s => s.SetProperty(x => x.PublishedVersionId, v1.Id));
        await using (var db = app.Db())
        {
            db.SurveyVersions.Add(new SurveyVersion
            {
                SurveyId = "sc3-2023", Number = 3, SurveyYaml = structural, Sha256 = SurveyCatalog.Sha256(structural, null), CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        var v3 = await LatestAsync(app, "sc3-2023");
        var page = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync($"/admin/surveys/sc3-2023/publish/{v3.Id}"));
        Assert.Contains("この版は公開できません", page);
        Assert.DoesNotContain("id=\"publish\"", page);
        var post = await AdminTestKit.PostFormAsync(admin, "/admin/surveys", $"/admin/surveys/sc3-2023/publish/{v3.Id}");
        Assert.Contains("設問 1-1-b: 必須 なし → あり", await HttpAssert.StatusAsync(HttpStatusCode.Conflict, post));
        await using (var db = app.Db())
            Assert.Equal(v1.Id, (await db.Surveys.AsNoTracking().SingleAsync(s => s.Id == "sc3-2023")).PublishedVersionId);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnAnalyst_ViewsButChangesNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var analyst = await app.SignedInAsAsync("shukei", StaffRoles.Analyst);
        var v1 = await LatestAsync(app, "sc3-2023");
        var list = await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync("/admin/surveys"));
        Assert.DoesNotContain("/admin/surveys/upload", list); // no buttons for what it may not do
        Assert.DoesNotContain("/next", list);
        await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync("/admin/surveys/sc3-2023"));
        await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync($"/admin/surveys/sc3-2023/preview/{v1.Id}/s/1"));
        await HttpAssert.StatusAsync(HttpStatusCode.OK, await analyst.GetAsync($"/admin/surveys/sc3-2023/versions/{v1.Id}/survey.yaml"));

        foreach (var path in new[] { "/admin/surveys/upload", "/admin/surveys/sc3-2023/next", $"/admin/surveys/sc3-2023/edit/{v1.Id}/1",
                     $"/admin/surveys/sc3-2023/publish/{v1.Id}" })
            Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateNextWaveAsync(analyst, csrfPage: "/admin/surveys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostWordingAsync(analyst, "sc3-2023", v1.Id, "save", "/admin/surveys", (Prompt13, NewWording))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AdminTestKit.PostFormAsync(analyst, "/admin/surveys", $"/admin/surveys/sc3-2023/publish/{v1.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(analyst, "survey.yaml", File.ReadAllBytes(Sc3_2024), csrfPage: "/admin/surveys")).StatusCode);
        await using var db = app.Db();
        Assert.Equal(1, await db.Surveys.CountAsync());
        Assert.Equal(1, await db.SurveyVersions.CountAsync());
        Assert.Null((await db.Surveys.SingleAsync()).PublishedVersionId);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task HostileWording_IsEscapedInTheEditorTheDiffAndThePreview(string provider)
    {
        const string hostile = "<script>alert('x')</script>会員数";
        await using var app = await TestApp.StartAsync(provider);
        var admin = await app.SignedInClientAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await CreateNextWaveAsync(admin)).StatusCode);
        var first = await LatestAsync(app, "sc3-2024");
        var preview = await HttpAssert.StatusAsync(HttpStatusCode.OK, await PostWordingAsync(admin, "sc3-2024", first.Id, "preview", (Prompt13, hostile)));
        Assert.DoesNotContain("<script>alert", preview);
        Assert.Contains("&lt;script&gt;", preview);
        Assert.Equal(HttpStatusCode.Redirect, (await PostWordingAsync(admin, "sc3-2024", first.Id, "save", (Prompt13, hostile))).StatusCode);
        var second = await LatestAsync(app, "sc3-2024");
        Assert.Equal(hostile, SurveyLoader.Load(second.SurveyYaml)["1-3"].Label); // stored as typed, quotes and all
        foreach (var path in new[] { $"/admin/surveys/sc3-2024/edit/{second.Id}/1", $"/admin/surveys/sc3-2024/preview/{second.Id}/s/1",
                     $"/admin/surveys/sc3-2024/publish/{second.Id}", "/admin/surveys/sc3-2024" })
        {
            var body = await HttpAssert.StatusAsync(HttpStatusCode.OK, await admin.GetAsync(path));
            Assert.DoesNotContain("<script>alert", body);
            Assert.Contains("&lt;script&gt;alert", body);
        }
    }

    [Fact]
    public void NextWaveText_DropsEverySameAs_KeepsComments_AndLoads()
    {
        var yaml = SurveyCatalog.Canonical(File.ReadAllText(Sc3_2024));
        Assert.Contains("sameAs", yaml);
        var next = SurveyText.NextWave(yaml, "sc3-2025", "sc3-associations", "次の \"調査\"", new DateOnly(2025, 10, 1), new DateOnly(2025, 12, 1));
        Assert.DoesNotContain("sameAs:", next);
        var survey = SurveyLoader.Load(next);
        Assert.Equal("sc3-2025", survey.Id);
        Assert.Equal("sc3-associations", survey.Series);
        Assert.Equal("次の \"調査\"", survey.Title);
        Assert.All(survey.Items, i => Assert.Null(i.SameAs));
        Assert.All(survey.Items.SelectMany(i => i.Options), o => Assert.Null(o.SameAs));
        // Everything else as it was: the 2024 wave's items and wording, its comments.
        var before = SurveyLoader.Load(yaml);
        Assert.Equal(before.Items.Select(i => (i.Code, i.Label)), survey.Items.Select(i => (i.Code, i.Label)));
        Assert.Contains("# サンプル: 特に無しを末尾へ移し", next);
    }

    [Fact]
    public void WordingEdits_OfEveryField_LoadAndAreWordingOnly()
    {
        var yaml = SurveyCatalog.Canonical(File.ReadAllText(Sc3_2024));
        var fields = SurveyText.Fields(yaml);
        Assert.Contains(fields, f => f.Owner == "尺度 implementation 選択肢 2" && f.Value == "一部実施");
        Assert.Contains(fields, f => f.Owner == "設問 2-9-a 選択肢 8" && f.Value == "特に無し");
        // Every text changed at once, with characters YAML cares about.
        var edited = SurveyText.ApplyWording(yaml, fields.ToDictionary(f => f.Path, f => f.Value + " #: [x] \"q\" \\ {y}"));
        var old = SurveyLoader.Load(yaml);
        var @new = SurveyLoader.Load(edited);
        Assert.Null(SurveyDiff.Compare(old, @new).FrozenChangesMessage());
        Assert.Equal(old.Items.Select(i => i.Label + " #: [x] \"q\" \\ {y}"), @new.Items.Select(i => i.Label));
        Assert.All(@new.Scales.SelectMany(s => s.Points), p => Assert.EndsWith("{y}", p.Label));
        Assert.Equal(yaml.Split('\n').Length, edited.Split('\n').Length);
        Assert.Throws<Core.UserError>(() => SurveyText.ApplyWording(yaml, new Dictionary<string, string> { [fields[1].Path] = " " }));
    }

    [Fact]
    public void WordingEdits_OfBlockScalarsAndFlowEntries_KeepTheRestOfTheFile()
    {
        const string yaml = """
            id: blocks   # a comment
            title: 'ブロック'
            period: { opens: 2024-01-01, closes: 2024-01-31, timeZone: Asia/Tokyo }
            sections:
              - id: "1"
                title: 最初
                questions:
                  - code: Q1
                    prompt: |
                      一行目
                      二行目
                    note: >-
                      折り返す
                      注記
                    kind: single
                    options: [はい, "いいえ", { code: 9, label: わからない, sameAs: 3 }]
                  - code: Q2   # after the block
                    prompt: 次
                    kind: text
            """;
        var fields = SurveyText.Fields(yaml).ToDictionary(f => f.Path, f => f);
        Assert.Equal("一行目\n二行目\n", fields["sections/0/questions/0/prompt"].Value);
        Assert.Equal("わからない", fields["sections/0/questions/0/options/2/label"].Value);
        Assert.Equal("設問 Q1 選択肢 9", fields["sections/0/questions/0/options/2/label"].Owner);
        var edited = SurveyText.ApplyWording(yaml, new Dictionary<string, string>
        {
            ["sections/0/questions/0/prompt"] = "新しい一行目\n二行目",
            ["sections/0/questions/0/note"] = "注記: 新しい",
            ["sections/0/questions/0/options/0"] = "はい（そう思う）",
            ["sections/0/questions/0/options/2/label"] = "分からない",
            ["title"] = "ブロック \"改\"",
        });
        var survey = SurveyLoader.Load(edited);
        Assert.Equal("新しい一行目\n二行目", survey["Q1"].Label);
        Assert.Equal("注記: 新しい", survey.Questions.First().Note);
        Assert.Equal(["はい（そう思う）", "いいえ", "分からない"], survey["Q1"].Options.Select(o => o.Label));
        Assert.Equal("ブロック \"改\"", survey.Title);
        Assert.Equal("次", survey["Q2"].Label);
        Assert.Contains("id: blocks   # a comment", edited);
        Assert.Contains("  - code: Q2   # after the block", edited);
        Assert.Null(SurveyDiff.Compare(SurveyLoader.Load(yaml), survey).FrozenChangesMessage());

        var next = SurveyText.NextWave(yaml, "blocks-2", "blocks", "次回", new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 31));
        var copy = SurveyLoader.Load(next);
        Assert.Equal("blocks", copy.Series);
        Assert.Null(copy["Q1"].FindOption(9)!.SameAs);
        Assert.Contains("{ code: 9, label: わからない }", next);
        Assert.Equal(new DateOnly(2025, 1, 31), copy.Period.Closes);
    }

    // ---- helpers

    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string fileName, byte[] content, string csrfPage = "/admin/surveys/upload",
        byte[]? report = null)
    {
        var token = await TestApp.CsrfTokenAsync(client, csrfPage);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "survey", fileName);
        if (report is not null) form.Add(new ByteArrayContent(report), "report", "report.yaml");
        form.Add(new StringContent(token), "__RequestVerificationToken");
        form.Add(new StringContent("テストのアップロード"), "note");
        return await client.PostAsync("/admin/surveys/upload", form);
    }

    /// <summary>The workbook with the first `single` kind cell of the survey sheet changed; the cell's reference.</summary>
    private static (byte[] Bytes, string Cell) BreakKind(byte[] xlsx, string kind)
    {
        var ms = new MemoryStream();
        ms.Write(xlsx);
        string reference;
        using (var doc = SpreadsheetDocument.Open(ms, true))
        {
            var book = doc.WorkbookPart!;
            var sheet = book.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == "survey");
            var part = (WorksheetPart)book.GetPartById(sheet.Id!);
            var cell = part.Worksheet.Descendants<Cell>().First(c => c.InnerText == "single");
            cell.InlineString = new InlineString(new Text(kind));
            reference = cell.CellReference!.Value!;
        }
        return (ms.ToArray(), reference);
    }
}

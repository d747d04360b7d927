using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>Roster import into a survey (upsert by code, all or nothing), export, and `invite create` (docs/decisions/048).</summary>
public class RosterImportTests
{
    internal static string SamplePath => Path.Combine(ReportFixtures.SurveyDir, "roster.csv");
    private static string SampleText => File.ReadAllText(SamplePath);

    /// <summary>`invite create` reads its link key from the environment: run as a process with the test apps' key.</summary>
    private static readonly Dictionary<string, string?> Keyed = new() { ["Shirabe__LinkKey"] = TestApp.LinkKey };

    private static Task<RosterImportResult> ImportAsync(TestApp app, string text, string name = "roster.csv",
        IProgress<ResponsesTransfer.ImportProgress>? progress = null) =>
        ImportAsync(app, Encoding.UTF8.GetBytes(text), name, progress);

    private static async Task<RosterImportResult> ImportAsync(TestApp app, byte[] bytes, string name = "roster.csv",
        IProgress<ResponsesTransfer.ImportProgress>? progress = null)
    {
        await using var db = app.Db();
        return await RosterImport.ImportAsync(db, app.Survey.Id, new MemoryStream(bytes), name, null, app.Clock, null, progress);
    }

    private static async Task<int> InvitationCountAsync(TestApp app)
    {
        await using var db = app.Db();
        return await db.Invitations.CountAsync(i => i.SurveyId == app.Survey.Id);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheSample_Imports57_AndReimportingWithAChangedEmail_UpdatesByCode_AndKeepsWhatTheFileDropped(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);

        var first = await ImportAsync(app, SampleText);
        Assert.Equal((57, 57, 57, 0, 0, 0), (first.Rows, first.NewOrganisations, first.NewInvitations, first.Updated, first.Unchanged, first.MissingCount));
        await using (var db = app.Db())
        {
            var r03 = await db.Invitations.Include(i => i.Organisation).SingleAsync(i => i.Organisation.Code == "R03");
            Assert.Equal(("日本フォーム印刷工業連合会", "加藤 光男", "contact-r03@example.jp", "jimukyoku-r03@example.jp", "製造業"),
                (r03.Organisation.Name, r03.ContactName, r03.ContactEmail, r03.Cc, r03.Category));
            Assert.Equal(app.Survey.Id, r03.SurveyId);
        }

        // R05's e-mail and R01's name change, N09 is left out: both are updated in place (same ids), N09 is kept and reported.
        int r05Before;
        await using (var db = app.Db())
            r05Before = await db.Invitations.Where(i => i.Organisation.Code == "R05").Select(i => i.Id).SingleAsync();
        var changed = string.Join("\n", SampleText.Split('\n').Where(l => !l.StartsWith("N09,")))
            .Replace("contact-r05@example.jp", "new-r05@example.jp").Replace("R01,一般社団法人日本化学工業協会,", "R01,一般社団法人日本化学工業協会（新名称）,");
        var second = await ImportAsync(app, changed);
        Assert.Equal((56, 0, 0, 2, 54, 1), (second.Rows, second.NewOrganisations, second.NewInvitations, second.Updated, second.Unchanged, second.MissingCount));
        Assert.Equal(["N09"], second.Missing);
        await using (var db = app.Db())
        {
            var r05 = await db.Invitations.SingleAsync(i => i.Organisation.Code == "R05");
            Assert.Equal((r05Before, "new-r05@example.jp"), (r05.Id, r05.ContactEmail));
            Assert.Equal("一般社団法人日本化学工業協会（新名称）", await db.Organisations.Where(o => o.Code == "R01").Select(o => o.Name).SingleAsync());
            Assert.Equal(57, await db.Invitations.CountAsync());
            Assert.Equal(57, await db.Organisations.CountAsync());
            // Audit: counts only, never a personal value.
            var audits = await db.AuditEntries.Where(a => a.Action == AuditAction.RosterImported).OrderBy(a => a.Id).ToListAsync();
            Assert.Equal(2, audits.Count);
            Assert.Contains("\"updated\":2", audits[1].Detail);
            Assert.DoesNotContain("@", audits[1].Detail);
            Assert.DoesNotContain("松田", audits[1].Detail);
        }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ABadFile_ImportsNothing_AndListsEveryErrorWithRowAndColumn(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await ImportAsync(app, SampleText);

        // Row 3's new e-mail is fine, but row 4's is not and row 5 has no code: nothing of the file is imported.
        var lines = SampleText.Split('\n');
        lines[2] = lines[2].Replace("contact-r02@example.jp", "changed@example.jp");
        lines[3] = lines[3].Replace("contact-r03@example.jp", "contact-r03@example");
        lines[4] = lines[4][lines[4].IndexOf(',')..];
        var e = await Assert.ThrowsAsync<RosterFileException>(() => ImportAsync(app, string.Join("\n", lines) + "R99,新しい団体,,,,\n"));
        var problems = e.Problems.Select(p => p.ToString()).ToList();
        Assert.Equal(2, problems.Count);
        Assert.StartsWith("4 行目 メールアドレス:", problems[0]);
        Assert.StartsWith("5 行目 コード:", problems[1]);

        await using var db = app.Db();
        Assert.Equal("contact-r02@example.jp", await db.Invitations.Where(i => i.Organisation.Code == "R02").Select(i => i.ContactEmail).SingleAsync());
        Assert.False(await db.Organisations.AnyAsync(o => o.Code == "R99"));
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == AuditAction.RosterImported));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SharedEmails_AreWarnings_AndAttributesAreStoredAndExported(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var result = await ImportAsync(app, "コード,団体名,メールアドレス,会員区分\nA1,甲協会,same@example.jp,正会員\nA2,乙協会,same@example.jp,\n");
        Assert.Equal(2, result.NewInvitations);
        Assert.Single(result.Warnings);
        Assert.StartsWith("3 行目 メールアドレス:", result.Warnings[0].ToString());

        using var output = new MemoryStream();
        await using (var db = app.Db())
            Assert.Equal(2, await RosterDownload.WriteAsync(db, app.Survey.Id, "xlsx", output, app.Clock, null));
        output.Position = 0;
        var (entries, attributes, _) = RosterFile.ReadAll(output, "roster.xlsx", RosterFileTests.Sc3);
        Assert.Equal(["会員区分"], attributes);
        Assert.Equal(("A1", "正会員"), (entries[0].Code, entries[0].Attributes["会員区分"]));
        Assert.Empty(entries[1].Attributes);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Cli_ImportsTheSample_CreatesLinksThatOpenTheQuestionnaire_AndASecondRunCreatesNone(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var db = app.Database.ConnectionString;
        var dir = Directory.CreateTempSubdirectory("shirabe-roster-").FullName;
        try
        {
            var unknown = await CliTests.Run("roster", "import", SamplePath, "--survey", "no-such-survey", "--db", db);
            Assert.Equal(2, unknown.Code);
            Assert.Contains("調査「no-such-survey」はデータベースに登録されていません。登録済みの調査: sc3-2023", unknown.Err);
            Assert.Contains("何も取り込んでいません。", unknown.Err);

            var badFile = Path.Combine(dir, "bad.csv");
            await File.WriteAllTextAsync(badFile, "コード,団体名,メールアドレス\nA1,甲協会,a@b\nA1,乙協会,\n");
            var bad = await CliTests.Run("roster", "import", badFile, "--survey", app.Survey.Id, "--db", db);
            Assert.Equal(2, bad.Code);
            Assert.Contains("名簿ファイルに 2 件の誤りがあります。\n2 行目 メールアドレス:", bad.Err);
            Assert.Contains("\n3 行目 コード: コード「A1」は 2 行目と重複しています", bad.Err);
            Assert.EndsWith("何も取り込んでいません。\n", bad.Err.ReplaceLineEndings("\n"));
            Assert.Equal(0, await InvitationCountAsync(app));

            var imported = await CliTests.Run("roster", "import", SamplePath, "--survey", app.Survey.Id, "--db", db);
            Assert.True(imported.Code == 0, imported.Err);
            Assert.Contains("57 件を取り込みました: 新規 57 件、更新 0 件、変更なし 0 件（新しい団体 57 件）。", imported.Out);
            Assert.Contains("取り込み中: 57 件", imported.Err);

            var links = Path.Combine(dir, "links.csv");
            var created = await CliTests.RunProcessAsync(Keyed, "invite", "create", "--survey", app.Survey.Id, "--out", links, "--base-url", "https://survey.example.jp/", "--db", db);
            Assert.True(created.Code == 0, created.Err);
            Assert.Contains("57 件の回答用リンクを作成し", created.Out);
            Assert.Contains("データベースにはハッシュだけを保存しています", created.Out);
            var bytes = await File.ReadAllBytesAsync(links);
            Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
            var rows = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("\"code\",\"name\",\"email\",\"link\"", rows[0]);
            Assert.Equal(58, rows.Length);
            Assert.StartsWith("\"R01\",\"一般社団法人日本化学工業協会\",\"contact-r01@example.jp\",\"https://survey.example.jp/a/", rows[1]);
            var client = app.Client();
            foreach (var row in rows.Skip(1))
            {
                var link = row.Split(',')[3].Trim('"');
                var response = await client.GetAsync(new Uri(link).PathAndQuery);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            var again = await CliTests.RunProcessAsync(Keyed, "invite", "create", "--survey", app.Survey.Id, "--out", Path.Combine(dir, "again.csv"), "--base-url", "https://survey.example.jp", "--db", db);
            Assert.True(again.Code == 0, again.Err);
            Assert.Contains("リンクのない招待はありません", again.Out);
            Assert.False(File.Exists(Path.Combine(dir, "again.csv")));
            var existing = await CliTests.RunProcessAsync(Keyed, "invite", "create", "--survey", app.Survey.Id, "--out", links, "--base-url", "https://survey.example.jp", "--db", db);
            Assert.Equal(2, existing.Code);
            Assert.Contains("既にあります", existing.Err);
            await using (var ctx = app.Db())
                Assert.Equal(57, await ctx.AccessLinks.CountAsync());

            var export = Path.Combine(dir, "roster.xlsx");
            var exported = await CliTests.Run("roster", "export", "--survey", app.Survey.Id, "--out", export, "--db", db);
            Assert.True(exported.Code == 0, exported.Err);
            await using var file = File.OpenRead(export);
            var (entries, _, _) = RosterFile.ReadAll(file, "roster.xlsx", RosterFileTests.Sc3);
            var (original, _, _) = RosterFile.ReadAll(File.OpenRead(SamplePath), "roster.csv", RosterFileTests.Sc3);
            Assert.Equal(original.OrderBy(e => e.Code, StringComparer.Ordinal).Select(e => (e.Code, e.Name, e.ContactName, e.Email, string.Join(";", e.Cc), e.Category)),
                entries.Select(e => (e.Code, e.Name, e.ContactName, e.Email, string.Join(";", e.Cc), e.Category)));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ARosterOf100000_ImportsInBatches_WithProgress(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        const int rows = 100_000;
        var csv = new StringBuilder("コード,団体名,担当者名,メールアドレス,業種,地域\n", rows * 70);
        for (var i = 1; i <= rows; i++) csv.Append($"M{i:D6},会員企業{i},担当 {i},m{i}@example.jp,製造業,関東\n");
        var progress = new List<ResponsesTransfer.ImportProgress>();

        var result = await ImportAsync(app, csv.ToString(), progress: new Collect(progress));

        Assert.Equal((rows, rows, rows), (result.Rows, result.NewOrganisations, result.NewInvitations));
        Assert.Equal(rows, await InvitationCountAsync(app));
        Assert.True(progress.Count > 10, $"{progress.Count} progress reports");
        Assert.Equal(rows, progress[^1].Rows);
        await using var db = app.Db();
        var last = await db.Invitations.SingleAsync(i => i.Organisation.Code == "M100000");
        Assert.Equal(("m100000@example.jp", "{\"地域\":\"関東\"}"), (last.ContactEmail, last.Attributes));
    }

    private sealed class Collect(List<ResponsesTransfer.ImportProgress> list) : IProgress<ResponsesTransfer.ImportProgress>
    {
        public void Report(ResponsesTransfer.ImportProgress value) => list.Add(value);
    }
}

using System.Text;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>`shirabe import` of files far larger than the reconstructed 48 rows: batched, one transaction, flat memory.</summary>
public class BulkImportTests
{
    private static string ReconstructedCsv => Path.Combine(ShirabePaths.DefaultSurvey, "responses-2023.csv");

    private static byte[] Generated(Survey survey, int rows, SyntheticOptions? options = null)
    {
        using var file = new MemoryStream();
        ResponsesCsv.Write(file, survey, SyntheticResponses.Generate(survey, new Random(2023), rows, options));
        return file.ToArray();
    }

    private static async Task<(int Associations, int Invitations, int Drafts, int Submissions, int History)> CountsAsync(TestApp app)
    {
        await using var db = app.Db();
        return (await db.Organisations.CountAsync(), await db.Invitations.CountAsync(), await db.Drafts.CountAsync(),
            await db.Submissions.CountAsync(), await db.AnswerHistory.CountAsync());
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ImportingMoreRowsThanSqliteAllowsVariables_StoresEveryRow_AndASecondImportStoresNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        const int rows = 40_000; // over SQLite's 32,766 variables: one parameter per id would fail
        var file = Generated(app.Survey, rows);
        var submitted = ResponsesCsv.Read(new MemoryStream(file), app.Survey).Count(r => r.SubmittedAt is not null);

        var imported = new List<ResponsesTransfer.Imported>();
        var progress = new List<ResponsesTransfer.ImportProgress>();
        ResponsesTransfer.ImportCounts counts;
        await using (var db = app.Db())
            counts = await ResponsesTransfer.ImportEachAsync(db, app.Survey, new MemoryStream(file), app.Clock, imported.Add,
                progress: new Collect(progress));

        Assert.Equal((submitted, rows - submitted), (counts.Submitted, counts.Drafts));
        Assert.Equal(rows, imported.Select(i => i.Token).Distinct().Count());
        Assert.Equal((rows, rows, rows, submitted, submitted), await CountsAsync(app));
        Assert.Equal(rows, progress[^1].Rows);
        Assert.Equal(1.0, progress[^1].Share);
        Assert.True(progress.Count > 1 && progress.Zip(progress.Skip(1)).All(p => p.First.Rows < p.Second.Rows));

        // Every printed token opens its own row's invitation, with the row's answers.
        var last = imported[^1];
        await using (var db = app.Db())
        {
            var hash = InvitationTokens.Hash(last.Token);
            var invitation = await db.Invitations.Include(i => i.Organisation)
                .SingleAsync(i => db.AccessLinks.Any(l => l.InvitationId == i.Id && l.TokenHash == hash));
            Assert.Equal(last.Code, invitation.Organisation.Code);
            Assert.Equal(1, await db.Drafts.CountAsync(d => d.InvitationId == invitation.Id));
        }
        using (var output = new MemoryStream())
        {
            await using var db = app.Db();
            Assert.Equal(submitted, await ResponsesTransfer.ExportAsync(db, app.Survey, output));
        }

        await using (var db = app.Db())
        {
            var e = await Assert.ThrowsAsync<Core.UserError>(() =>
                ResponsesTransfer.ImportAsync(db, app.Survey, new MemoryStream(file), app.Clock));
            // Named by count and the first ids, not a list of thousands. Every row is taken: its invitation has a
            // submission, or a draft that the row's answers would replace.
            Assert.Contains($"（{rows:N0} 件）", e.Message);
            Assert.Contains(imported.First(i => i.Submitted).Code, e.Message);
            Assert.True(e.Message.Length < 400, $"{e.Message.Length} characters");
        }
        Assert.Equal((rows, rows, rows, submitted, submitted), await CountsAsync(app));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ABadRowNearTheEndOfALargeFile_LeavesTheDatabaseAsItWas_AndNamesTheRowAndColumn(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await using (var db = app.Db())
        await using (var csv = File.OpenRead(ReconstructedCsv))
            await ResponsesTransfer.ImportAsync(db, app.Survey, csv, app.Clock);
        var before = await CountsAsync(app);

        // Several batches are written before the bad row is reached: they must all be rolled back.
        var lines = Encoding.UTF8.GetString(Generated(app.Survey, 12_000)).Split("\r\n");
        var badRow = 11_990; // as the problem list counts rows: the header is row 1
        var firstId = lines[1].Split(',')[0];
        lines[badRow - 1] = firstId + lines[badRow - 1][lines[badRow - 1].IndexOf(',')..];
        var bad = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\r\n", lines)));

        await using (var db = app.Db())
        {
            var e = await Assert.ThrowsAsync<ResponsesFileException>(() => ResponsesTransfer.ImportAsync(db, app.Survey, bad, app.Clock));
            var problem = Assert.Single(e.Problems);
            Assert.Equal((badRow, "id"), (problem.Row, problem.Column));
        }
        Assert.Equal(before, await CountsAsync(app));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnOrganisationInvitedBeforeTheImport_IsKeptWithItsName_AndItsInvitationGetsTheAnswersAndANewLink(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.InviteAsync("R05", "登録済みの団体名");

        List<ResponsesTransfer.Imported> imported;
        await using (var db = app.Db())
        await using (var csv = File.OpenRead(ReconstructedCsv))
            imported = await ResponsesTransfer.ImportAsync(db, app.Survey, csv, app.Clock);

        Assert.Equal("登録済みの団体名", imported.Single(i => i.Code == "R05").Name);
        await using var check = app.Db();
        Assert.Equal(48, await check.Organisations.CountAsync());
        Assert.Equal(1, await check.Invitations.CountAsync(i => i.Organisation.Code == "R05"));
        Assert.Equal(2, await check.AccessLinks.CountAsync(l => l.Invitation.Organisation.Code == "R05" && l.RevokedAt == null));
        Assert.Equal(1, await check.Submissions.CountAsync(s => s.Invitation.Organisation.Code == "R05"));
        Assert.Equal("登録済みの団体名", (await check.Organisations.SingleAsync(a => a.Code == "R05")).Name);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheDemoSeedsLinksForTheUnansweredAssociations_OpenTheirQuestionnaire(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        List<DemoSeed.Link> links;
        await using (var db = app.Db())
            links = await DemoSeed.SeedAsync(db, app.Survey, ReconstructedCsv, app.Clock);

        var unanswered = links.Where(l => !l.Submitted).ToList();
        Assert.Equal(DemoSeed.Unanswered.Select(u => u.Code), unanswered.Select(l => l.Code));
        var page = await app.Client().GetAsync($"/a/{unanswered[^1].Token}/s/1");
        Assert.Contains(unanswered[^1].Name, await HttpAssert.StatusAsync(System.Net.HttpStatusCode.OK, page));
        await using var check = app.Db();
        Assert.Equal(57, await check.Invitations.CountAsync());
        Assert.Equal(48, await check.Drafts.CountAsync());
    }

    [Fact]
    public void TheBulkAnswersWriter_WritesExactlyWhatStoredAnswersSerializeWrites()
    {
        var survey = SurveyLoader.LoadFile(ShirabePaths.DefaultSurvey);
        string[] texts = ["引用 \"x\", y", "一行目\n二行目", "<script>&'", "\u2028 tab\t 😀", "\\ back", ""];
        var writer = new StoredAnswersWriter(survey);
        var checkedRows = 0;
        foreach (var r in SyntheticResponses.Generate(survey, new Random(7), 3000,
                     new SyntheticOptions { Text = 1, TextOf = random => texts[random.Next(texts.Length)] }))
        {
            Assert.Equal(StoredAnswers.Serialize(StoredAnswers.ToCells(survey, r.Answers)), writer.Serialize(r.Answers));
            checkedRows++;
        }
        Assert.Equal(3000, checkedRows);
    }

    [Fact]
    public void ProgressWithoutATerminal_IsPlainLines_OnePerTenthOfTheFile()
    {
        var output = new StringWriter();
        using (var lines = new ImportProgressLines(output, terminal: false))
            for (var rows = 1000; rows <= 20_000; rows += 1000)
                lines.Report(new ResponsesTransfer.ImportProgress(rows, rows / 20_000.0));

        var printed = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, printed.Length); // 0 %, 10 %, …, 100 %
        Assert.DoesNotContain('\r', output.ToString().Replace(Environment.NewLine, "\n"));
        Assert.Equal("取り込み中: 20,000 件（ファイルの 100%）", printed[^1].TrimEnd());
    }

    [Fact]
    public void ProgressOnATerminal_RewritesOneLine_AndEndsIt()
    {
        var output = new StringWriter();
        using (var lines = new ImportProgressLines(output, terminal: true))
        {
            lines.Report(new ResponsesTransfer.ImportProgress(2000, 0.5));
            lines.Report(new ResponsesTransfer.ImportProgress(4000, 1));
        }
        Assert.Equal("\r取り込み中: 2,000 件（ファイルの 50%）\u001b[K\r取り込み中: 4,000 件（ファイルの 100%）\u001b[K" + Environment.NewLine,
            output.ToString());
    }

    private sealed class Collect(List<ResponsesTransfer.ImportProgress> into) : IProgress<ResponsesTransfer.ImportProgress>
    {
        public void Report(ResponsesTransfer.ImportProgress value) => into.Add(value);
    }
}

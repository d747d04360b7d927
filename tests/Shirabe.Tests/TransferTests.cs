using System.Text;
using Shirabe.Core.Responses;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>`shirabe import` and `shirabe export`: the reconstructed responses through the database and back.</summary>
public class TransferTests
{
    private static string ReconstructedCsv => Path.Combine(Shirabe.ShirabePaths.DefaultSurvey, "responses-2023.csv");

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ImportThenExport_ReproducesTheReconstructedFileByteForByte(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await using (var db = app.Db())
        await using (var csv = File.OpenRead(ReconstructedCsv))
        {
            var imported = await ResponsesTransfer.ImportAsync(db, app.Survey, csv, app.Clock);
            Assert.Equal(48, imported.Count(i => i.Submitted));
        }

        using var output = new MemoryStream();
        await using (var db = app.Db())
            Assert.Equal(48, await ResponsesTransfer.ExportAsync(db, app.Survey, output));

        Assert.Equal(File.ReadAllText(ReconstructedCsv, Encoding.UTF8), Encoding.UTF8.GetString(output.ToArray()).TrimStart('\uFEFF'));
        Assert.Equal(File.ReadAllBytes(ReconstructedCsv), output.ToArray());
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ImportingAFileWithOneBadRow_ImportsNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var lines = File.ReadAllLines(ReconstructedCsv);
        lines[10] = lines[10].Replace(",2023-", ",20xx-");
        var bad = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n"));

        await using (var db = app.Db())
            await Assert.ThrowsAsync<ResponsesFileException>(() => ResponsesTransfer.ImportAsync(db, app.Survey, bad, app.Clock));

        await using var check = app.Db();
        Assert.Empty(check.Organisations);
        Assert.Empty(check.Submissions);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ImportingTheSameResponsesTwice_ImportsNothingTheSecondTime(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await using (var db = app.Db())
        await using (var csv = File.OpenRead(ReconstructedCsv))
            await ResponsesTransfer.ImportAsync(db, app.Survey, csv, app.Clock);

        await using (var db = app.Db())
        await using (var csv = File.OpenRead(ReconstructedCsv))
        {
            var e = await Assert.ThrowsAsync<Core.UserError>(() => ResponsesTransfer.ImportAsync(db, app.Survey, csv, app.Clock));
            Assert.Contains("R01", e.Message);
        }
        await using var check = app.Db();
        Assert.Equal(48, check.Submissions.Count());
        Assert.Equal(48, check.Invitations.Count());
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnAnswerSubmittedOnTheWeb_IsExportedInCanonicalForm(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync("W01");
        var client = app.Client();
        await TestApp.PostSectionAsync(client, token, "1", [("q1_3", "2"), ("q1_4_a", "14.50"), ("q1_4_b", "85.5"), ("q1_4_c", "0")]);
        await TestApp.PostSectionAsync(client, token, "2", [("q2_2", "一行目\r\n二行目, \"引用\"")]);
        await TestApp.PostSectionAsync(client, token, "2/3", [("q2_9_a", "5"), ("q2_9_a", "1")]); // 2-9 is on section 2's third page
        await TestApp.PostSectionAsync(client, token, "3", [("q3_1", "3")]);
        await TestApp.SubmitAsync(client, token);

        using var output = new MemoryStream();
        await using (var db = app.Db())
            await ResponsesTransfer.ExportAsync(db, app.Survey, output);
        output.Position = 0;
        var response = Assert.Single(ResponsesCsv.Read(output, app.Survey));

        Assert.Equal("W01", response.Id);
        Assert.Equal(new DateTimeOffset(2023, 11, 1, 10, 0, 0, TimeSpan.FromHours(9)), response.SubmittedAt!.Value, TimeSpan.FromMinutes(1));
        var cells = Shirabe.Data.StoredAnswers.ToCells(app.Survey, response.Answers);
        Assert.Equal("14.5", cells["q1_4_a"]);
        Assert.Equal("1;5", cells["q2_9_a"]);
        Assert.Equal("一行目\n二行目, \"引用\"", cells["q2_2"]);
        Assert.Equal("NA", cells["q3_2_a"]);  // hidden by 3-1 = 3
        Assert.Equal("", cells["q4_2"]);      // never answered: 無回答
        Assert.Equal("NA", cells["q2_13_a"]); // 2-11 not 作成中/作成・公表済
        Assert.Equal("", cells["q2_12"]);     // hidden text: a text column holds text only
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheImportAndExportCommands_RoundTripThroughTheDatabase(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var output = Path.Combine(Path.GetTempPath(), $"shirabe-export-{Guid.NewGuid():N}.csv");
        try
        {
            Assert.Equal(0, await Cli.ShirabeCommands.RunAsync(["import", ReconstructedCsv, "--db", app.Database.ConnectionString], TextWriter.Null, TextWriter.Null));
            Assert.Equal(2, await Cli.ShirabeCommands.RunAsync(["import", ReconstructedCsv, "--db", app.Database.ConnectionString], TextWriter.Null, TextWriter.Null));
            Assert.Equal(0, await Cli.ShirabeCommands.RunAsync(["export", "--responses", output, "--db", app.Database.ConnectionString], TextWriter.Null, TextWriter.Null));

            Assert.Equal(File.ReadAllBytes(ReconstructedCsv), File.ReadAllBytes(output));
        }
        finally
        {
            File.Delete(output);
        }
    }
}

using Shirabe.Cli;

namespace Shirabe.Tests;

/// <summary>`shirabe report` as docs/cli.md documents it.</summary>
public class ReportCliTests
{
    [Fact]
    public async Task Report_WritesTheHtmlReport()
    {
        var output = Path.Combine(Path.GetTempPath(), "shirabe-cli-" + Guid.NewGuid().ToString("N") + ".html");
        try
        {
            var code = await ShirabeCommands.RunAsync(["report", "--survey", ReportFixtures.SurveyDir, "--responses", ReportFixtures.ResponsesPath,
                "--format", "html", "--out", output], TextWriter.Null, TextWriter.Null);
            Assert.Equal(0, code);
            var html = await File.ReadAllTextAsync(output);
            Assert.Contains("表 2-35 業界におけるセキュリティガイドラインの普及を促進するにあたり", html);
            Assert.False(File.Exists(output + ".part"));
        }
        finally { File.Delete(output); }
    }

    [Fact]
    public async Task Report_WithABrokenDefinition_ExitsWith2AndWritesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        var output = Path.Combine(dir, "out.html");
        try
        {
            File.Copy(Path.Combine(ReportFixtures.SurveyDir, "survey.yaml"), Path.Combine(dir, "survey.yaml"));
            await File.WriteAllTextAsync(Path.Combine(dir, "report.yaml"), "survey: sc3-2023\ntitle: t\nparts:\n  - table: { kind: choice, item: 9-9, caption: c }\n");
            var code = await ShirabeCommands.RunAsync(["report", "--survey", dir, "--responses", ReportFixtures.ResponsesPath,
                "--format", "html", "--out", output], TextWriter.Null, TextWriter.Null);
            Assert.Equal(2, code);
            Assert.False(File.Exists(output));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

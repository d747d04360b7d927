using System.CommandLine;
using System.Text.Json;
using Shirabe.Cli;
using Shirabe.Core;
using Shirabe.Core.Responses;

namespace Shirabe.Tests;

/// <summary>The command line through its one entry (<see cref="ShirabeCommands.RunAsync(string[], TextWriter?, TextWriter?, CancellationToken)"/>), in process, as docs/cli.md documents it.</summary>
public class CliTests
{
    public sealed record Result(int Code, string Out, string Err);

    public static async Task<Result> Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await ShirabeCommands.RunAsync(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// The command line as a separate process (`dotnet shirabe.dll`), its settings from <paramref name="environment"/> as
    /// an operator sets them: for settings read from the environment, which the in-process runner would share between
    /// tests. The embedded default's link key is never made in the home folder (XDG_CONFIG_HOME points where no folder
    /// can be made), so without <c>Shirabe__LinkKey</c> the process has no key.
    /// </summary>
    public static async Task<Result> RunProcessAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "shirabe.dll") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["XDG_CONFIG_HOME"] = "/dev/null/no-config";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return new Result(process.ExitCode, await output, await error);
    }

    private static readonly string Survey = ReportFixtures.SurveyDir;
    private static readonly string Responses = ReportFixtures.ResponsesPath;

    /// <summary>What System.CommandLine prints in English when its help and errors are not replaced.</summary>
    private static readonly string[] English =
    [
        "Description:", "Usage:", "Options:", "Commands:", "Arguments:", "Show help", "(REQUIRED)", "[default", "is required",
        "Unrecognized", "Cannot parse", "Required argument", "Required command", "Argument '", "Option '",
    ];

    private static IEnumerable<string[]> CommandPaths(Command command, string[] path)
    {
        yield return path;
        foreach (var sub in command.Subcommands)
            foreach (var p in CommandPaths(sub, [.. path, sub.Name])) yield return p;
    }

    [Fact]
    public async Task Help_OfEveryCommand_IsJapanese()
    {
        var paths = CommandPaths(ShirabeCommands.Root(), []).ToList();
        Assert.True(paths.Count >= 12, "every command and subcommand is checked");
        foreach (var path in paths)
        {
            var r = await Run([.. path, "--help"]);
            Assert.Equal(0, r.Code);
            Assert.Contains("使用法:", r.Out);
            Assert.Contains("使い方を表示します", r.Out);
            foreach (var word in English) Assert.DoesNotContain(word, r.Out);
        }
        var tabulate = (await Run("tabulate", "--help")).Out;
        Assert.Contains("データベースに登録した調査の ID", tabulate);
        Assert.Contains("[既定: text]", tabulate);
        Assert.Contains("--include-personal ", tabulate);
        Assert.DoesNotContain("False", tabulate);
    }

    [Theory]
    [InlineData("オプション --survey を指定してください（必須です）。", "responses", "generate", "--out", "o", "--rows", "1")]
    [InlineData("オプション --format の値「xml」は使えません（json、text のいずれか）。", "tabulate", "--survey", "s", "--responses", "r", "--format", "xml")]
    [InlineData("「--bogus」というコマンドやオプションはありません。", "tabulate", "--survey", "s", "--responses", "r", "--bogus")]
    [InlineData("オプション --rows の値「abc」は整数で指定してください。", "responses", "generate", "--survey", "s", "--out", "o", "--rows", "abc")]
    [InlineData("引数 <survey> を指定してください。", "survey", "check")]
    [InlineData("コマンドを指定してください（check、diff、export、add、list）。", "survey")]
    [InlineData("オプション --survey の値を指定してください。", "tabulate", "--responses", "r", "--survey")]
    public async Task ParseErrors_AreJapanese_AndExit1(string expected, params string[] args)
    {
        var r = await Run(args);
        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Out);
        Assert.Contains(expected, r.Err);
        Assert.Contains("--help」で表示します。", r.Err);
        foreach (var word in English) Assert.DoesNotContain(word, r.Err);
    }

    // ------------------------------------------------------------------ the error contract

    private static RootCommand Failing(Action body)
    {
        var root = new RootCommand("t");
        var command = new Command("fail", "t");
        command.SetAction(_ => { body(); return 0; });
        root.Subcommands.Add(command.OnFailure("何もしていません。"));
        return root;
    }

    private static async Task<Result> RunFailing(Action body)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await ShirabeCommands.RunAsync(Failing(body), ["fail"], output, error);
        return new Result(code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task ABug_Exits1_WithItsStackTrace()
    {
        var r = await RunFailing(() => Array.Empty<int>().First());
        Assert.Equal(1, r.Code);
        Assert.Contains("予期しないエラー", r.Err);
        Assert.Contains("System.InvalidOperationException", r.Err);
        Assert.Contains(" at ", r.Err);
        Assert.DoesNotContain("何もしていません。", r.Err);

        // ArgumentException is a bug too (it used to be taken for the user's mistake).
        Assert.Equal(1, (await RunFailing(() => throw new ArgumentException("x"))).Code);
    }

    [Fact]
    public async Task AUserError_Exits2_WithItsMessage_AndWhatWasNotDone()
    {
        var r = await RunFailing(() => throw new UserError("直してください。"));
        Assert.Equal(2, r.Code);
        Assert.Equal("直してください。\n何もしていません。\n", r.Err.ReplaceLineEndings("\n"));

        var missing = await RunFailing(() => File.OpenRead("/nonexistent/shirabe-file.csv"));
        Assert.Equal(2, missing.Code);
        Assert.StartsWith("フォルダがありません", missing.Err);
    }

    // ------------------------------------------------------------------ tabulate

    /// <summary>Synthetic SC3 responses, one line per row (no free text, no drafts): line i + 1 of the file is row i + 1.</summary>
    private static List<string> SyntheticLines(int rows)
    {
        using var ms = new MemoryStream();
        var survey = ReportFixtures.Survey();
        ResponsesCsv.Write(ms, survey, SyntheticResponses.Generate(survey, new Random(5), rows, new SyntheticOptions { Text = 0, Drafts = 0 }));
        return new StreamReader(new MemoryStream(ms.ToArray())).ReadToEnd().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>Sets a field of a line (the synthetic lines hold no quotes or commas inside fields).</summary>
    private static string WithField(List<string> lines, int line, string column, string value)
    {
        var fields = lines[line].Split(',');
        fields[Array.IndexOf(lines[0].Split(','), column)] = value;
        return string.Join(',', fields);
    }

    private static List<Response> Sc3Responses()
    {
        using var s = File.OpenRead(Responses);
        return ResponsesCsv.Read(s, ReportFixtures.Survey()).ToList();
    }

    [Fact]
    public async Task Tabulate_Text_LeavesOutPersonalItems_UnlessAskedFor()
    {
        var first = Sc3Responses()[0];
        var survey = ReportFixtures.Survey();
        var name = first.Answers[survey["1-1-a"].Index].Text!;
        var title = first.Answers[survey["1-2-b"].Index].Text!;

        var r = await Run("tabulate", "--survey", Survey, "--responses", Responses);
        Assert.Equal(0, r.Code);
        Assert.StartsWith("■ 1-2-a", r.Out.TrimStart().Split('\n').First(l => l.StartsWith('■')));
        Assert.Contains("■ 1-3 ", r.Out);
        Assert.Contains("n=48", r.Out);
        Assert.DoesNotContain(name, r.Out);
        Assert.DoesNotContain(title, r.Out);
        Assert.DoesNotContain("■ 1-1-a", r.Out);

        var all = await Run("tabulate", "--survey", Survey, "--responses", Responses, "--include-personal");
        Assert.Equal(0, all.Code);
        Assert.Contains(name, all.Out);
        Assert.Contains("■ 1-1-a", all.Out);
    }

    [Fact]
    public async Task Tabulate_Json_LeavesOutPersonalItems_UnlessAskedFor()
    {
        static List<string> Codes(string json) =>
            JsonDocument.Parse(json).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("code").GetString()!).ToList();
        var r = await Run("tabulate", "--survey", Survey, "--responses", Responses, "--format", "json", "--where", "1-6=5");
        Assert.Equal(0, r.Code);
        var codes = Codes(r.Out);
        Assert.DoesNotContain("1-1-a", codes);
        Assert.DoesNotContain("1-1-b", codes);
        Assert.DoesNotContain("1-2-b", codes);
        Assert.Contains("1-2-a", codes);
        Assert.Contains("4-5", codes);
        Assert.Equal(25, JsonDocument.Parse(r.Out).RootElement.GetProperty("respondents").GetInt64());

        var all = await Run("tabulate", "--survey", Survey, "--responses", Responses, "--format", "json", "--include-personal");
        Assert.Equal(codes.Count + 3, Codes(all.Out).Count);
    }

    [Fact]
    public async Task Tabulate_ABrokenFile_Exits2_SayingNothingWasOutput()
    {
        var bad = Path.GetTempFileName();
        try
        {
            var lines = SyntheticLines(10);
            lines[3] = WithField(lines, 3, "q1_3", "99"); // an option that does not exist
            File.WriteAllLines(bad, lines);
            var r = await Run("tabulate", "--survey", Survey, "--responses", bad);
            Assert.Equal(2, r.Code);
            Assert.Equal("", r.Out);
            Assert.Contains("4 行目", r.Err);
            Assert.Contains("集計結果は出力していません。", r.Err);
            Assert.DoesNotContain("取り込んで", r.Err);

            var cross = await Run("tabulate", "--survey", Survey, "--responses", Responses, "--cross", "4-3-a,9-9");
            Assert.Equal(2, cross.Code);
            Assert.StartsWith("クロス集計の設問 9-9 は調査票「sc3-2023」にありません。", cross.Err);
        }
        finally { File.Delete(bad); }
    }

    [Fact]
    public async Task Report_ABrokenFile_SaysNoReportWasMade()
    {
        var output = Path.Combine(Path.GetTempPath(), "shirabe-cli-" + Guid.NewGuid().ToString("N") + ".html");
        var r = await Run("report", "--survey", Survey, "--responses", "/nonexistent.csv", "--format", "html", "--out", output);
        Assert.Equal(2, r.Code);
        Assert.Contains("報告書は作成していません。", r.Err);
        Assert.DoesNotContain("取り込んで", r.Err);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".part"));
    }

    [Fact]
    public async Task Report_Xlsx_LeavesOutPersonalItems_UnlessAskedFor()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        try
        {
            List<string> RawHeader(string path)
            {
                using var book = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(path, false);
                var wb = book.WorkbookPart!;
                var sheet = wb.Workbook!.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Single(s => s.Name == "回答データ");
                var part = (DocumentFormat.OpenXml.Packaging.WorksheetPart)wb.GetPartById(sheet.Id!.Value!);
                return part.Worksheet!.Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().First()
                    .Elements<DocumentFormat.OpenXml.Spreadsheet.Cell>().Select(c => c.InlineString!.InnerText).ToList();
            }
            string without = Path.Combine(dir, "a.xlsx"), with = Path.Combine(dir, "b.xlsx");
            Assert.Equal(0, (await Run("report", "--survey", Survey, "--responses", Responses, "--format", "xlsx", "--out", without)).Code);
            Assert.Equal(0, (await Run("report", "--survey", Survey, "--responses", Responses, "--format", "xlsx", "--out", with, "--include-personal")).Code);
            var plain = RawHeader(without);
            var all = RawHeader(with);
            Assert.Equal(["id", "submitted_at", "q1_2_a", "q1_3"], plain.Take(4));
            Assert.Equal(["id", "submitted_at", "q1_1_a", "q1_1_b", "q1_2_a", "q1_2_b", "q1_3"], all.Take(7));
            Assert.Equal(plain.Count + 3, all.Count);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Report_OnAPersonalItem_AsksForIncludePersonal()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        try
        {
            File.Copy(Path.Combine(Survey, "survey.yaml"), Path.Combine(dir, "survey.yaml"));
            await File.WriteAllTextAsync(Path.Combine(dir, "report.yaml"),
                "survey: sc3-2023\ntitle: t\nparts:\n  - table: { kind: text, item: 1-2-b, caption: 役職 }\n");
            var output = Path.Combine(dir, "out.html");
            var refused = await Run("report", "--survey", dir, "--responses", Responses, "--format", "html", "--out", output);
            Assert.Equal(2, refused.Code);
            Assert.Contains("設問 1-2-b は回答者個人の情報（personal: true）のため集計していません（含めるには --include-personal）。", refused.Err);
            Assert.False(File.Exists(output));

            var title = Sc3Responses()[0].Answers[ReportFixtures.Survey()["1-2-b"].Index].Text!;
            Assert.Equal(0, (await Run("report", "--survey", dir, "--responses", Responses, "--format", "html", "--out", output, "--include-personal")).Code);
            Assert.Contains(title, await File.ReadAllTextAsync(output));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // ------------------------------------------------------------------ survey check, responses generate

    [Fact]
    public async Task SurveyCheck_PrintsTheOutline_OrEveryProblemWithItsLine()
    {
        var ok = await Run("survey", "check", Survey);
        Assert.Equal(0, ok.Code);
        Assert.Contains("sc3-2023: 業界セキュリティガイドラインに関するアンケート", ok.Out);
        Assert.Contains("4 セクション、28 設問、63 項目", ok.Out);
        Assert.Contains("問題はありません。", ok.Out);

        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        try
        {
            var yaml = File.ReadAllText(Path.Combine(Survey, "survey.yaml"))
                .Replace("label: 氏名, personal: true }", "label: 氏名, personal: yes }");
            File.WriteAllText(Path.Combine(dir, "survey.yaml"), yaml);
            var bad = await Run("survey", "check", dir);
            Assert.Equal(2, bad.Code);
            Assert.Equal("", bad.Out);
            Assert.Matches(@"survey\.yaml:\d+:\d+: personal は true か false で書いてください。", bad.Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task ResponsesGenerate_WritesAReproducibleValidFile_AndNothingOnABadArgument()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        try
        {
            string a = Path.Combine(dir, "a.csv"), b = Path.Combine(dir, "b.csv"), c = Path.Combine(dir, "c.csv");
            var r = await Run("responses", "generate", "--survey", Survey, "--rows", "300", "--seed", "7", "--out", a);
            Assert.Equal(0, r.Code);
            Assert.Contains("300 件の回答を書き出しました", r.Err);
            Assert.Equal(0, (await Run("responses", "generate", "--survey", Survey, "--rows", "300", "--seed", "7", "--out", b)).Code);
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
            using (var s = File.OpenRead(a))
                Assert.Equal(300, ResponsesCsv.Read(s, ReportFixtures.Survey()).Count()); // every row obeys the survey's rules

            var negative = await Run("responses", "generate", "--survey", Survey, "--rows", "-1", "--out", c);
            Assert.Equal(2, negative.Code);
            Assert.Contains("--rows は 0 以上にしてください。", negative.Err);
            Assert.Contains("回答ファイルは作成していません。", negative.Err);
            Assert.False(File.Exists(c));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // ------------------------------------------------------------------ tabulating a big file in parts

    [Fact]
    public void TabulateInParts_ABadRow_FallsBackToOnePass_ReportingItsTrueRow()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        try
        {
            var survey = ReportFixtures.Survey();
            var lines = SyntheticLines(300);
            var clean = Path.Combine(dir, "clean.csv");
            File.WriteAllLines(clean, lines);
            var bad = Path.Combine(dir, "bad.csv");
            var good = lines[250];
            lines[250] = WithField(lines, 250, "q1_3", "99"); // row 251 of the file, in the last part
            File.WriteAllLines(bad, lines);
            var options = new ResponsesReadOptions();

            var log = new StringWriter();
            var inParts = TabulateCommand.Tabulate(survey, clean, options, null, null, false, new TabulateCommand.Progress(log), threads: 3);
            var onePass = TabulateCommand.Tabulate(survey, clean, options, null, null, false, null, threads: 1);
            Assert.Equal(Core.Tabulation.TabulationJson.ToJson(onePass), Core.Tabulation.TabulationJson.ToJson(inParts));
            Assert.DoesNotContain("読み直して", log.ToString());

            var badLog = new StringWriter();
            var e = Assert.Throws<ResponsesFileException>(() =>
                TabulateCommand.Tabulate(survey, bad, options, null, null, false, new TabulateCommand.Progress(badLog), threads: 3));
            Assert.Contains("ファイル全体を読み直して", badLog.ToString());
            Assert.Equal(251, Assert.Single(e.Problems).Row);

            // An id repeated in two parts is found only by the one pass.
            lines[250] = good;
            lines[280] = WithField(lines, 280, "id", lines[2].Split(',')[0]);
            File.WriteAllLines(bad, lines);
            var dup = Assert.Throws<ResponsesFileException>(() =>
                TabulateCommand.Tabulate(survey, bad, options, null, null, false, new TabulateCommand.Progress(new StringWriter()), threads: 3));
            Assert.Equal(281, Assert.Single(dup.Problems).Row);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>
    /// A bad file is reported exactly as the validating reader reports it (every problem, its row, column and message),
    /// whether the fast reading ran in one part or several; and the JSON of a clean file is compact unless --indent.
    /// </summary>
    [Fact]
    public async Task Tabulate_ABadFile_IsReportedAsTheValidatingReaderReportsIt()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-cli-").FullName;
        try
        {
            var survey = ReportFixtures.Survey();
            var lines = SyntheticLines(300);
            lines[20] = WithField(lines, 20, "q1_3", "99");
            lines[120] = WithField(lines, 120, "id", lines[2].Split(',')[0]);
            lines[200] = WithField(lines, 200, "submitted_at", "2023-13-01T00:00:00+09:00");
            lines[260] = lines[260] + ",1"; // one cell too many
            var bad = Path.Combine(dir, "bad.csv");
            File.WriteAllLines(bad, lines);
            ResponsesFileException expected;
            using (var stream = File.OpenRead(bad))
                expected = Assert.Throws<ResponsesFileException>(() => ResponsesCsv.Read(stream, survey).Count());
            Assert.Equal(4, expected.Problems.Count);
            foreach (var threads in new[] { 1, 3 })
            {
                var e = Assert.Throws<ResponsesFileException>(() => TabulateCommand.Tabulate(survey, bad, new ResponsesReadOptions(),
                    null, null, false, null, threads));
                Assert.Equal(expected.Message, e.Message);
            }
            var r = await Run("tabulate", "--survey", Survey, "--responses", bad, "--format", "json");
            Assert.Equal(2, r.Code);
            Assert.Equal("", r.Out);
            foreach (var problem in expected.Problems) Assert.Contains(problem.ToString(), r.Err);

            var compact = await Run("tabulate", "--survey", Survey, "--responses", Responses, "--format", "json");
            var indented = await Run("tabulate", "--survey", Survey, "--responses", Responses, "--format", "json", "--indent");
            Assert.Equal(1, compact.Out.Count(c => c == '\n'));
            Assert.Contains("\n  \"items\": [", indented.Out);
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(compact.Out),
                System.Text.Json.Nodes.JsonNode.Parse(indented.Out)));
            Assert.DoesNotContain("\\u", compact.Out);
            var text = await Run("tabulate", "--survey", Survey, "--responses", Responses, "--indent");
            Assert.Equal(2, text.Code);
            Assert.Contains("--indent", text.Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

using System.Diagnostics;
using System.Text;
using CsCheck;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tests;

/// <summary>Input that must be refused with a clear message (issue 7: findings 1, 6 and 10, and the importer fuzz).</summary>
public class InputHardeningTests
{
    private static readonly string[] Header = ResponsesCsv.Header(Fixtures.Sc3).ToArray();

    /// <summary>R02's row of the SC3 file with <paramref name="column"/> set to <paramref name="value"/>, CSV-quoted.</summary>
    private static string CsvWith(string column, string value, string id = "X01")
    {
        var r02 = File.ReadAllLines(Fixtures.ResponsesPath).First(l => l.StartsWith("R02,")).Split(',');
        r02[0] = id;
        r02[Array.IndexOf(Header, column)] = "\"" + value.Replace("\"", "\"\"") + "\"";
        return string.Join(",", Header) + "\r\n" + string.Join(",", r02) + "\r\n";
    }

    private static List<Response> Read(string csv) =>
        ResponsesCsv.Read(new MemoryStream(new UTF8Encoding(false, false).GetBytes(csv)), Fixtures.Sc3).ToList();

    [Fact]
    public void Import_RefusesTextLongerThanTheItemsMaxLength_AsTheWebFormDoes()
    {
        var max = Fixtures.Sc3["2-2"].MaxLength;
        Assert.Single(Read(CsvWith("q2_2", new string('あ', max))));
        var e = Assert.Throws<ResponsesFileException>(() => Read(CsvWith("q2_2", new string('あ', max + 1))));
        var p = Assert.Single(e.Problems);
        Assert.Equal(("q2_2", 2L), (p.Column, (long)p.Row));
        Assert.Contains($"{max + 1:N0} 文字あります。{max:N0} 文字以内にしてください。", p.Message);
    }

    [Theory]
    [InlineData("ok\uFFFFok", "U+FFFF（3 文字目）")]
    [InlineData("\uFFFE", "U+FFFE（1 文字目）")]
    [InlineData("a\u0001b", "U+0001（2 文字目）")]
    [InlineData("x\u001B", "U+001B（2 文字目）")]
    public void Import_RefusesCharactersXmlCannotHold_NamingRowAndColumn(string text, string where)
    {
        var e = Assert.Throws<ResponsesFileException>(() => Read(CsvWith("q2_2", text)));
        var p = Assert.Single(e.Problems);
        Assert.Equal(2, p.Row);
        Assert.Equal("q2_2", p.Column);
        Assert.Contains(where, p.Message);
        Assert.StartsWith("2 行目, 列 q2_2: 設問 2-2: 使えない文字", p.ToString());
    }

    [Fact]
    public void Import_RefusesAnUnpairedSurrogate_InTheTextAndTheId()
    {
        // A lone surrogate has no UTF-8 form (the strict decoder refuses its bytes), so the rule is checked directly.
        Assert.Equal(1, XmlText.IndexOfInvalid("a\uD800b"));
        Assert.Equal(1, XmlText.IndexOfInvalid("a\uDC00"));
        Assert.Equal(-1, XmlText.IndexOfInvalid("𠮷野家\t\n\r"));
        var e = Assert.Throws<ResponsesFileException>(() => Read(CsvWith("q2_2", "ok", id: "R\u0007")));
        Assert.Contains(e.Problems, p => p.Column == "id" && p.Message.Contains("U+0007"));
    }

    [Fact]
    public void Import_RefusesAnIdLongerThanTheDatabaseHolds()
    {
        Assert.Single(Read(CsvWith("q2_2", "ok", id: new string('x', 40))));
        var e = Assert.Throws<ResponsesFileException>(() => Read(CsvWith("q2_2", "ok", id: new string('x', 41))));
        Assert.Contains("id は 40 文字以内", Assert.Single(e.Problems).Message);
    }

    [Fact]
    public void Import_KeepsTabsLineFeedsAndSupplementaryCharacters()
    {
        var r = Read(CsvWith("q2_2", "一行目\n\t二行目 𠮷")).Single();
        Assert.Equal("一行目\n\t二行目 𠮷", r.Answers[Fixtures.Sc3["2-2"].Index].Text);
    }

    [Fact]
    public void Clean_RemovesExactlyWhatXmlCannotHold()
    {
        Assert.Equal("ab𠮷\t\n\r", XmlText.Clean("a\uFFFF\u0000b\uD800𠮷\uDC00\uFFFE\t\n\r\u000B"));
        const string ok = "そのまま";
        Assert.Same(ok, XmlText.Clean(ok));
        // what it leaves can be written by a strict XmlWriter
        var settings = new System.Xml.XmlWriterSettings { CheckCharacters = true };
        using var w = System.Xml.XmlWriter.Create(new StringWriter(), settings);
        w.WriteElementString("t", XmlText.Clean("x\uFFFF\uD800\u0001y"));
    }

    [Theory]
    [InlineData("\n=1+1")]
    [InlineData("\uFEFF=HYPERLINK(\"http://x\")")]
    [InlineData("＝1+1")]
    [InlineData("＋81")]
    [InlineData("－1")]
    [InlineData("＠SUM(A1)")]
    [InlineData(" \n =cmd")]
    [InlineData("\u3000＝A1")]
    [InlineData("\t1")]
    public void SpreadsheetSafe_PrefixesFormulasAfterTrimmingBlanksLineFeedsAndBom(string text) =>
        Assert.Equal("'" + text, ResponsesCsv.SpreadsheetSafe(text));

    [Theory]
    [InlineData("普通の回答")]
    [InlineData("\n改行で始まる回答")]
    [InlineData("25")]
    [InlineData("1;3")]
    public void SpreadsheetSafe_LeavesOrdinaryText(string text) => Assert.Equal(text, ResponsesCsv.SpreadsheetSafe(text));

    // ------------------------------------------------------------------ survey.yaml / report.yaml limits

    /// <summary>The "billion laughs": nine levels of ten aliases each, about 4 KB that expand to 10⁹ nodes.</summary>
    private static string AliasBomb()
    {
        var sb = new StringBuilder("id: bomb\ntitle: t\nperiod: { opens: 2023-10-19, closes: 2023-12-15 }\nscales:\n");
        sb.Append("  l0: &l0 [").Append(string.Join(", ", Enumerable.Repeat("lol", 10))).Append("]\n");
        for (var i = 1; i <= 9; i++)
            sb.Append($"  l{i}: &l{i} [").Append(string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))).Append("]\n");
        sb.Append("sections:\n  - { title: s, questions: [ { code: Q1, prompt: p, items: [ { code: Q1-a, label: l, options: *l9 } ] } ] }\n");
        return sb.ToString();
    }

    private static T Quickly<T>(Func<T> load)
    {
        // Run on a worker so that a regression fails the test instead of hanging the suite.
        var task = Task.Run(load);
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "the loader did not finish within 10 s");
        return task.Result;
    }

    [Fact]
    public void SurveyLoader_RefusesAnAliasBomb_QuicklyWithTheLine()
    {
        var yaml = AliasBomb();
        Assert.True(yaml.Length < 5000);
        var watch = Stopwatch.StartNew();
        var e = Quickly(() => Assert.Throws<SurveyDefinitionException>(() => SurveyLoader.Load(yaml, "bomb.yaml")));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        var p = Assert.Single(e.Problems);
        Assert.Matches(@"^bomb\.yaml:(6|7|8|9|1[0-5]):\d+: 別名", p.ToString());
    }

    [Fact]
    public void SurveyLoader_RefusesDeepNesting_QuicklyWithTheLine()
    {
        var yaml = "id: deep\ntitle: t\nsections: " + new string('[', 100_000) + "\n";
        var e = Quickly(() => Assert.Throws<SurveyDefinitionException>(() => SurveyLoader.Load(yaml, "deep.yaml")));
        var p = Assert.Single(e.Problems);
        Assert.Equal(3, p.Line);
        Assert.Contains("入れ子が深すぎます", p.Message);
    }

    [Fact]
    public void SurveyLoader_RefusesAHugeFile_BeforeReadingIt()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-yaml-").FullName;
        try
        {
            var file = Path.Combine(dir, "survey.yaml");
            using (var f = File.Create(file)) f.SetLength(YamlLimits.MaxFileBytes + 1);
            var e = Assert.Throws<SurveyDefinitionException>(() => SurveyLoader.LoadFile(dir));
            Assert.Contains("ファイルが大きすぎます", Assert.Single(e.Problems).Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ReportDefinitionLoader_RefusesAnAliasBombAndDeepNesting_Quickly()
    {
        var bomb = "survey: sc3-2023\ntitle: t\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n"
            + string.Concat(Enumerable.Range(1, 9).Select(i => $"x{i}: &x{i} [{string.Join(", ", Enumerable.Repeat($"*x{i - 1}", 10))}]\n"))
            + "parts: *x9\n";
        var e = Quickly(() => Assert.Throws<ReportDefinitionException>(() => ReportDefinitionLoader.Load(bomb, Fixtures.Sc3, "r.yaml")));
        Assert.Matches(@"^r\.yaml:\d+:\d+: 別名", Assert.Single(e.Problems));

        var deep = "survey: sc3-2023\ntitle: t\nparts: " + new string('[', 100_000) + "\n";
        e = Quickly(() => Assert.Throws<ReportDefinitionException>(() => ReportDefinitionLoader.Load(deep, Fixtures.Sc3, "r.yaml")));
        Assert.StartsWith("r.yaml:3:", Assert.Single(e.Problems));
        Assert.Contains("入れ子が深すぎます", e.Problems[0]);
    }

    [Fact]
    public void TheShippedDefinitions_AreWellWithinTheLimits()
    {
        Assert.Null(YamlLimits.Check(File.ReadAllText(Path.Combine(Fixtures.SurveyDir, "survey.yaml"))));
        Assert.Null(YamlLimits.Check(File.ReadAllText(Path.Combine(Fixtures.SurveyDir, "report.yaml"))));
    }

    // ------------------------------------------------------------------ importer fuzz

    /// <summary>Characters chosen to hit the edges: controls, noncharacters, surrogates, quotes, separators, CJK.</summary>
    private static readonly Gen<char> NastyChar = Gen.OneOf(
        Gen.Char['\0', '\u001F'], Gen.Const('\uFFFE'), Gen.Const('\uFFFF'), Gen.Char['\uFDD0', '\uFDEF'],
        Gen.Char['\uD800', '\uDFFF'], Gen.Int[0, 6].Select(i => "\",\r\n\t\uFEFF="[i]), Gen.Char['\u3040', '\u30FF'], Gen.Char['a', 'z']);

    /// <summary>
    /// Random bytes, and valid rows whose text cell holds random characters: the reader either yields rows whose text is
    /// exactly what was written and XML-safe, or throws <see cref="ResponsesFileException"/> (and yields nothing
    /// before it, since problems are found before the row is yielded) — never any other exception.
    /// </summary>
    [Fact]
    public void Importer_UnderRandomInput_RefusesCleanlyOrReadsExactly()
    {
        Gen.Byte.Array[0, 600].Sample(bytes =>
        {
            try { _ = ResponsesCsv.Read(new MemoryStream(bytes), Fixtures.Sc3).ToList(); }
            catch (ResponsesFileException) { }
        }, iter: 1000);

        Gen.OneOf(NastyChar.Array[0, 40], NastyChar.Array[3000, 5000]).Select(c => new string(c)).Sample(text =>
        {
            text = new UTF8Encoding(false, false).GetString(new UTF8Encoding(false, false).GetBytes(text)); // as a file holds it
            var csv = CsvWith("q2_2", text);
            List<Response> rows;
            try { rows = Read(csv); }
            catch (ResponsesFileException e)
            {
                Assert.True(XmlText.IndexOfInvalid(text) >= 0, "refused valid text: " + e.Message);
                Assert.All(e.Problems, p => Assert.Equal(2, p.Row));
                return;
            }
            var stored = rows.Single().Answers[Fixtures.Sc3["2-2"].Index].Text ?? "";
            Assert.True(XmlText.IsValid(stored));
            Assert.Equal(text.Replace("\r\n", "\n"), stored.Replace("\r\n", "\n"), ignoreLineEndingDifferences: true);
        }, iter: 1000);
    }
}

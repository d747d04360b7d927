using CsCheck;
using System.Text;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tests;

public class ResponsesCsvTests
{
    private static readonly string Header = string.Join(",", ResponsesCsv.Header(Fixtures.Sc3));

    /// <summary>A valid row of the SC3 file (R02's), as a mutable column → cell map.</summary>
    private static Dictionary<string, string> ValidRow(string id = "X01")
    {
        var lines = File.ReadAllLines(Fixtures.ResponsesPath);
        var r02 = lines.First(l => l.StartsWith("R02,"));
        var names = Header.Split(',');
        var cells = r02.Split(','); // R02 has no quoted cell
        Assert.Equal(names.Length, cells.Length);
        var row = names.Zip(cells).ToDictionary(p => p.First, p => p.Second);
        row["id"] = id;
        return row;
    }

    private static string Csv(params Dictionary<string, string>[] rows)
    {
        var sb = new StringBuilder(Header).Append("\r\n");
        foreach (var row in rows)
            sb.Append(string.Join(",", Header.Split(',').Select(c => row[c]))).Append("\r\n");
        return sb.ToString();
    }

    private static List<Response> Read(string csv, Encoding? fileEncoding = null, ResponsesReadOptions? options = null) =>
        ResponsesCsv.Read(new MemoryStream((fileEncoding ?? Encoding.UTF8).GetBytes(csv)), Fixtures.Sc3, options).ToList();

    private static ResponsesFileException Fails(string csv, Encoding? fileEncoding = null, ResponsesReadOptions? options = null) =>
        Assert.Throws<ResponsesFileException>(() => Read(csv, fileEncoding, options));

    [Fact]
    public void ReconstructedResponses_RoundTripByteForByte()
    {
        var original = File.ReadAllBytes(Fixtures.ResponsesPath);
        var responses = Fixtures.Sc3Responses();
        Assert.Equal(48, responses.Count);
        using var output = new MemoryStream();
        ResponsesCsv.Write(output, Fixtures.Sc3, responses);
        Assert.Equal(original, output.ToArray());
    }

    [Fact]
    public void ReconstructedResponses_KeepNotAskedApartFromNoAnswer()
    {
        var byId = Fixtures.Sc3Responses().ToDictionary(r => r.Id);
        var survey = Fixtures.Sc3;
        Assert.Equal(AnswerState.NotAsked, byId["R01"].Answers[survey["2-5-g"].Index].State);
        Assert.Equal(AnswerState.NotAsked, byId["R02"].Answers[survey["2-13-a"].Index].State);
        Assert.Equal(AnswerState.NoAnswer, byId["R03"].Answers[survey["2-1-d"].Index].State);
        Assert.Equal([1, 2, 4], byId["R01"].Answers[survey["2-9-a"].Index].ChoiceCodes());
        Assert.Equal(new decimal?[] { 85, 15, 0 }, byId["R01"].Answers[survey["1-4"].Index].Parts);
    }

    [Fact]
    public void BadFile_ListsEveryProblemWithRowColumnAndValue()
    {
        var outOfRange = ValidRow("A1");
        outOfRange["q1_3"] = "7";
        var skipped = ValidRow("A2");
        skipped["q2_13_a"] = "1;2"; // R02 has every 2-11 row 未作成, so 2-13 is not asked
        var split = ValidRow("A3");
        split["q1_4_a"] = "50"; // 50 + 80 + 10
        var duplicate = ValidRow("A1");
        var timestamp = ValidRow("A5");
        timestamp["submitted_at"] = "2023/10/20 14:03";
        var exclusive = ValidRow("A6");
        exclusive["q2_9_a"] = "1;6";
        var matrix = ValidRow("A7");
        matrix["q2_11_a"] = "4";
        var notNumber = ValidRow("A8");
        notNumber["q1_5_b"] = "四十";

        var e = Fails(Csv(outOfRange, skipped, split, duplicate, timestamp, exclusive, matrix, notNumber));

        var lines = e.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("2 行目, 列 q1_3, 値「7」") && l.Contains("1、2、3、4、5、6"));
        Assert.Contains(lines, l => l.StartsWith("3 行目, 列 q2_13_a") && l.Contains("回答対象外"));
        Assert.Contains(lines, l => l.StartsWith("4 行目, 列 q1_4") && l.Contains("合計が 140%"));
        Assert.Contains(lines, l => l.StartsWith("5 行目, 列 id, 値「A1」") && l.Contains("重複"));
        Assert.Contains(lines, l => l.StartsWith("6 行目, 列 submitted_at, 値「2023/10/20 14:03」"));
        Assert.Contains(lines, l => l.StartsWith("7 行目, 列 q2_9_a, 値「1;6」") && l.Contains("特に無し"));
        Assert.Contains(lines, l => l.StartsWith("8 行目, 列 q2_11_a, 値「4」"));
        Assert.Contains(lines, l => l.StartsWith("9 行目, 列 q1_5_b, 値「四十」"));
        Assert.Equal(8, e.Problems.Count);
        Assert.Contains("8 件の問題", e.Message);
    }

    [Fact]
    public void UnknownAndDuplicateColumns_AreNamed()
    {
        var csv = "id,submitted_at,q1_3,q9_9,q1_3,q1_4_a\r\nA,,1,2,1,50\r\n";
        var lines = Fails(csv).Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("1 行目, 列 q9_9") && l.Contains("ない列"));
        Assert.Contains(lines, l => l.StartsWith("1 行目, 列 q1_3") && l.Contains("2 つ"));
        Assert.Contains(lines, l => l.StartsWith("1 行目, 列 q1_4") && l.Contains("q1_4_b"));
    }

    [Fact]
    public void MissingQuestionColumns_AreNotAsked()
    {
        var responses = Read("id,submitted_at,q1_3\r\nA,2023-10-20T14:03:00+09:00,4\r\nB,,\r\n");
        Assert.Equal(2, responses.Count);
        Assert.Equal(4, responses[0].Answers[Fixtures.Sc3["1-3"].Index].Choice);
        Assert.Equal(AnswerState.NoAnswer, responses[1].Answers[Fixtures.Sc3["1-3"].Index].State);
        Assert.Equal(AnswerState.NotAsked, responses[0].Answers[Fixtures.Sc3["2-1-a"].Index].State);
        Assert.True(responses[0].IsSubmitted);
        Assert.False(responses[1].IsSubmitted);
    }

    [Fact]
    public void TextCellSayingNA_IsJustText()
    {
        var responses = Read("id,submitted_at,q2_2,q1_3\r\nA,,NA,NA\r\n");
        Assert.Equal("NA", responses[0].Answers[Fixtures.Sc3["2-2"].Index].Text);
        Assert.Equal(AnswerState.NotAsked, responses[0].Answers[Fixtures.Sc3["1-3"].Index].State);
    }

    [Fact]
    public void BrokenQuoting_FailsWithRow()
    {
        var e = Fails("id,submitted_at,q2_2\r\nA,,ok\r\nB,,\"never closed\r\n");
        var problem = Assert.Single(e.Problems);
        Assert.Equal(3, problem.Row);
        Assert.Contains("引用符", problem.Message);
    }

    [Fact]
    public void Cp932File_WithoutEncodingOption_FailsSuggestingIt_AndReadsWithIt()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var sjis = Encoding.GetEncoding(932);
        var csv = "id,submitted_at,q2_2,q1_3\r\nA,,会員向けに一斉通知,4\r\n";

        var e = Fails(csv, sjis);
        Assert.Contains("--encoding cp932", Assert.Single(e.Problems).Message);

        var responses = Read(csv, sjis, new ResponsesReadOptions { Encoding = ResponsesReadOptions.ParseEncoding("cp932") });
        Assert.Equal("会員向けに一斉通知", responses[0].Answers[Fixtures.Sc3["2-2"].Index].Text);
    }

    [Fact]
    public void WrongRowLength_IsReported()
    {
        var e = Fails("id,submitted_at,q1_3\r\nA,,1,9\r\n");
        Assert.Contains("列の数", Assert.Single(e.Problems).Message);
    }

    [Fact]
    public void ProblemsBeyondTheCap_AreCounted()
    {
        var sb = new StringBuilder("id,submitted_at,q1_3\r\n");
        for (var i = 0; i < 30; i++) sb.Append($"R{i},,99\r\n");
        var e = Fails(sb.ToString(), options: new ResponsesReadOptions { MaxProblems = 10 });
        Assert.Equal(10, e.Problems.Count);
        Assert.Equal(20, e.Omitted);
        Assert.Contains("30 件の問題", e.Message);
    }

    [Fact]
    public void HiddenItemLeftBlank_IsStoredAsNotAsked()
    {
        var row = ValidRow();
        row["q2_13_a"] = "";
        var r = Read(Csv(row)).Single();
        Assert.Equal(AnswerState.NotAsked, r.Answers[Fixtures.Sc3["2-13-a"].Index].State);
    }
    [Fact]
    public void SpreadsheetExport_NeutralisesFormulaText_InterchangeExportKeepsIt()
    {
        var row = ValidRow("X9");
        row["q2_2"] = "=HYPERLINK(\"http://x\")";
        row["q4_5"] = "@SUM(A1)";
        var responses = Read(Csv(row));

        string Written(bool forSpreadsheet)
        {
            using var output = new MemoryStream();
            ResponsesCsv.Write(output, Fixtures.Sc3, responses, forSpreadsheet);
            return Encoding.UTF8.GetString(output.ToArray());
        }

        var safe = Written(forSpreadsheet: true);
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\")\"", safe);
        Assert.Contains(",'@SUM(A1)", safe);
        Assert.DoesNotContain(",=", safe);
        var exact = Written(forSpreadsheet: false);
        Assert.Contains("\"=HYPERLINK(\"\"http://x\"\")\"", exact);
        Assert.Equal("X9", Read(exact).Single().Id);
    }
}

public class ResponsesCsvFastPathTests
{
    /// <summary>The reader's own number parsing agrees with decimal.TryParse (value and scale) on every input.</summary>
    [Fact]
    public void TryParseNumber_AgreesWithDecimalTryParse()
    {
        var chars = Gen.Int[0, 8].Select(i => "0159.- e,"[i]);
        Gen.OneOf(chars.Array[0, 22].Select(c => new string(c)), Gen.Decimal.Select(d => Math.Abs(d).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Sample(text =>
            {
                var expectedOk = decimal.TryParse(text, System.Globalization.NumberStyles.AllowDecimalPoint,
                    System.Globalization.CultureInfo.InvariantCulture, out var expected);
                var ok = ResponsesCsv.TryParseNumber(text, out var actual);
                Assert.Equal(expectedOk, ok);
                if (ok) Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }, iter: 5000);
    }

    [Fact]
    public void ReuseAnswers_TabulatesTheSameAsFreshRows()
    {
        var bytes = File.ReadAllBytes(Fixtures.ResponsesPath);
        var fresh = Tabulation.Tabulate.Survey(Fixtures.Sc3, ResponsesCsv.Read(new MemoryStream(bytes), Fixtures.Sc3));
        var reused = Tabulation.Tabulate.Survey(Fixtures.Sc3, ResponsesCsv.Read(new MemoryStream(bytes), Fixtures.Sc3, new() { ReuseAnswers = true }));
        Assert.Equal(Tabulation.TabulationJson.ToJson(fresh), Tabulation.TabulationJson.ToJson(reused));
    }
}

public class TimestampTests
{
    /// <summary>The hand-written reader of the canonical timestamp agrees with the framework's parser.</summary>
    [Fact]
    public void CanonicalTimestamp_AgreesWithTryParseExact()
    {
        var digits = Gen.Int[0, 9].Select(d => (char)('0' + d));
        var text = Gen.OneOf(
            Gen.Select(Gen.DateTime, Gen.Int[-14 * 4, 14 * 4]).Where(t => t.Item1.Year is > 1 and < 9999)
                .Select(t => new DateTimeOffset(DateTime.SpecifyKind(t.Item1, DateTimeKind.Unspecified).AddTicks(-(t.Item1.Ticks % TimeSpan.TicksPerSecond)), TimeSpan.FromMinutes(t.Item2 * 15)))
                .Select(ResponsesCsv.FormatTimestamp),
            // Shape-right strings with arbitrary digits: month 13, day 31 in April, offset +15:00, …
            Gen.Select(digits.Array[14], Gen.Int[0, 1]).Select(t =>
            {
                var d = t.Item1;
                return $"{d[0]}{d[1]}{d[2]}{d[3]}-{d[4]}{d[5]}-{d[6]}{d[7]}T{d[8]}{d[9]}:{d[10]}{d[11]}:{d[12]}{d[13]}{(t.Item2 == 0 ? '+' : '-')}{d[0]}{d[5]}:{d[9]}0";
            }));
        text.Sample(s =>
        {
            var expectedOk = DateTimeOffset.TryParseExact(s, "yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var expected);
            var ok = ResponsesCsv.TryParseCanonicalTimestamp(s, out var actual);
            Assert.Equal(expectedOk, ok);
            if (ok) Assert.Equal((expected.DateTime, expected.Offset), (actual.DateTime, actual.Offset));
        }, iter: 20000);
    }
}

public class MissingColumnsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ItemsWithoutAColumn_AreNotAsked_InEveryRow(bool reuse)
    {
        var csv = "id,submitted_at,q1_3\nR1,2023-10-20T10:00:00+09:00,2\nR2,2023-10-21T10:00:00+09:00,\n"u8.ToArray();
        var t = Tabulation.Tabulate.Survey(Fixtures.Sc3, ResponsesCsv.Read(new MemoryStream(csv), Fixtures.Sc3, new() { ReuseAnswers = reuse }));
        Assert.Equal(2, t.Respondents);
        Assert.Equal((2L, 1L, 1L), (t.Choice("1-3").N, t.Choice("1-3")[2].Count, t.Choice("1-3").NoAnswer.Count));
        Assert.All(t.Items.Where(i => i.Item.Code != "1-3"), i => Assert.Equal(0, i.N));
    }

}

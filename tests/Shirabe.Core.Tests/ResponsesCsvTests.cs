using CsCheck;
using System.Text;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tests;

public class ResponsesCsvTests
{
    [Fact]
    public void ReconstructedResponses_RoundTripByteForByte()
    {
        var original = File.ReadAllBytes(Fixtures.ResponsesPath);
        var responses = Fixtures.Sc3Responses();
        Assert.Equal(48, responses.Count);
        using var output = new MemoryStream();
        ResponsesCsv.Write(output, Fixtures.Sc3, responses);
        Assert.Equal(Encoding.UTF8.GetString(original), Encoding.UTF8.GetString(output.ToArray()));
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

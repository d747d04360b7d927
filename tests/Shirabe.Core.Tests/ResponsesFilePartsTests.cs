using System.Text;
using CsCheck;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;

namespace Shirabe.Core.Tests;

/// <summary>Splitting a responses file for parallel reading loses, duplicates and reorders nothing.</summary>
public class ResponsesFilePartsTests
{
    private static readonly string[] Nasty = [",", "\"", "\"\"", "\n", "\r\n", "NA", "日本語", "a", " "];

    [Fact]
    public void Parts_ReadTogether_AreTheWholeFile_AndTabulateTheSame()
    {
        var text = Gen.Int[0, Nasty.Length - 1].Array[1, 4].Select(ix => string.Concat(ix.Select(i => Nasty[i])));
        Gen.Select(Gen.Int, Gen.Int[0, 80], Gen.Int[1, 5], text.Array[1, 8]).Sample(t =>
        {
            var (seed, count, parts, texts) = t;
            var responses = SyntheticResponses.Generate(Fixtures.Sc3, new Random(seed), count,
                new SyntheticOptions { Text = 0.5, Drafts = 0.1, TextOf = r => texts[r.Next(texts.Length)] }).ToList();
            using var ms = new MemoryStream();
            ResponsesCsv.Write(ms, Fixtures.Sc3, responses);
            var bytes = ms.ToArray();

            var openers = ResponsesFileParts.Split(() => new MemoryStream(bytes), parts);
            Assert.InRange(openers.Count, 1, parts);
            var read = openers.Select(open => ResponsesCsv.Read(open(), Fixtures.Sc3).ToList()).ToList();
            Assert.Equal(Csv(responses), Csv(read.SelectMany(r => r)));

            var whole = Tabulate.Survey(Fixtures.Sc3, ResponsesCsv.Read(new MemoryStream(bytes), Fixtures.Sc3), cross: (Fixtures.Sc3["4-3-a"], Fixtures.Sc3["2-9-a"]));
            var inParts = Tabulate.SurveyInParts(Fixtures.Sc3, openers.Select(open => ResponsesCsv.Read(open(), Fixtures.Sc3)).ToArray(),
                cross: (Fixtures.Sc3["4-3-a"], Fixtures.Sc3["2-9-a"]));
            Assert.Equal(TabulationJson.ToJson(whole), TabulationJson.ToJson(inParts));
            // the fast path takes every file the writer writes, and counts the same
            var clean = Tabulate.CleanFile(Fixtures.Sc3, openers, cross: (Fixtures.Sc3["4-3-a"], Fixtures.Sc3["2-9-a"]));
            Assert.NotNull(clean);
            Assert.Equal(TabulationJson.ToJson(whole), TabulationJson.ToJson(clean));
        }, iter: 30);
    }

    private static readonly string[] Junk =
        ["99", "x", "", "NA", "1;1", "1;", "0", "-1", "1.5", "\"a\"b", "a\"b", "\"1\"", "\u0001", "\r", "2023-13-01T00:00:00+09:00",
         "2023-10-20T14:03:00+09:00", "１", " 1", "1 ", "60", "R01", "\"\"", "101", "14.5", "NA;1", "\"x\"\"y\"", ",", "\n", "\r\n",
         // forms the fast path reads from the bytes itself (decision 074), or leaves to the validating reader
         "01", "0000000001", "1;;2", ";1", "3;1", "2;3;1", "14.50", "5.", ".5", "0000000000000000014", "100.0", "1e2", "na", "\t",
         "\uFFFE", "a\uFFFFb", "\uFFF0", "\uFFBF", "\U0001F600", "\"\U0001F600,\"\"\"", "\u0085", "\u007F",
         "2023-10-20T05:03:00Z", "2023-10-20T14:03+09:00", "2023-10-20T14:03:00.5+09:00", "2023-10-20T14:03:00+9:00",
         new string('あ', 200), new string('a', 201), new string('あ', 201), string.Concat(Enumerable.Repeat("\U0001F600", 101)),
         new string('x', 40), new string('x', 41), new string('あ', 40), new string('あ', 41), new string('あ', 4000), new string('a', 4001)];

    /// <summary>Rewrites of a cell that keep its value (or change its form only): leading zeros, a scale, quoting.</summary>
    private static readonly Func<string, string>[] Rewrites =
        [c => "0" + c, c => c + ".0", c => c + ".", c => c.Length == 0 ? c : "\"" + c + "\"", c => c + ";1", c => "1;" + c, c => c + "0"];

    /// <summary>
    /// The fast path (<see cref="Tabulate.CleanFile"/>) accepts a file only when the validating reader does, and then
    /// counts the same: a damaged cell, a stray quote or line break, a repeated id or bad bytes make it decline. Both
    /// readers are also run on files that stay valid (a cell rewritten to an equivalent form, texts with multi-byte
    /// characters, quotes and characters outside the BMP), and the fast path must take most of those.
    /// </summary>
    [Fact]
    public void CleanFile_AcceptsOnlyWhatTheValidatingReaderAccepts()
    {
        string[] texts = ["日本語", "a,b", "\"引用\"", "改行\nあり", "\U0001F600", "\uFFF0", "NA", new string('あ', 200), "\t", "x"];
        var (readAccepted, cleanAccepted) = (0, 0);
        Gen.Select(Gen.Int, Gen.Int[1, 30], Gen.Int[1, 3], Gen.Int[0, Junk.Length + Rewrites.Length - 1].Array[1, 3], Gen.Int[0, 1_000_000].Array[3]).Sample(t =>
        {
            var (seed, count, parts, junk, at) = t;
            var responses = SyntheticResponses.Generate(Fixtures.Sc3, new Random(seed), count,
                new SyntheticOptions { Text = 0.3, Drafts = 0.1, TextOf = at[0] % 2 == 0 ? null : r => texts[r.Next(texts.Length)] }).ToList();
            using var ms = new MemoryStream();
            ResponsesCsv.Write(ms, Fixtures.Sc3, responses);
            var lines = Encoding.UTF8.GetString(ms.ToArray()).Split('\n').ToList();
            var row = 1 + at[0] % count;
            var cells = lines[row].Split(',');
            for (var k = 0; k < junk.Length; k++)
            {
                var cell = (at[1] + k * at[2]) % cells.Length;
                cells[cell] = junk[k] < Junk.Length ? Junk[junk[k]] : Rewrites[junk[k] - Junk.Length](cells[cell]);
            }
            lines[row] = string.Join(",", cells);
            var bytes = Encoding.UTF8.GetBytes(string.Join("\n", lines));
            if (at[2] % 7 == 0) bytes[bytes.Length / 2] = 0xFF; // not UTF-8

            SurveyTabulation? read;
            try { read = Tabulate.Survey(Fixtures.Sc3, ResponsesCsv.Read(new MemoryStream(bytes), Fixtures.Sc3)); }
            catch (ResponsesFileException) { read = null; }
            var cross = at[1] % 3 == 0 ? (Fixtures.Sc3["2-11-a"], Fixtures.Sc3["3-2-a"]) : ((Item, Item)?)null;
            var segment = at[1] % 5 == 0 ? Segment.Of(new SegmentFilter(Fixtures.Sc3["3-1"], [1, 2], noAnswer: true)) : null;
            if (read is not null)
            {
                readAccepted++;
                read = Tabulate.Survey(Fixtures.Sc3, ResponsesCsv.Read(new MemoryStream(bytes), Fixtures.Sc3), segment, cross, includePersonal: true);
            }
            var clean = Tabulate.CleanFile(Fixtures.Sc3, ResponsesFileParts.Split(() => new MemoryStream(bytes), parts), segment, cross, includePersonal: true);
            if (clean is not null)
            {
                cleanAccepted++;
                Assert.NotNull(read);
                Assert.Equal(TabulationJson.ToJson(read), TabulationJson.ToJson(clean));
            }
        }, iter: 600, threads: 1);
        // the property is not vacuous: many damaged files stay valid, and the fast path takes most of them
        Assert.InRange(cleanAccepted, readAccepted * 3 / 4, readAccepted);
        Assert.True(cleanAccepted > 25, $"the fast path took {cleanAccepted} files");
    }

    [Fact]
    public void BigFixture_SplitsIntoSeveralParts()
    {
        var bytes = File.ReadAllBytes(Fixtures.ResponsesPath);
        var openers = ResponsesFileParts.Split(() => new MemoryStream(bytes), 4);
        Assert.Equal(4, openers.Count);
        Assert.Equal(48, openers.Sum(open => ResponsesCsv.Read(open(), Fixtures.Sc3).Count()));
    }

    [Fact]
    public void AProblemInAnyPart_IsThrown()
    {
        var text = File.ReadAllText(Fixtures.ResponsesPath);
        var bad = text.Replace("\nR47,2023-12-15T", "\nR47,2023-13-15T"); // month 13 near the end: in the last part
        var bytes = Encoding.UTF8.GetBytes(bad);
        var openers = ResponsesFileParts.Split(() => new MemoryStream(bytes), 2);
        Assert.Equal(2, openers.Count);
        Assert.Throws<ResponsesFileException>(() => Tabulate.SurveyInParts(Fixtures.Sc3,
            openers.Select(open => ResponsesCsv.Read(open(), Fixtures.Sc3)).ToArray()));
    }

    [Fact]
    public void OddNumberOfQuotes_IsNotSplit()
    {
        var bytes = Encoding.UTF8.GetBytes("id,q2_2\nR1,\"abc\nR2,x\nR3,y\nR4,z\n");
        Assert.Single(ResponsesFileParts.Split(() => new MemoryStream(bytes), 2));
    }

    private static string Csv(IEnumerable<Response> responses)
    {
        using var ms = new MemoryStream();
        ResponsesCsv.Write(ms, Fixtures.Sc3, responses);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}

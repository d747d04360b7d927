using System.Text;
using CsCheck;
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
        }, iter: 30);
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

using System.Text;
using CsCheck;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;

namespace Shirabe.Core.Tests;

/// <summary>Free-text listings held as UTF-8 and spilled to temporary files (decision 058) read back exactly.</summary>
public class TextListingTests
{
    private static readonly string[] Texts =
        ["検討中", "一行目\n二行目", "引用符\"と,カンマ", "𠮷野家", "", "a", new string('長', 70_000), "NA"];

    private static List<Response> Responses(int seed, int count) =>
        SyntheticResponses.Generate(Fixtures.Sc3, new Random(seed), count, new SyntheticOptions
        {
            Text = 0.7,
            Drafts = 0.05,
            TextOf = r => Texts[r.Next(Texts.Length)] + r.Next(1000),
        }).ToList();

    [Fact]
    public void ASmallSpillThreshold_GivesTheSameJson_AsInMemory()
    {
        Gen.Select(Gen.Int, Gen.Int[0, 60], Gen.Long[0, 300_000]).Sample(t =>
        {
            var (seed, count, budget) = t;
            var responses = Responses(seed, count);
            var inMemory = Tabulate.Survey(Fixtures.Sc3, responses, includePersonal: true);
            var spilled = Tabulate.Survey(Fixtures.Sc3, responses, includePersonal: true, textMemoryBytes: budget);
            var inParts = Tabulate.SurveyInParts(Fixtures.Sc3, [responses[..(count / 3)], responses[(count / 3)..]],
                includePersonal: true, textMemoryBytes: budget);
            var expected = TabulationJson.ToJson(inMemory);
            Assert.Equal(expected, TabulationJson.ToJson(spilled));
            Assert.Equal(expected, TabulationJson.ToJson(inParts));
            Assert.Equal(Text(inMemory), Text(spilled));
        }, iter: 25);
    }

    private static string Text(SurveyTabulation t)
    {
        var w = new StringWriter();
        TabulationText.Write(w, t);
        return w.ToString();
    }

    [Fact]
    public void ASpilledListing_ReadsAsAList_InResponseOrder()
    {
        var responses = Responses(7, 200);
        var item = Fixtures.Sc3.Items.First(i => i.Kind == ItemKind.Text && !i.Personal);
        var expected = responses.Where(r => r.IsSubmitted && r.Answers[item.Index].State == AnswerState.Given)
            .Select(r => new TextAnswer(r.Id, r.Answers[item.Index].Text!)).ToList();
        Assert.NotEmpty(expected);
        foreach (var budget in new long[] { 0, 1 << 16, TextListing.DefaultMemoryBytes })
        {
            var listing = (TextListing)((TextTable)Tabulate.Survey(Fixtures.Sc3, responses, textMemoryBytes: budget)[item.Code]).Answers;
            Assert.Equal(expected.Count, listing.Count);
            Assert.Equal(expected, listing.ToList());
            Assert.Equal(expected[^1], listing[expected.Count - 1]);
            Assert.Equal(expected[0], listing[0]);
            var utf8 = new List<TextAnswer>();
            listing.ForEachUtf8((id, text) => utf8.Add(new(Encoding.UTF8.GetString(id), Encoding.UTF8.GetString(text))));
            Assert.Equal(expected, utf8);
        }
    }
}

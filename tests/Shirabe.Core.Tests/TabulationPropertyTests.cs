using System.Text;
using CsCheck;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;

namespace Shirabe.Core.Tests;

/// <summary>Invariants of tabulation and of the responses file over random rule-consistent responses to the SC3 survey.</summary>
public class TabulationPropertyTests
{
    private static Survey Survey => Fixtures.Sc3;

    /// <summary>A seed and a size: the responses are generated from them (deterministic, so a failure reproduces).</summary>
    private static readonly Gen<(int Seed, int Count)> Sizes = Gen.Select(Gen.Int, Gen.Int[0, 80]);

    private static List<Response> Responses((int Seed, int Count) s, SyntheticOptions? options = null) =>
        SyntheticResponses.Generate(Survey, new Random(s.Seed), s.Count,
            options ?? new SyntheticOptions { Drafts = 0.1, NoAnswer = 0.15, NotAsked = 0.05, Text = 0.3 }).ToList();

    private static IEnumerable<ChoiceTable> ChoiceTables(SurveyTabulation t) => t.Items.OfType<ChoiceTable>();

    [Fact]
    public void CountsAndNoAnswer_AddUpToTheBase_ForEverySingleAndMatrixItem()
    {
        Sizes.Sample(s =>
        {
            var responses = Responses(s);
            var t = Tabulate.Survey(Survey, responses);
            Assert.Equal(responses.Count(r => r.IsSubmitted), t.Respondents);
            Assert.Equal(responses.Count(r => !r.IsSubmitted), t.Drafts);
            foreach (var table in ChoiceTables(t).Where(x => x.Item.Kind != ItemKind.Multiple))
                Assert.Equal(table.N, table.Options.Sum(o => o.Count) + table.NoAnswer.Count);
            foreach (var table in t.Items)
                Assert.Equal(responses.Count(r => r.IsSubmitted && r.Answers[table.Item.Index].State != AnswerState.NotAsked), table.N);
        }, iter: 200);
    }

    [Fact]
    public void Percents_SumTo100_WithinRounding()
    {
        Sizes.Sample(s =>
        {
            var t = Tabulate.Survey(Survey, Responses(s));
            foreach (var table in ChoiceTables(t).Where(x => x.Item.Kind != ItemKind.Multiple && x.N > 0))
            {
                var rows = table.Options.Count + 1;
                var sum = table.Options.Sum(o => o.Percent) + table.NoAnswer.Percent;
                Assert.True(Math.Abs(sum - 100m) <= 0.05m * rows, $"{table.Item.Code}: {sum}");
            }
            foreach (var table in ChoiceTables(t).Where(x => x.Item.Kind == ItemKind.Multiple && x.Mentions > 0))
            {
                var sum = table.Options.Sum(o => o.PercentOfMentions!.Value);
                Assert.True(Math.Abs(sum - 100m) <= 0.05m * table.Options.Count, $"{table.Item.Code}: {sum}");
            }
        }, iter: 200);
    }

    [Fact]
    public void Mentions_AreTheSumOfOptionCounts()
    {
        Sizes.Sample(s =>
        {
            var responses = Responses(s);
            var t = Tabulate.Survey(Survey, responses);
            foreach (var table in ChoiceTables(t).Where(x => x.Item.Kind == ItemKind.Multiple))
            {
                Assert.Equal(table.Options.Sum(o => o.Count), table.Mentions);
                var expected = responses.Where(r => r.IsSubmitted)
                    .Sum(r => (long)System.Numerics.BitOperations.PopCount(r.Answers[table.Item.Index].Choices));
                Assert.Equal(expected, table.Mentions);
            }
        }, iter: 100);
    }

    /// <summary>The 1-6 segments (every industry, and 無回答) partition the whole: their counts add up to the unsegmented ones.</summary>
    [Fact]
    public void IndustrySegments_PartitionTheWhole()
    {
        var industry = Survey["1-6"];
        var segments = industry.Options.Select(o => new SegmentFilter(industry, [o.Code]))
            .Append(new SegmentFilter(industry, [], noAnswer: true))
            .Select(f => Segment.Of(f)).ToArray();
        Sizes.Sample(s =>
        {
            // 1-6 is always asked (never NA): then the segments cover every respondent.
            var responses = Responses(s, new SyntheticOptions { Drafts = 0.1, NoAnswer = 0.15, NotAsked = 0, Text = 0.3 });
            var whole = Tabulate.Survey(Survey, responses);
            var parts = segments.Select(g => Tabulate.Survey(Survey, responses, g)).ToArray();
            Assert.Equal(whole.Respondents, parts.Sum(p => p.Respondents));
            foreach (var table in whole.Items)
            {
                Assert.Equal(table.N, parts.Sum(p => p[table.Item.Code].N));
                if (table is ChoiceTable c)
                {
                    Assert.Equal(c.NoAnswer.Count, parts.Sum(p => p.Choice(c.Item.Code).NoAnswer.Count));
                    foreach (var row in c.Options)
                        Assert.Equal(row.Count, parts.Sum(p => p.Choice(c.Item.Code)[row.Option.Code].Count));
                }
                if (table is TextTable text)
                    Assert.Equal(text.Answers.Count, parts.Sum(p => p.Text(text.Item.Code).Answers.Count));
            }
        }, iter: 50);
    }

    [Fact]
    public void CrossTable_CellsAddUpToMarginsAndBase()
    {
        Sizes.Sample(s =>
        {
            var responses = Responses(s);
            var x = Tabulate.Cross(Survey["4-3-a"], Survey["4-4-a"], responses);
            Assert.Equal(x.N, x.Cells.Sum(c => c.Count));
            foreach (var r in x.RowTotals)
                Assert.Equal(r.Count, x.Cells.Where(c => c.Row == r.Code).Sum(c => c.Count));
            foreach (var col in x.ColumnTotals)
                Assert.Equal(col.Count, x.Cells.Where(c => c.Column == col.Code).Sum(c => c.Count));
            // The row margins are the 4-3-a table over the respondents also asked 4-4-a.
            var askedBoth = responses.Where(r => r.Answers[Survey["4-4-a"].Index].State != AnswerState.NotAsked);
            var single = (ChoiceTable)Tabulate.Item(Survey["4-3-a"], askedBoth);
            Assert.Equal(single.Options.Select(o => o.Count).Append(single.NoAnswer.Count), x.RowTotals.Select(t => t.Count));
        }, iter: 100);
    }

    private static readonly string[] Nasty =
        [",", "\"", "\"\"", "\n", "\r\n", "\r", "NA", "=SUM(A1:A9)", "+81", "-1", "@here", "日本語、テキスト", " ", "a", "；", "\t", "1;2"];

    private static readonly Gen<string> NastyText =
        Gen.Int[0, Nasty.Length - 1].Array[1, 5].Select(ix => string.Concat(ix.Select(i => Nasty[i])));

    /// <summary>Writing random responses, reading them back and writing again gives the same bytes.</summary>
    [Fact]
    public void Csv_WriteReadWrite_IsIdentity()
    {
        Gen.Select(Sizes, NastyText.Array[1, 20]).Sample(t =>
        {
            var (s, texts) = t;
            var responses = Responses(s, new SyntheticOptions
            {
                Drafts = 0.2, NoAnswer = 0.2, NotAsked = 0.1, Text = 0.5, TextOf = r => texts[r.Next(texts.Length)],
            });
            var first = Write(responses);
            var read = ResponsesCsv.Read(new MemoryStream(first), Survey).ToList();
            var second = Write(read);
            Assert.Equal(Encoding.UTF8.GetString(first), Encoding.UTF8.GetString(second));
            Assert.Equal(responses.Count, read.Count);
        }, iter: 100);

        static byte[] Write(IEnumerable<Response> responses)
        {
            using var ms = new MemoryStream();
            ResponsesCsv.Write(ms, Survey, responses);
            return ms.ToArray();
        }
    }
}

using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>The drafted paragraphs, against the sentences the 2023 report prints (with its numbers, not its slips).</summary>
public class ReportNarrativeTests
{
    private static ReportDocument Sc3() => ReportFixtures.Run().Build();

    private static string Narrative(ReportDocument doc, string key) =>
        doc.Blocks.OfType<NarrativeBlock>().Single(n => n.Key == key).View.Text;

    [Fact]
    public void SingleChoice_NamesTheTopThreeInOrder()
    {
        Assert.Equal("回答者の会員数（正会員以外の会員も含む）は、「100社～500社未満」（50.0％）が最も多く、以下「10社～50社未満」（25.0％）、"
                     + "「50社～100社未満」（16.7％）の順となっている。", Narrative(Sc3(), "1-3"));
    }

    [Fact]
    public void Industries_MatchTheReportsRanking()
    {
        var text = Narrative(Sc3(), "1-6");
        Assert.Contains("「製造業」（52.1％）が最も多く、以下「その他」（16.7％）、「卸売業，小売業」（8.3％）の順", text);
    }

    [Fact]
    public void MultipleChoiceOnMentions_UsesShareOfMentions()
    {
        var doc = Sc3();
        Assert.Contains("「会員企業のセキュリティの実態が把握できていない」（23.4％）が最も多く", Narrative(doc, "2-9-a"));
        Assert.Contains("「会員企業における共通のセキュリティ課題が明確にできていない」（20.4％）", Narrative(doc, "2-9-a"));
        Assert.Contains("「経済産業省の HP」（56.7％）が最も多く、以下「その他」（23.3％）", Narrative(doc, "3-2-a"));
    }

    [Fact]
    public void Matrix_SaysWhatMostHaveDoneAndWhatMostHaveNot()
    {
        var text = Narrative(Sc3(), "2-1-a+2-1-b+2-1-c+2-1-d+2-1-e");
        Assert.Contains("「実施済み」と回答した項目としては「国や関係機関等組織からの脅威・インシデント情報等の会員への提供」（45.8％）が最も多く", text);
        // 95.8 = (22 + 24) / 48 rounded once, not 45.8 + 50.0.
        Assert.Contains("「一部実施」（50.0％）を含めると 95.8％", text);
        Assert.Contains("「未実施」と回答した項目としては「会員間の情報共有の仕組みの構築・運営」（52.1％）が最も多い", text);
    }

    [Fact]
    public void Matrix_OnTheCreationScale_UsesItsOwnWords()
    {
        var text = Narrative(Sc3(), "2-11-a+2-11-b+2-11-c+2-11-d+2-11-e");
        Assert.Contains("「作成・公表済」と回答した項目としては「組織」（18.8％）が最も多く", text);
    }

    [Fact]
    public void FreeText_LeadIn()
    {
        Assert.Equal("(設問 2-1)の脅威・インシデント等の情報共有に関する具体的な取り組み内容について、自由記述で得られた主な回答内容を以下に示す。",
            Narrative(Sc3(), "2-2"));
    }
}

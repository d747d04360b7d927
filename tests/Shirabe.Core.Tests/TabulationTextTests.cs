using Shirabe.Core.Tabulation;

namespace Shirabe.Core.Tests;

public class TabulationTextTests
{
    private static string Text(Segment? segment = null) =>
        Render(Tabulate.Survey(Fixtures.Sc3, Fixtures.Sc3Responses(), segment, (Fixtures.Sc3["4-3-a"], Fixtures.Sc3["4-4-a"])));

    private static string Render(SurveyTabulation t)
    {
        var w = new StringWriter { NewLine = "\n" };
        TabulationText.Write(w, t);
        return w.ToString();
    }

    [Fact]
    public void Text_ShowsTable2_2_InTheReportsLayout()
    {
        Assert.Contains("""
            ■ 1-3 貴団体・協会の会員数をお選びください。（単数回答） n=48
                                  件数       %
              10社未満               1    2.1%
              10社～50社未満        12   25.0%
              50社～100社未満        8   16.7%
              100社～500社未満      24   50.0%
              500社～1,000社未満     0    0.0%
              1000社以上             2    4.2%
              無回答                 1    2.1%
              総計                  48  100.0%
            """, Text());
    }

    [Fact]
    public void Text_ShowsBasesMentionsSegmentAndCross()
    {
        var text = Text(Segment.Of(SegmentFilter.Parse(Fixtures.Sc3, "1-6=5")));
        Assert.Contains("絞り込み: 1-6 = 5 製造業", text);
        Assert.Contains("集計対象 25 件（提出済み）", text);
        var all = Text();
        Assert.Contains("■ 2-5-g その他（マトリクス） n=45", all);
        Assert.Contains("  延べ回答数", all);
        Assert.Contains("■ クロス集計 4-3-a（行）× 4-4-a（列） n=48", all);
        Assert.DoesNotContain(" \n", all); // no trailing spaces
    }
}

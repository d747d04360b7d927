using Shirabe.Core.Reports;

namespace Shirabe.Tests;

public class ReportDefinitionTests
{
    [Fact]
    public void Sc3Layout_Has35NumberedTablesAnd16Figures()
    {
        var def = ReportFixtures.Definition(ReportFixtures.Survey());
        Assert.Equal(35, def.Tables.Count(t => t.IsNumbered));
        Assert.Equal(16, def.Parts.Count(p => p.Figure is not null));
        Assert.Equal(2, def.Chapter);
        Assert.Equal(57, def.Invitations);
    }

    [Fact]
    public void UnknownItem_IsReportedWithItsPart()
    {
        var yaml = """
            survey: sc3-2023
            title: t
            parts:
              - heading: x
                table: { kind: choice, item: 9-9, caption: c }
            """;
        var e = Assert.Throws<ReportDefinitionException>(() => ReportDefinitionLoader.Load(yaml, ReportFixtures.Survey()));
        Assert.Contains(e.Problems, p => p.Contains("設問 9-9 は調査票にありません"));
    }

    [Fact]
    public void ChoiceTableOnAMatrixRow_IsRejected()
    {
        var yaml = """
            survey: sc3-2023
            title: t
            parts:
              - table: { kind: choice, item: 2-1-a, caption: c }
            """;
        var e = Assert.Throws<ReportDefinitionException>(() => ReportDefinitionLoader.Load(yaml, ReportFixtures.Survey()));
        Assert.Contains(e.Problems, p => p.Contains("choice の表には単一回答か複数回答"));
    }

    [Fact]
    public void UnknownKey_IsRejected()
    {
        var yaml = """
            survey: sc3-2023
            title: t
            parts:
              - heading: x
                colour: red
            """;
        var e = Assert.Throws<ReportDefinitionException>(() => ReportDefinitionLoader.Load(yaml, ReportFixtures.Survey()));
        Assert.Contains("知らない項目名", e.Message);
    }

    [Fact]
    public void ReportForAnotherSurvey_IsRejected()
    {
        var yaml = "survey: other\ntitle: t\nparts:\n  - heading: x\n";
        var e = Assert.Throws<ReportDefinitionException>(() => ReportDefinitionLoader.Load(yaml, ReportFixtures.Survey()));
        Assert.Contains("other", e.Message);
    }
}

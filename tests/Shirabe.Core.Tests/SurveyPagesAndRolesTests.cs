using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Tests;

/// <summary>`pageBreak` on a question and `role` on an item (docs/survey-format.md).</summary>
public class SurveyPagesAndRolesTests
{
    private const string Yaml = """
        id: demo
        title: デモ
        period: { opens: 2024-01-01, closes: 2024-01-31, timeZone: Asia/Tokyo }
        sections:
          - id: "1"
            title: 基本
            questions:
              - code: 1-1
                prompt: 所属
                items:
                  - { code: 1-1-a, kind: text, label: 団体名, role: organisation }
                  - { code: 1-1-b, kind: text, label: 役職 }
              - { code: 1-2, prompt: 一, kind: single, options: [はい, いいえ] }
              - { code: 1-3, prompt: 二, kind: text, pageBreak: true }
              - { code: 1-4, prompt: 三, kind: text }
              - { code: 1-5, prompt: 四, kind: text, pageBreak: true }
          - id: "2"
            title: 続き
            questions:
              - { code: 2-1, prompt: 五, kind: text, pageBreak: true }
        """;

    [Fact]
    public void PageBreaks_SplitASectionIntoPages_AndItStaysOneSection()
    {
        var s = SurveyLoader.Load(Yaml, "demo.yaml");
        Assert.Equal(["1", "2"], s.Sections.Select(x => x.Id));
        Assert.Equal([["1-1", "1-2"], ["1-3", "1-4"], ["1-5"]], s.Sections[0].Pages.Select(p => p.Select(q => q.Code).ToArray()).ToArray());
        Assert.Single(s.Sections[1].Pages); // a break on a section's first question adds no empty page
        Assert.Equal("1", s["1-5"].SectionId);
    }

    [Fact]
    public void TheOrganisationRole_IsReadFromTheItem()
    {
        var s = SurveyLoader.Load(Yaml, "demo.yaml");
        Assert.Equal(ItemRole.Organisation, s["1-1-a"].Role);
        Assert.Equal(ItemRole.None, s["1-1-b"].Role);
        Assert.Equal(ItemRole.Organisation, Fixtures.Sc3["1-2-a"].Role);
        Assert.Equal(3, Fixtures.Sc3.Sections[1].Pages.Count);
    }

    [Fact]
    public void AnUnknownRole_IsReportedWithItsLine()
    {
        var e = Assert.Throws<SurveyDefinitionException>(() =>
            SurveyLoader.Load(Yaml.Replace("role: organisation", "role: company"), "demo.yaml"));
        var p = Assert.Single(e.Problems);
        Assert.Equal(11, p.Line);
        Assert.Contains("role「company」は使えません", p.Message);
    }
}

using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Tests;

public class SurveyLoaderTests
{
    [Fact]
    public void Sc3Survey_HasEveryItemOfTheQuestionnaire()
    {
        var s = Fixtures.Sc3;
        Assert.Equal("sc3-2023", s.Id);
        Assert.Equal(["1", "2", "3", "4"], s.Sections.Select(x => x.Id));
        Assert.Equal(67, s.Items.Sum(i => i.Columns.Count()));
        Assert.Equal(17, s["1-6"].Options.Count);
        Assert.Equal(["未実施", "一部実施", "実施済み"], s["2-5-g"].Options.Select(o => o.Label));
        Assert.Equal(["未作成", "作成中", "作成・公表済"], s["2-11-c"].Options.Select(o => o.Label));
        Assert.True(s["2-9-a"].FindOption(6)!.Exclusive);
        Assert.Equal(ItemKind.Split, s["1-4"].Kind);
        Assert.Equal(["q1_4_a", "q1_4_b", "q1_4_c"], s["1-4"].Columns);
        Assert.Equal("その他", s["4-3-a"].FindOption(3)!.Label);
    }

    [Theory]
    [InlineData("3-2-a", "3-1", 1, true)]
    [InlineData("3-2-a", "3-1", 3, false)]
    [InlineData("4-1-b", "4-1-a", 2, true)]
    [InlineData("4-1-b", "4-1-a", 1, false)]
    [InlineData("4-1-c", "4-1-a", 3, true)]
    [InlineData("4-4-c", "4-4-a", 3, true)]
    [InlineData("2-12", "2-11-d", 2, true)]
    [InlineData("2-14", "2-11-e", 3, true)]
    [InlineData("2-13-a", "2-11-a", 1, false)]
    public void SkipRules_ShowItemOnlyWhenConditionHolds(string item, string on, int code, bool shown)
    {
        var s = Fixtures.Sc3;
        var answers = Enumerable.Repeat(Answer.NoAnswer, s.Items.Count).ToArray();
        answers[s[on].Index] = Answer.Single(code);
        Assert.Equal(shown, s.Shown(answers)[s[item].Index]);
    }

    [Fact]
    public void SkipRules_ChainThroughMultipleChoice()
    {
        var s = Fixtures.Sc3;
        var answers = Enumerable.Repeat(Answer.NoAnswer, s.Items.Count).ToArray();
        answers[s["2-11-b"].Index] = Answer.Single(3);
        answers[s["2-13-a"].Index] = Answer.Multiple([5, 9]);
        Assert.True(s.Shown(answers)[s["2-13-b"].Index]);
        answers[s["2-11-b"].Index] = Answer.Single(1); // 2-13-a hidden, so its その他 detail is too
        Assert.False(s.Shown(answers)[s["2-13-b"].Index]);
    }

    [Fact]
    public void SplitValidation_SaysWhatToFix()
    {
        var item = Fixtures.Sc3["1-5"];
        Assert.Null(item.Validate(Answer.Split([60, 30, 10])));
        Assert.Equal("合計が 90% です。合計が 100% になるように入力してください。", item.Validate(Answer.Split([60, 30, 0])));
        Assert.Contains("すべて入力", item.Validate(Answer.Split([60, null, 40])));
    }

    [Fact]
    public void BrokenDefinition_ListsEveryProblemWithLine()
    {
        const string yaml = """
            id: demo
            title: テスト
            period: { opens: 2024-01-01, closes: 2023-12-01, timeZone: Asia/Tokyo }
            scales:
              yesno: [はい, いいえ]
            sections:
              - id: "1"
                title: 基本
                questions:
                  - { code: Q1, prompt: 好きな色, kind: colour }
                  - code: Q2
                    prompt: 質問
                    kind: single
                  - code: Q3
                    prompt: 質問
                    items:
                      - { code: Q3-a, label: 行, scale: nosuch }
                      - { code: Q3-b, kind: text, label: 詳細, showIf: { item: Q9, anyOf: [1] } }
                      - { code: Q3-b, kind: text, label: 重複, colour: red }
            """;
        var e = Assert.Throws<SurveyDefinitionException>(() => SurveyLoader.Load(yaml, "demo.yaml"));
        var lines = e.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("demo.yaml:3:") && l.Contains("closes が opens より前"));
        Assert.Contains(lines, l => l.StartsWith("demo.yaml:10:") && l.Contains("colour"));
        Assert.Contains(lines, l => l.StartsWith("demo.yaml:11:") && l.Contains("options がありません"));
        Assert.Contains(lines, l => l.StartsWith("demo.yaml:17:") && l.Contains("nosuch"));
        Assert.Contains(lines, l => l.StartsWith("demo.yaml:18:") && l.Contains("Q9"));
        Assert.Contains(lines, l => l.StartsWith("demo.yaml:19:") && l.Contains("重複"));
        Assert.Contains(lines, l => l.StartsWith("demo.yaml:19:") && l.Contains("不明なキー「colour」"));
    }

    [Fact]
    public void YamlSyntaxError_NamesTheLine()
    {
        var e = Assert.Throws<SurveyDefinitionException>(() => SurveyLoader.Load("id: x\ntitle: [unclosed\n", "bad.yaml"));
        Assert.StartsWith("bad.yaml:", Assert.Single(e.Problems).ToString());
    }

    [Fact]
    public void SurveyPeriod_IsInclusiveOfTheCloseDayInTokyo()
    {
        var p = Fixtures.Sc3.Period;
        Assert.Equal(new DateTimeOffset(2023, 10, 18, 15, 0, 0, TimeSpan.Zero), p.OpensAt);
        Assert.Equal(SurveyPhase.NotYetOpen, p.PhaseAt(new DateTimeOffset(2023, 10, 18, 23, 59, 0, TimeSpan.FromHours(9))));
        Assert.Equal(SurveyPhase.Open, p.PhaseAt(new DateTimeOffset(2023, 12, 15, 23, 59, 0, TimeSpan.FromHours(9))));
        Assert.Equal(SurveyPhase.Closed, p.PhaseAt(new DateTimeOffset(2023, 12, 16, 0, 0, 0, TimeSpan.FromHours(9))));
    }
}

using Shirabe.Core.Questionnaire;
using Shirabe.Respond;

namespace Shirabe.Tests;

/// <summary>How a skip rule shows on a page when its condition is on an earlier page, this one, or both.</summary>
public class SkipRuleOnPageTests
{
    private static readonly Option[] YesNo = [new(1, "はい"), new(2, "いいえ")];
    private static readonly Item Earlier = new() { Code = "1-1", Kind = ItemKind.Single, Label = "前", Options = YesNo };
    private static readonly Item Here = new() { Code = "2-1", Kind = ItemKind.Single, Label = "今", Options = YesNo };
    private static readonly Item OnlyEarlier = new() { Code = "2-2", Kind = ItemKind.Text, Label = "前だけ", ShowIf = new([Earlier], [2]) };
    private static readonly Item Both = new() { Code = "2-3", Kind = ItemKind.Text, Label = "両方", ShowIf = new([Earlier, Here], [1]) };
    private static readonly Survey Survey = new("p", "ページ", new SurveyPeriod(new(2023, 10, 1), new(2023, 10, 31), TimeZoneInfo.Utc), null, [],
    [
        new Section("1", "一", [new Question("1-1", "前", null, [Earlier])]),
        new Section("2", "二", [new Question("2-1", "今", null, [Here]), new Question("2-2", "前だけ", null, [OnlyEarlier]), new Question("2-3", "両方", null, [Both])]),
    ]);

    private static (bool Render, string? Items, string? Codes, bool MetBefore) On2(Item item, Answer earlier)
    {
        Answer[] saved = [earlier, Answer.NoAnswer, Answer.NoAnswer, Answer.NoAnswer];
        return FormPages.Of(Survey)[1].Visibility(item, saved, Survey.Shown(saved));
    }

    [Fact]
    public void ARuleOnAnEarlierPage_IsRenderedOnlyWhenMetThere()
    {
        Assert.Equal((true, null, null, true), On2(OnlyEarlier, Answer.Single(2)));
        Assert.Equal((false, null, null, false), On2(OnlyEarlier, Answer.Single(1)));
        Assert.Equal((false, null, null, false), On2(OnlyEarlier, Answer.NoAnswer));
    }

    [Fact]
    public void ARuleOnThisPage_IsRenderedForTheScript_SayingWhetherAnEarlierPageMetItAlready()
    {
        Assert.Equal((true, "q2_1", "1", true), On2(Both, Answer.Single(1)));
        Assert.Equal((true, "q2_1", "1", false), On2(Both, Answer.Single(2)));
        Assert.Equal((true, null, null, false), On2(Here, Answer.Single(1))); // no rule
    }
}

using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;

namespace Shirabe.Core.Tests;

/// <summary>A survey built in code, not by the loader: what the model itself guarantees.</summary>
public class HandBuiltSurveyTests
{
    private static Survey Build()
    {
        Option[] yesNo = [new(1, "はい"), new(2, "いいえ")];
        var employer = new Item { Code = "1-1", Kind = ItemKind.Single, Label = "雇用", Options = yesNo };
        var tools = new Item
        {
            Code = "1-2", Kind = ItemKind.Multiple, Label = "道具",
            Options = [new(1, "紙"), new(2, "表計算"), new(3, "専用ソフト")],
        };
        var why = new Item { Code = "2-1", Kind = ItemKind.Text, Label = "理由", ShowIf = new Condition([employer], [2]) };
        var which = new Item { Code = "2-2", Kind = ItemKind.Text, Label = "製品名", ShowIf = new Condition([tools], [3]) };
        return new Survey("hand", "手作り", new SurveyPeriod(new(2023, 10, 1), new(2023, 10, 31), TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")),
            null, [],
            [
                new Section("1", "基本", [new Question("1-1", "雇用", null, [employer]), new Question("1-2", "道具", null, [tools])]),
                new Section("2", "詳細", [new Question("2-1", "理由", null, [why]), new Question("2-2", "製品", null, [which])]),
            ]);
    }

    [Fact]
    public void TheConstructor_GivesEachItemItsPositionQuestionAndSection()
    {
        var s = Build();

        Assert.Equal([0, 1, 2, 3], s.Items.Select(i => i.Index));
        Assert.Equal(["1-1", "1-2", "2-1", "2-2"], s.Items.Select(i => i.QuestionCode));
        Assert.Equal(["1", "1", "2", "2"], s.Items.Select(i => i.SectionId));
        Assert.Equal(3, s["2-2"].Index);
    }

    [Fact]
    public void SkipRules_OfAHandBuiltSurvey_LookAtTheirOwnItems()
    {
        var s = Build();

        Assert.Equal([true, true, true, false], s.Shown([Answer.Single(2), Answer.Multiple([1, 2]), Answer.NoAnswer, Answer.NoAnswer]));
        Assert.Equal([true, true, false, true], s.Shown([Answer.Single(1), Answer.Multiple([1, 3]), Answer.NoAnswer, Answer.NoAnswer]));
        Assert.Equal([true, true, false, false], s.Shown([Answer.NoAnswer, Answer.NotAsked, Answer.NoAnswer, Answer.NoAnswer]));
    }

    [Fact]
    public void ASegmentOnAMultipleItem_MatchesAnyChosenCode_AndNoAnswerOnlyWhenAsked()
    {
        var s = Build();
        Response R(Answer tools) => new("R1", null, [Answer.Single(1), tools, Answer.NotAsked, Answer.NoAnswer]);

        Assert.True(new SegmentFilter(s["1-2"], [3]).Matches(R(Answer.Multiple([1, 3]))));
        Assert.True(new SegmentFilter(s["1-2"], [2, 3]).Matches(R(Answer.Multiple([3]))));
        Assert.False(new SegmentFilter(s["1-2"], [2]).Matches(R(Answer.Multiple([1, 3]))));
        Assert.False(new SegmentFilter(s["1-2"], [2], noAnswer: true).Matches(R(Answer.NotAsked)));
        Assert.True(new SegmentFilter(s["1-2"], [2], noAnswer: true).Matches(R(Answer.NoAnswer)));
    }

    [Fact]
    public void AStoredUtcTime_IsShownInTheSurveysTimeZone_WhateverItsKind()
    {
        var period = Build().Period;

        foreach (var kind in new[] { DateTimeKind.Utc, DateTimeKind.Unspecified }) // PostgreSQL, SQLite
        {
            var local = period.ToLocal(new DateTime(2023, 10, 20, 5, 3, 0, kind));
            Assert.Equal(new DateTime(2023, 10, 20, 14, 3, 0), local.DateTime);
            Assert.Equal(TimeSpan.FromHours(9), local.Offset);
        }
    }
}

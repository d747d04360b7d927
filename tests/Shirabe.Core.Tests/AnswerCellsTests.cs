using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tests;

public class AnswerCellsTests
{
    [Fact]
    public void EveryReconstructedAnswer_RoundTripsThroughItsCells()
    {
        foreach (var response in Fixtures.Sc3Responses())
            foreach (var item in Fixtures.Sc3.Items)
            {
                var answer = response.Answers[item.Index];
                var cells = AnswerCells.ToCells(item, answer).Select(kv => kv.Value).ToList();
                var back = AnswerCells.Parse(item, cells, out var error);
                Assert.Null(error);
                Assert.Equal(cells, AnswerCells.ToCells(item, back!.Value).Select(kv => kv.Value).ToList());
            }
    }

    [Theory]
    [InlineData("1-3", "7", "選択肢 7 はありません（1、2、3、4、5、6 から選んでください）")]
    [InlineData("1-3", "x", "選択肢「x」はありません")]
    [InlineData("2-9-a", "1;6", "「特に無し」は他の選択肢と一緒には選べません。")]
    [InlineData("2-9-a", "1;x", "選択肢「x」はありません")]
    public void AValueThatIsNotAnOption_IsRefusedWithAMessage(string code, string cell, string message)
    {
        var item = Fixtures.Sc3[code];

        Assert.Null(AnswerCells.Parse(item, [cell], out var error));
        Assert.StartsWith(message.TrimEnd('。'), error);
    }

    [Theory]
    [InlineData("50", "30", "10", "合計が 90% です。")]
    [InlineData("50", "", "50", "大企業、中小企業、その他の割合をすべて入力してください")]
    [InlineData("150", "0", "0", "割合は 0 から 100 までの数で入力してください。")]
    [InlineData("a", "0", "0", "「大企業」には 0 から 100 までの数字を入力してください")]
    public void ASplitThatDoesNotAddUp_IsRefusedWithAMessage(string a, string b, string c, string message)
    {
        Assert.Null(AnswerCells.Parse(Fixtures.Sc3["1-4"], [a, b, c], out var error));
        Assert.StartsWith(message, error);
    }

    [Fact]
    public void BlankAndNaCells_AreNoAnswerAndNotAsked()
    {
        Assert.Equal(AnswerState.NoAnswer, AnswerCells.Parse(Fixtures.Sc3["1-3"], [""], out _)!.Value.State);
        Assert.Equal(AnswerState.NotAsked, AnswerCells.Parse(Fixtures.Sc3["1-3"], ["NA"], out _)!.Value.State);
        Assert.Equal(AnswerState.NotAsked, AnswerCells.Parse(Fixtures.Sc3["1-4"], ["NA", "NA", "NA"], out _)!.Value.State);
        Assert.Equal("NA", AnswerCells.Parse(Fixtures.Sc3["2-2"], ["NA"], out _)!.Value.Text); // text is text
    }
}

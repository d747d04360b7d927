using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Core.Tests;

/// <summary>`input`, `maxLength` and the roles contact and category (docs/survey-format.md): data, checked on load.</summary>
public class TextInputAndRolesTests
{
    private const string Yaml = """
        id: demo
        title: デモ
        period: { opens: 2024-01-01, closes: 2024-01-31, timeZone: Asia/Tokyo }
        sections:
          - id: "1"
            title: 基本
            questions:
              - code: Q1
                prompt: 会社
                items:
                  - { code: Q1a, kind: text, input: line, label: 会社名, role: organisation }
                  - { code: Q1b, kind: text, input: line, maxLength: 20, label: 担当者, role: contact }
                  - { code: Q1c, kind: text, label: 詳細 }
              - { code: Q2, prompt: 区分, kind: single, options: [甲, 乙], role: category }
              - { code: Q3, prompt: 自由記述, kind: text, maxLength: 10 }
        """;

    [Fact]
    public void TextItems_TakeTheirBoxAndLengthFromTheFile_WithDefaults()
    {
        var s = SurveyLoader.Load(Yaml);
        Assert.Equal((TextInput.Line, 200), (s["Q1a"].Input, s["Q1a"].MaxLength));
        Assert.Equal((TextInput.Line, 20), (s["Q1b"].Input, s["Q1b"].MaxLength));
        Assert.Equal((TextInput.Area, 4000), (s["Q1c"].Input, s["Q1c"].MaxLength)); // a label ending in 詳細 means nothing
        Assert.Equal(s["Q1a"], s.ItemWith(ItemRole.Organisation));
        Assert.Equal(s["Q1b"], s.ItemWith(ItemRole.Contact));
        Assert.Equal(s["Q2"], s.ItemWith(ItemRole.Category));
        Assert.Equal(Fixtures.Sc3["1-1-a"], Fixtures.Sc3.ItemWith(ItemRole.Contact));
        Assert.Equal(Fixtures.Sc3["1-6"], Fixtures.Sc3.ItemWith(ItemRole.Category));
    }

    [Fact]
    public void AnswersLongerThanMaxLength_AreRefusedWithAJapaneseMessage()
    {
        var q3 = SurveyLoader.Load(Yaml)["Q3"];
        Assert.NotNull(AnswerCells.Parse(q3, ["0123456789"], out var none));
        Assert.Null(none);
        Assert.Null(AnswerCells.Parse(q3, ["0123456789A"], out var error));
        Assert.Equal("11 文字入力されています。10 文字以内で入力してください。", error);
    }

    [Theory]
    [InlineData("role: category }", "role: contact }", "role: contact は text の設問にだけ付けられます")]
    [InlineData("role: contact }", "role: organisation }", "role: organisation はすでに設問 Q1a に付いています")]
    [InlineData("kind: single, options: [甲, 乙], role: category", "kind: single, options: [甲, 乙], role: category, input: line", "input は自由記述（text）の設問にだけ書けます")]
    [InlineData("maxLength: 10", "maxLength: 0", "maxLength は 1 から 4000 までの整数で書いてください")]
    [InlineData("maxLength: 10", "maxLength: 10, input: box", "input「box」は使えません")]
    public void MisusedRolesAndTextFields_AreReported(string from, string to, string message)
    {
        var e = Assert.Throws<SurveyDefinitionException>(() => SurveyLoader.Load(Yaml.Replace(from, to)));
        Assert.Contains(e.Problems, p => p.Message.Contains(message, StringComparison.Ordinal) && p.Line > 0);
    }
}

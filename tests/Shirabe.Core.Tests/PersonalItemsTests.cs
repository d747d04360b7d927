using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;

namespace Shirabe.Core.Tests;

/// <summary>`personal: true` items (docs/survey-format.md) are read, and left out of tabulations unless asked for.</summary>
public class PersonalItemsTests
{
    private const string Yaml = """
        id: p
        title: t
        period: { opens: 2023-10-19, closes: 2023-12-15, timeZone: Asia/Tokyo }
        sections:
          - id: "1"
            title: s
            questions:
              - code: "1"
                prompt: 回答者
                items:
                  - { code: 1-a, kind: text, label: 氏名, personal: true }
                  - { code: 1-b, kind: text, label: 団体名, personal: false }
                  - { code: 1-c, kind: text, label: 所感 }
              - { code: "2", prompt: 色, kind: single, options: [赤, 青] }
        """;

    [Fact]
    public void Personal_IsReadFromTheDefinition_AndOnlyTrueOrFalse()
    {
        var survey = SurveyLoader.Load(Yaml);
        Assert.Equal([true, false, false, false], survey.Items.Select(i => i.Personal));

        var e = Assert.Throws<SurveyDefinitionException>(() => SurveyLoader.Load(Yaml.Replace("personal: false", "personal: maybe"), "p.yaml"));
        Assert.Contains(e.Problems, p => p.Line == 12 && p.Message == "personal は true か false で書いてください。");
    }

    [Fact]
    public void Tabulation_LeavesOutPersonalItems_UnlessAskedFor()
    {
        var survey = SurveyLoader.Load(Yaml);
        var answers = new[] { Answer.FromText("山田 太郎"), Answer.FromText("協会"), Answer.FromText("良い"), Answer.NoAnswer };
        var responses = new[] { new Response("R1", DateTimeOffset.Parse("2023-11-01T10:00:00+09:00"), answers) };

        var plain = Tabulate.Survey(survey, responses);
        Assert.Equal(["1-b", "1-c", "2"], plain.Items.Select(t => t.Item.Code));
        Assert.DoesNotContain("山田", TabulationJson.ToJson(plain));
        Assert.Equal(["1-a", "1-b", "1-c", "2"], Tabulate.Survey(survey, responses, includePersonal: true).Items.Select(t => t.Item.Code));
        // Asking for a personal item's table (a report that lists names) says how to include it.
        Assert.Contains("--include-personal", Assert.Throws<UserError>(() => plain["1-a"]).Message);
        Assert.Throws<KeyNotFoundException>(() => plain["9-9"]);
        // Read in parts, the same.
        Assert.Equal(TabulationJson.ToJson(plain), TabulationJson.ToJson(Tabulate.SurveyInParts(survey, [responses[..0], responses])));
    }
}

using System.Text.Json;
using Shirabe.Core.Tabulation;

namespace Shirabe.Core.Tests;

/// <summary>The JSON contract of docs/tabulate-json.md, checked on the fixture as `shirabe tabulate --format json` writes it.</summary>
public class TabulationJsonTests
{
    private static string Json(Segment? segment = null, bool cross = false) => TabulationJson.ToJson(Tabulate.Survey(
        Fixtures.Sc3, Fixtures.Sc3Responses(), segment, cross ? (Fixtures.Sc3["4-3-a"], Fixtures.Sc3["4-4-a"]) : null));

    private static JsonElement Item(JsonElement root, string code) =>
        root.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("code").GetString() == code);

    [Fact]
    public void Json_TopLevel_HasSurveyRespondentsDraftsAndEveryItem()
    {
        using var doc = JsonDocument.Parse(Json());
        var root = doc.RootElement;
        Assert.Equal("sc3-2023", root.GetProperty("survey").GetString());
        Assert.Equal(48, root.GetProperty("respondents").GetInt64());
        Assert.Equal(0, root.GetProperty("drafts").GetInt64());
        // Every item but the personal ones (name, reading, job title), which are not survey results.
        Assert.Equal(Fixtures.Sc3.Items.Where(i => !i.Personal).Select(i => i.Code), root.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("code").GetString()));
        Assert.Equal(["1-1-a", "1-1-b", "1-2-b"], Fixtures.Sc3.Items.Where(i => i.Personal).Select(i => i.Code));
        Assert.False(root.TryGetProperty("where", out _));
        Assert.False(root.TryGetProperty("cross", out _));
    }

    [Fact]
    public void Json_SingleItem_HasStringCodesCountsPercentsAndNoAnswer()
    {
        using var doc = JsonDocument.Parse(Json());
        var item = Item(doc.RootElement, "1-3");
        Assert.Equal("single", item.GetProperty("kind").GetString());
        Assert.Equal(48, item.GetProperty("n").GetInt64());
        var first = item.GetProperty("options")[0];
        Assert.Equal("1", first.GetProperty("code").GetString());
        Assert.Equal("10社未満", first.GetProperty("label").GetString());
        Assert.Equal(1, first.GetProperty("count").GetInt64());
        Assert.Equal("2.1", first.GetProperty("percent").GetRawText());
        Assert.Equal("50.0", item.GetProperty("options")[3].GetProperty("percent").GetRawText());
        Assert.Equal("2.1", item.GetProperty("noAnswer").GetProperty("percent").GetRawText());
    }

    [Fact]
    public void Json_MultipleItem_HasMentionsAndPercentOfMentions()
    {
        using var doc = JsonDocument.Parse(Json());
        var item = Item(doc.RootElement, "2-9-a");
        Assert.Equal("multiple", item.GetProperty("kind").GetString());
        Assert.Equal(137, item.GetProperty("mentions").GetInt64());
        var first = item.GetProperty("options")[0];
        Assert.Equal(32, first.GetProperty("count").GetInt64());
        Assert.Equal("66.7", first.GetProperty("percent").GetRawText());
        Assert.Equal("23.4", first.GetProperty("percentOfMentions").GetRawText());
    }

    [Fact]
    public void Json_MatrixRow_HasScaleAndItsOwnBase()
    {
        using var doc = JsonDocument.Parse(Json());
        var item = Item(doc.RootElement, "2-5-g");
        Assert.Equal("matrix", item.GetProperty("kind").GetString());
        Assert.Equal(["未実施", "一部実施", "実施済み"], item.GetProperty("scale").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(45, item.GetProperty("n").GetInt64());
        Assert.Equal("57.8", item.GetProperty("options")[0].GetProperty("percent").GetRawText());
        Assert.Equal("0.0", item.GetProperty("options")[2].GetProperty("percent").GetRawText());
        Assert.Equal("40.0", item.GetProperty("noAnswer").GetProperty("percent").GetRawText());
    }

    [Fact]
    public void Json_SplitAndText_AreListed()
    {
        using var doc = JsonDocument.Parse(Json());
        var split = Item(doc.RootElement, "1-4");
        Assert.Equal("split", split.GetProperty("kind").GetString());
        Assert.Equal(48, split.GetProperty("n").GetInt64());
        Assert.Equal(["a", "b", "c"], split.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("code").GetString()));
        Assert.Equal(8, split.GetProperty("noAnswer").GetProperty("count").GetInt64());
        var text = Item(doc.RootElement, "2-2");
        Assert.Equal("text", text.GetProperty("kind").GetString());
        var first = text.GetProperty("answers")[0];
        Assert.Equal("R01", first.GetProperty("respondent").GetString());
        Assert.StartsWith("化学工業分野", first.GetProperty("text").GetString());
    }

    [Fact]
    public void Json_WritesJapaneseUnescaped_AndPercentsWithOneDecimal()
    {
        var json = Json(cross: true);
        Assert.Contains("\"label\":\"10社未満\"", json);
        Assert.DoesNotContain("\\u", json);
        Assert.Matches("\"rowPercent\":100\\.0", json); // the cross table's 無回答 × 無回答 cell: 6 of 6
        Assert.DoesNotMatch("\"percent(OfMentions)?\":\\d+(,|\\s*\\})", json); // never an integer percent
    }

    [Fact]
    public void Json_IsCompactByDefault_AndIndentedOnRequest_WithTheSameData()
    {
        var t = Tabulate.Survey(Fixtures.Sc3, Fixtures.Sc3Responses(), cross: (Fixtures.Sc3["4-3-a"], Fixtures.Sc3["4-4-a"]));
        var compact = TabulationJson.ToJson(t);
        var indented = TabulationJson.ToJson(t, indented: true);
        Assert.Equal(1, compact.Count(c => c == '\n')); // one line and its line break
        Assert.Contains("\n  \"items\": [", indented);
        Assert.Contains("\"label\": \"10社未満\"", indented);
        Assert.DoesNotContain("\\u", indented);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(compact),
            System.Text.Json.Nodes.JsonNode.Parse(indented)));
        Assert.True(indented.Length > compact.Length);
    }

    [Fact]
    public void Json_WithSegmentAndCross_HasWhereAndCells()
    {
        var segment = Segment.Of(SegmentFilter.Parse(Fixtures.Sc3, "1-6=5"));
        using var doc = JsonDocument.Parse(Json(segment, cross: true));
        var root = doc.RootElement;
        Assert.Equal(25, root.GetProperty("respondents").GetInt64());
        var where = root.GetProperty("where")[0];
        Assert.Equal("1-6", where.GetProperty("item").GetString());
        Assert.Equal(["5"], where.GetProperty("codes").EnumerateArray().Select(c => c.GetString()));

        using var all = JsonDocument.Parse(Json(cross: true));
        var cross = all.RootElement.GetProperty("cross");
        Assert.Equal("4-3-a", cross.GetProperty("rows").GetString());
        Assert.Equal("4-4-a", cross.GetProperty("columns").GetString());
        long Cell(string? r, string? c) => cross.GetProperty("cells").EnumerateArray()
            .Single(x => x.GetProperty("row").GetString() == r && x.GetProperty("column").GetString() == c).GetProperty("count").GetInt64();
        Assert.Equal((8, 3, 3, 12), (Cell("1", "1"), Cell("1", "2"), Cell("2", "1"), Cell("2", "2")));
        Assert.Equal(6, Cell(null, null));
    }
}

using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Data;

/// <summary>
/// Answers as stored in the database: a JSON object of responses-file column → canonical cell (docs/decisions/006-answers-as-canonical-cells.md).
/// An absent column means the item's page was never saved.
/// </summary>
public static class StoredAnswers
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Dictionary<string, string> Parse(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json, Json) ?? [];

    public static string Serialize(IReadOnlyDictionary<string, string> cells) =>
        JsonSerializer.Serialize(cells.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(), Json);

    /// <summary>
    /// Stored answers in the form a submission keeps: every item's cells, with the skip rules applied (a hidden item is
    /// NA whatever was stored, a shown one never saved is blank) and unreadable cells as 無回答.
    /// </summary>
    public static string Canonicalise(Survey survey, string json) =>
        Serialize(ToCells(survey, ToAnswers(survey, Parse(json))));

    /// <summary>
    /// The answers of every item. An item whose cells are absent or unreadable is 無回答; skip rules are then applied,
    /// so a hidden item is not asked whatever was stored for it. With <paramref name="asStored"/> the cells are taken
    /// as they are (a submitted or imported response is canonical already: an `NA` of an older form version stays).
    /// </summary>
    public static Answer[] ToAnswers(Survey survey, IReadOnlyDictionary<string, string> cells, bool asStored = false)
    {
        var answers = new Answer[survey.Items.Count];
        foreach (var item in survey.Items)
        {
            var values = new List<string>();
            foreach (var column in item.Columns)
            {
                if (!cells.TryGetValue(column, out var v)) break;
                values.Add(v);
            }
            answers[item.Index] = values.Count == item.Columns.Count()
                ? AnswerCells.Parse(item, values, out _) ?? Answer.NoAnswer
                : Answer.NoAnswer;
        }
        if (asStored) return answers;
        var shown = survey.Shown(answers);
        foreach (var item in survey.Items)
            if (!shown[item.Index]) answers[item.Index] = Answer.NotAsked;
            else if (answers[item.Index].State == AnswerState.NotAsked) answers[item.Index] = Answer.NoAnswer;
        return answers;
    }

    /// <summary>
    /// A submitted response's answers as the responses file gives them when read: as stored, but a hidden item is not
    /// asked (a text item's NA is a blank cell, so a blank of a hidden text item is not 無回答), so tabulating from the
    /// database and from the exported file agree.
    /// </summary>
    public static Answer[] ToResponse(Survey survey, IReadOnlyDictionary<string, string> cells)
    {
        var answers = ToAnswers(survey, cells, asStored: true);
        var shown = survey.Shown(answers);
        foreach (var item in survey.Items)
            if (!shown[item.Index]) answers[item.Index] = Answer.NotAsked;
        return answers;
    }

    public static Dictionary<string, string> ToCells(Survey survey, IReadOnlyList<Answer> answers)
    {
        var cells = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in survey.Items)
            foreach (var (column, value) in AnswerCells.ToCells(item, answers[item.Index]))
                cells[column] = value;
        return cells;
    }
}

/// <summary>
/// Writes the same JSON as <c>StoredAnswers.Serialize(StoredAnswers.ToCells(…))</c> for many rows of one survey
/// (bulk import): the column order and encoded names are worked out once, and one buffer is reused. Not thread-safe.
/// </summary>
public sealed class StoredAnswersWriter
{
    private readonly Survey _survey;
    private readonly int[] _order;
    private readonly JsonEncodedText[] _names;
    private readonly List<string> _cells = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    public StoredAnswersWriter(Survey survey)
    {
        _survey = survey;
        var columns = survey.Items.SelectMany(i => i.Columns).ToArray();
        _order = Enumerable.Range(0, columns.Length).OrderBy(i => columns[i], StringComparer.Ordinal).ToArray();
        _names = _order.Select(i => JsonEncodedText.Encode(columns[i], JavaScriptEncoder.UnsafeRelaxedJsonEscaping)).ToArray();
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string Serialize(IReadOnlyList<Answer> answers)
    {
        _cells.Clear();
        foreach (var item in _survey.Items)
            ResponsesCsv.AddCells(_cells, item, answers[item.Index]);
        _buffer.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
        for (var k = 0; k < _order.Length; k++)
            _json.WriteString(_names[k], _cells[_order[k]]);
        _json.WriteEndObject();
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }
}

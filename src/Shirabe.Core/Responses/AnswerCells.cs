using System.Globalization;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Responses;

/// <summary>
/// One item's answer as the canonical cell strings of the responses file (one cell, or one per split part), and back.
/// The web form and the database store answers in this form, so the file, the form and the database agree.
/// </summary>
public static class AnswerCells
{
    /// <summary>The canonical cells of an answer, keyed by column name (as <see cref="ResponsesCsv.AddCells"/> writes them).</summary>
    public static IEnumerable<KeyValuePair<string, string>> ToCells(Item item, Answer answer)
    {
        var cells = new List<string>(item.Parts.Count + 1);
        ResponsesCsv.AddCells(cells, item, answer);
        return item.Columns.Zip(cells, (c, v) => new KeyValuePair<string, string>(c, v));
    }

    /// <summary>
    /// Reads an item's cells (in <see cref="Item.Columns"/> order). Returns null and a Japanese message saying what
    /// to fix when a cell is not a value of this item; the answer is also checked with <see cref="Item.Validate"/>.
    /// </summary>
    public static Answer? Parse(Item item, IReadOnlyList<string> cells, out string? error)
    {
        error = null;
        if (cells.Count != item.Columns.Count())
            throw new ArgumentException($"Item {item.Code} has {item.Columns.Count()} columns, got {cells.Count} cells.");
        Answer answer;
        switch (item.Kind)
        {
            case ItemKind.Text:
                answer = Answer.FromText(cells[0]);
                break;
            case ItemKind.Split:
                if (cells.All(c => c == ResponsesCsv.NotAskedValue)) return Answer.NotAsked;
                if (cells.All(c => c.Length == 0)) return Answer.NoAnswer;
                var values = new decimal?[cells.Count];
                for (var i = 0; i < cells.Count; i++)
                {
                    if (cells[i].Length == 0) continue;
                    if (!decimal.TryParse(cells[i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v))
                    {
                        error = $"「{item.Parts[i].Label}」には 0 から {item.Total:0.##} までの数字を入力してください（小数可、例: 14.5）。";
                        return null;
                    }
                    values[i] = v;
                }
                answer = Answer.Split(values);
                break;
            default:
                var cell = cells[0];
                if (cell.Length == 0) return Answer.NoAnswer;
                if (cell == ResponsesCsv.NotAskedValue) return Answer.NotAsked;
                if (item.Kind == ItemKind.Multiple)
                {
                    ulong bits = 0;
                    foreach (var part in cell.Split(';'))
                    {
                        if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 1 or > 63)
                        {
                            error = $"選択肢「{part}」はありません（{Codes(item)} から選んでください）。";
                            return null;
                        }
                        bits |= 1UL << code;
                    }
                    answer = Answer.FromBits(bits);
                }
                else if (int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
                    answer = Answer.Single(code);
                else
                {
                    error = $"選択肢「{cell}」はありません（{Codes(item)} から選んでください）。";
                    return null;
                }
                break;
        }
        error = item.Validate(answer);
        return error is null ? answer : null;
    }

    private static string Codes(Item item) => string.Join("、", item.Options.Select(o => o.Code));
}

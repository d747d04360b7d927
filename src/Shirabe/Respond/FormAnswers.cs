using System.Globalization;
using System.Text;
using Microsoft.Extensions.Primitives;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Data;

namespace Shirabe.Respond;

/// <summary>
/// Reads one page of the form: field names are the responses-file columns (q1_3, q2_9_a, q1_4_a), values the option
/// codes or the text. Produces canonical cells and, per item, a Japanese message saying what to fix.
/// </summary>
public static class FormAnswers
{
    public const int MaxTextLength = 4000;

    public sealed class Result
    {
        public Dictionary<string, string> Cells { get; } = new(StringComparer.Ordinal);
        /// <summary>Item code → message.</summary>
        public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);
        public string? FormError { get; set; }
        public bool IsValid => Errors.Count == 0 && FormError is null;
    }

    /// <summary>
    /// Reads the items of one page's <paramref name="questions"/> from the posted form, then applies the skip rules
    /// against the whole questionnaire (<paramref name="saved"/> holds the other pages): an answer to a hidden item is
    /// an error, a blank hidden item becomes not asked (NA). <see cref="Result.Cells"/> holds only the items without an error.
    /// </summary>
    public static Result Read(Survey survey, IEnumerable<Question> questions, IFormCollection form, IReadOnlyDictionary<string, string> saved)
    {
        var result = new Result();

        var items = questions.SelectMany(q => q.Items).ToList();
        foreach (var item in items)
        {
            var cells = new List<string>();
            string? error = null;
            foreach (var column in item.Columns)
            {
                var values = form[column];
                var (cell, e) = item.Kind switch
                {
                    ItemKind.Text => Text(values),
                    ItemKind.Multiple => Multiple(values),
                    ItemKind.Split => Number(values),
                    _ => One(values),
                };
                error ??= e;
                cells.Add(cell);
            }
            if (error is null && AnswerCells.Parse(item, cells, out var invalid) is null) error = invalid;
            if (error is not null) result.Errors[item.Code] = error;
            else
                foreach (var (column, value) in item.Columns.Zip(cells))
                    result.Cells[column] = value;
        }

        // Skip rules over the whole questionnaire: this page's answers on top of the saved ones.
        var merged = new Dictionary<string, string>(saved, StringComparer.Ordinal);
        foreach (var (k, v) in result.Cells) merged[k] = v;
        var answers = StoredAnswers.ToAnswers(survey, merged, asStored: true);
        var shown = survey.Shown(answers);
        foreach (var item in items)
        {
            if (result.Errors.ContainsKey(item.Code)) continue;
            var state = answers[item.Index].State;
            if (!shown[item.Index])
            {
                if (state == AnswerState.Given)
                {
                    result.Errors[item.Code] = $"この設問は回答の対象外です（{Describe(item.ShowIf!)}）。入力を消すか、条件の設問の回答を見直してください。";
                    foreach (var column in item.Columns) result.Cells.Remove(column);
                }
                else
                    foreach (var (column, value) in AnswerCells.ToCells(item, Answer.NotAsked))
                        result.Cells[column] = value;
            }
            else if (item.Required && state != AnswerState.Given)
                result.Errors[item.Code] = "この設問は必ずお答えください。";
        }
        return result;
    }

    public const string InvalidUtf8Message = "送信された内容に文字化けした文字（不正な UTF-8）が含まれています。入力した文字を確認してください。";

    /// <summary>
    /// Whether every name and value of a URL-encoded form body is valid UTF-8 once percent-decoded. The framework's form
    /// reader keeps invalid sequences as literal "%FF" text, which would be stored as if typed.
    /// </summary>
    public static async Task<bool> IsValidUtf8Async(HttpRequest request)
    {
        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true) return true;
        request.EnableBuffering(); // normally done already by the pipeline, before the form was read
        request.Body.Position = 0;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var decoded = new List<byte>(256);
        foreach (var range in body.Split((byte)'&'))
        {
            foreach (var partRange in body[range].Split((byte)'='))
            {
                var part = body[range][partRange];
                decoded.Clear();
                for (var i = 0; i < part.Length; i++)
                {
                    if (part[i] == '%' && i + 2 < part.Length
                        && byte.TryParse(part.Slice(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                    {
                        decoded.Add(b);
                        i += 2;
                    }
                    else decoded.Add(part[i] == '+' ? (byte)' ' : part[i]);
                }
                if (!System.Text.Unicode.Utf8.IsValid(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(decoded))) return false;
            }
        }
        return true;
    }

    /// <summary>A skip rule in the respondent's words: 設問 4-1-a で「作成/改訂の意向無し」を選んだ場合にお答えください.</summary>
    public static string Describe(Condition c)
    {
        var codes = c.Items.Select(i => i.Code).ToList();
        var which = codes.Count == 1 ? $"設問 {codes[0]} で" : $"設問 {string.Join("・", codes)} のいずれかで";
        var labels = c.AnyOf.Select(code => c.Items.Select(i => i.FindOption(code)?.Label).FirstOrDefault(l => l is not null) ?? code.ToString(CultureInfo.InvariantCulture));
        return $"{which}「{string.Join("」または「", labels.Distinct())}」を選んだ場合にお答えください";
    }

    private static (string, string?) Text(StringValues values)
    {
        if (values.Count > 1) return ("", "回答欄が重複して送信されました。画面を再読み込みしてから入力してください。");
        var text = (values.ToString() ?? "").Replace("\r\n", "\n").Replace('\r', '\n');
        if (text.Trim().Length == 0) text = "";
        return text.Length > MaxTextLength
            ? ("", $"{text.Length:N0} 文字入力されています。{MaxTextLength:N0} 文字以内で入力してください。")
            : (text, null);
    }

    private static (string, string?) One(StringValues values) => values.Count switch
    {
        0 => ("", null),
        1 => ((values[0] ?? "").Trim(), null),
        _ => ("", "選択肢は 1 つだけ選んでください。"),
    };

    private static (string, string?) Multiple(StringValues values)
    {
        var codes = new SortedSet<int>();
        foreach (var v in values)
        {
            var t = (v ?? "").Trim();
            if (t.Length == 0) continue;
            if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 1 or > 63)
                return ("", $"選択肢「{Shorten(t)}」はありません。一覧から選んでください。");
            codes.Add(code);
        }
        return (string.Join(';', codes), null);
    }

    /// <summary>A percentage as typed: full-width digits, a trailing % and spaces are accepted.</summary>
    private static (string, string?) Number(StringValues values)
    {
        if (values.Count > 1) return ("", "回答欄が重複して送信されました。画面を再読み込みしてから入力してください。");
        var t = (values.ToString() ?? "").Normalize(NormalizationForm.FormKC).Trim().TrimEnd('%').Trim();
        if (t.Length == 0) return ("", null);
        if (t.Length > 20 || !decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v))
            return ("", $"「{Shorten(t)}」は数字ではありません。0 から 100 までの数字で入力してください（例: 25）。");
        return (v.ToString("0.############################", CultureInfo.InvariantCulture), null);
    }

    private static string Shorten(string s) => s.Length <= 20 ? s : s[..20] + "…";
}

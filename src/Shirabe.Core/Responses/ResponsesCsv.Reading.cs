using System.Globalization;
using System.Numerics;
using System.Text;
using Shirabe.Core.Questionnaire;
using Sylvan.Data.Csv;

namespace Shirabe.Core.Responses;

/// <summary>Reading a responses file: streamed row by row, every cell checked against the questionnaire.</summary>
public static partial class ResponsesCsv
{
    /// <summary>
    /// Reads and checks every row. Valid rows are yielded as they are read; when the whole file has been read, any
    /// problem throws <see cref="ResponsesFileException"/> listing all of them. A consumer that must not half-import
    /// (a database import) therefore commits only after enumeration completes.
    /// </summary>
    public static IEnumerable<Response> Read(Stream stream, Survey survey, ResponsesReadOptions? options = null)
    {
        options ??= new ResponsesReadOptions();
        var problems = new ProblemList(options.MaxProblems);
        var encoding = options.Encoding ?? ResponsesReadOptions.StrictUtf8;
        using var text = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: options.Encoding is null, bufferSize: 1 << 16);
        CsvDataReader csv;
        try
        {
            csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, BufferSize = 1 << 16 });
        }
        catch (Exception e) when (e is DecoderFallbackException or CsvFormatException)
        {
            problems.Add(new(1, null, null, Describe(e, options)));
            throw problems.ToException();
        }

        var columns = MapHeader(Enumerable.Range(0, csv.FieldCount).Select(csv.GetName).ToArray(), survey, problems);
        if (problems.Count > 0) throw problems.ToException();

        var row = 1L;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var buffers = new RowBuffers(survey, options.ReuseAnswers);
        while (true)
        {
            try
            {
                if (!csv.Read()) break;
            }
            catch (Exception e) when (e is DecoderFallbackException or CsvFormatException)
            {
                problems.Add(new(row + 1, null, null, Describe(e, options)));
                break; // the rest of the file cannot be read reliably
            }
            row++;
            var answers = ParseRow(csv, csv.FieldCount, row, columns, ids, problems, buffers, out var id, out var submittedAt);
            if (answers is not null && problems.Count == 0) yield return new Response(id, submittedAt, answers);
        }
        if (problems.Count > 0) throw problems.ToException();
    }

    private static string Describe(Exception e, ResponsesReadOptions options) => e switch
    {
        DecoderFallbackException when options.Encoding is null =>
            "UTF-8 として読めない文字があります。古い Excel で保存した Shift_JIS（CP932）のファイルなら、"
            + "文字コードを指定してください（--encoding cp932）。",
        DecoderFallbackException => $"指定の文字コード（{options.Encoding!.WebName}）として読めない文字があります。",
        CsvFormatException => "CSV の引用符（\"）の対応が崩れています: " + e.Message,
        _ => e.Message,
    };

    /// <summary>What each CSV column holds: the id, the timestamp, an item, or one part of a split item.</summary>
    private sealed record ColumnMap(int Id, int SubmittedAt, ItemColumns[] Items)
    {
        /// <summary>Items without a column in this file: not asked of anyone.</summary>
        public int[] Missing { get; init; } = [];
    }

    /// <summary>An item's column(s), with its valid codes precomputed so that a valid cell is checked without allocating.</summary>
    private sealed class ItemColumns
    {
        public ItemColumns(Item item, int[] ordinals)
        {
            Item = item;
            Ordinals = ordinals;
            ValidCodes = new bool[item.Options.Count == 0 ? 1 : item.Options.Max(o => o.Code) + 1];
            foreach (var o in item.Options)
            {
                ValidCodes[o.Code] = true;
                if (o.Code < 64) ValidMask |= 1UL << o.Code;
                if (o.Exclusive && o.Code < 64) ExclusiveMask |= 1UL << o.Code;
            }
        }

        public Item Item { get; }
        public int[] Ordinals { get; }
        public bool[] ValidCodes { get; }
        public ulong ValidMask { get; }
        public ulong ExclusiveMask { get; }

        public bool IsValid(in Answer a) => Item.Kind == ItemKind.Multiple
            ? (a.Choices & ~ValidMask) == 0 && ((a.Choices & ExclusiveMask) == 0 || System.Numerics.BitOperations.PopCount(a.Choices) == 1)
            : (uint)a.Choice < (uint)ValidCodes.Length && ValidCodes[a.Choice];
    }

    /// <summary>Per-read scratch space: the shown flags always, the answers array when rows may share it.</summary>
    private sealed class RowBuffers(Survey survey, bool reuseAnswers)
    {
        private readonly Answer[]? _answers = reuseAnswers ? new Answer[survey.Items.Count] : null;
        public readonly bool[] Shown = new bool[survey.Items.Count];
        /// <summary>The items with a skip rule, in questionnaire order: the only ones that can be hidden.</summary>
        public readonly Item[] Conditional = survey.Items.Where(i => i.ShowIf is not null).ToArray();
        public Answer[] Answers() => _answers ?? new Answer[Shown.Length];
    }

    private static ColumnMap MapHeader(string[] names, Survey survey, ProblemList problems)
    {
        var byName = new Dictionary<string, (Item Item, int Part)>(StringComparer.Ordinal);
        foreach (var item in survey.Items)
        {
            var part = 0;
            foreach (var column in item.Columns) byName[column] = (item, part++);
        }
        int id = -1, submitted = -1;
        var ordinals = new Dictionary<Item, int[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i];
            if (!seen.Add(name)) { problems.Add(new(1, name, null, "同じ名前の列が 2 つあります。")); continue; }
            if (name == IdColumn) id = i;
            else if (name == SubmittedAtColumn) submitted = i;
            else if (byName.TryGetValue(name, out var target))
            {
                if (!ordinals.TryGetValue(target.Item, out var arr))
                    ordinals[target.Item] = arr = Enumerable.Repeat(-1, Math.Max(1, target.Item.Parts.Count)).ToArray();
                arr[target.Part] = i;
            }
            else problems.Add(new(1, name, null, $"調査票「{survey.Id}」にない列です。列名は q + 設問番号（- を _ に）です（例: q1_3, q2_1_a）。"));
        }
        if (id < 0) problems.Add(new(1, IdColumn, null, "id 列がありません。"));
        foreach (var (item, arr) in ordinals)
            if (arr.Contains(-1))
                problems.Add(new(1, item.ColumnName, null,
                    $"設問 {item.Code} の列は {string.Join(", ", item.Columns)} がそろっている必要があります。"));
        return new ColumnMap(id, submitted, ordinals.Select(kv => new ItemColumns(kv.Key, kv.Value)).ToArray())
        {
            Missing = survey.Items.Where(i => !ordinals.ContainsKey(i)).Select(i => i.Index).ToArray(),
        };
    }

    /// <summary>Checks one row; its answers (null when it has a problem), its id and its submission time.</summary>
    private static Answer[]? ParseRow(CsvDataReader csv, int fieldCount, long row, ColumnMap map,
        HashSet<string> ids, ProblemList problems, RowBuffers buffers, out string id, out DateTimeOffset? submittedAt)
    {
        var before = problems.Count;
        submittedAt = null;
        id = "";
        if (csv.RowFieldCount != fieldCount)
        {
            problems.Add(new(row, null, null, $"列の数が {csv.RowFieldCount} です（見出し行は {fieldCount} 列）。"));
            return null;
        }
        id = map.Id >= 0 ? csv.GetFieldSpan(map.Id).ToString() : "";
        if (id.Length == 0) problems.Add(new(row, IdColumn, null, "id が空です。"));
        else if (XmlText.IndexOfInvalid(id) is var badId and >= 0) problems.Add(new(row, IdColumn, null, XmlText.Message(id, badId)));
        else if (id.Length > MaxIdLength) problems.Add(new(row, IdColumn, null, $"id は {MaxIdLength} 文字以内にしてください（{id.Length:#,0} 文字あります）。"));
        else if (!ids.Add(id)) problems.Add(new(row, IdColumn, id, "同じ id の行がすでにあります（id は重複できません）。"));

        if (map.SubmittedAt >= 0)
        {
            var cell = csv.GetFieldSpan(map.SubmittedAt);
            if (cell.Length > 0)
            {
                if (TryParseTimestamp(cell, out var at)) submittedAt = at;
                else problems.Add(new(row, SubmittedAtColumn, cell.ToString(),
                    "日時は時差付きの ISO 8601 で書いてください（例: 2023-10-20T14:03:00+09:00）。空欄は未提出（下書き）です。"));
            }
        }

        var answers = buffers.Answers();
        foreach (var index in map.Missing) answers[index] = Answer.NotAsked;
        foreach (var columns in map.Items)
            answers[columns.Item.Index] = ParseCell(csv, row, columns, problems);

        // Skip rules: an answer to a hidden item is an error; a blank in a hidden item means not asked.
        // Items without a rule are always shown; rules look only backwards, so evaluating the conditional items in
        // questionnaire order is Survey.Shown without visiting every item of every row.
        var shown = buffers.Shown;
        Array.Fill(shown, true);
        foreach (var item in buffers.Conditional)
        {
            if (shown[item.Index] = item.ShowIf!.IsMet(answers, shown)) continue;
            if (answers[item.Index].State == AnswerState.Given)
                problems.Add(new(row, item.Columns.First(), null,
                    $"設問 {item.Code} は回答対象外（{item.ShowIf} の場合のみ回答）ですが、回答があります。"));
            answers[item.Index] = Answer.NotAsked;
        }
        return problems.Count == before ? answers : null;
    }

    private static Answer ParseCell(CsvDataReader csv, long row, ItemColumns columns, ProblemList problems)
    {
        var (item, ordinals) = (columns.Item, columns.Ordinals);
        if (item.Kind == ItemKind.Text)
        {
            var text = csv.GetFieldSpan(ordinals[0]);
            if (XmlText.IndexOfInvalid(text) is var bad and >= 0)
            {
                // the value is not echoed: the message names the character and where it is
                problems.Add(new(row, item.ColumnName, null, $"設問 {item.Code}: {XmlText.Message(text, bad)}"));
                return Answer.NoAnswer;
            }
            if (text.Length > item.MaxLength)
            {
                // the same limit as the web form's (Item.Validate); the value is not echoed, it may be long
                problems.Add(new(row, item.ColumnName, null,
                    $"設問 {item.Code}: {text.Length:N0} 文字あります。{item.MaxLength:N0} 文字以内にしてください。"));
                return Answer.NoAnswer;
            }
            return text.Length == 0 ? Answer.NoAnswer : Answer.FromText(text.ToString());
        }
        if (item.Kind == ItemKind.Split)
            return ParseSplit(csv, row, item, ordinals, problems);

        var cell = csv.GetFieldSpan(ordinals[0]);
        if (cell.Length == 0) return Answer.NoAnswer;
        if (cell.SequenceEqual(NotAskedValue)) return Answer.NotAsked;
        var answer = item.Kind == ItemKind.Multiple ? ParseMultiple(cell) : ParseCode(cell);
        if (answer is { } valid && columns.IsValid(valid)) return valid; // the common case, checked without allocating
        var error = answer is null
            ? item.Kind == ItemKind.Multiple
                ? $"選択肢番号を ; で区切って書いてください（例: 1;3）。選べるのは {Codes(item)} です。"
                : $"選択肢番号を 1 つ書いてください。選べるのは {Codes(item)} です（空欄は無回答、NA は対象外）。"
            : item.Validate(answer.Value);
        if (error is null) return answer!.Value;
        problems.Add(new(row, item.ColumnName, cell.ToString(), $"設問 {item.Code}: {error}"));
        return Answer.NoAnswer;
    }

    private static string Codes(Item item) => string.Join(", ", item.Options.Select(o => o.Code));

    private static Answer? ParseCode(ReadOnlySpan<char> cell) =>
        TryParseCode(cell, out var code) ? Answer.Single(code) : null;

    /// <summary>As <c>int.TryParse(NumberStyles.None, invariant)</c>: digits only; short codes are read directly.</summary>
    private static bool TryParseCode(ReadOnlySpan<char> cell, out int code) =>
        cell.Length is > 0 and <= 9
            ? TryParseShortCode(cell, out code)
            : int.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out code);

    /// <summary>1 to 9 digits, as chars or UTF-8 bytes; false for anything else (longer codes, valid or not).</summary>
    private static bool TryParseShortCode<T>(ReadOnlySpan<T> cell, out int code) where T : unmanaged, IBinaryInteger<T>
    {
        code = 0;
        if (cell.Length is 0 or > 9) return false;
        foreach (var unit in cell)
        {
            var c = int.CreateTruncating(unit);
            if (c is < '0' or > '9') return false;
            code = code * 10 + (c - '0');
        }
        return true;
    }

    private static Answer? ParseMultiple(ReadOnlySpan<char> cell)
    {
        ulong bits = 0;
        foreach (var range in cell.Split(';'))
        {
            if (!TryParseCode(cell[range], out var code) || code is < 1 or > 63)
                return null;
            var bit = 1UL << code;
            if ((bits & bit) != 0) return null; // the same option twice
            bits |= bit;
        }
        return Answer.FromBits(bits);
    }

    private static Answer ParseSplit(CsvDataReader csv, long row, Item item, int[] ordinals, ProblemList problems)
    {
        var values = new decimal?[ordinals.Length];
        int notAsked = 0, blank = 0;
        var before = problems.Count;
        for (var p = 0; p < ordinals.Length; p++)
        {
            var cell = csv.GetFieldSpan(ordinals[p]);
            if (cell.Length == 0) blank++;
            else if (cell.SequenceEqual(NotAskedValue)) notAsked++;
            else if (TryParseNumber(cell, out var v) && v <= item.Total)
                values[p] = v;
            else problems.Add(new(row, item.ColumnName + "_" + item.Parts[p].Code, cell.ToString(),
                $"設問 {item.Code}: 0 から {item.Total:0.##} までの数を書いてください（小数可、例: 14.5）。"));
        }
        if (problems.Count > before) return Answer.NoAnswer;
        if (notAsked == ordinals.Length) return Answer.NotAsked;
        if (blank == ordinals.Length) return Answer.NoAnswer;
        if (notAsked > 0)
        {
            problems.Add(new(row, item.ColumnName, null, $"設問 {item.Code}: NA（対象外）と値が混在しています。対象外なら全部を NA にしてください。"));
            return Answer.NoAnswer;
        }
        var answer = Answer.Split(values);
        if (!SumsToTotal(values, item.Total) && item.Validate(answer) is { } error)
        {
            problems.Add(new(row, item.ColumnName, string.Join(" / ", values.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "")),
                $"設問 {item.Code}: {error}"));
            return Answer.NoAnswer;
        }
        return answer;
    }

    /// <summary>All parts given and summing to the total: the common case, checked before the full validation.</summary>
    private static bool SumsToTotal(decimal?[] values, decimal total)
    {
        decimal sum = 0;
        foreach (var v in values)
        {
            if (v is not { } x) return false;
            sum += x;
        }
        return sum == total;
    }

    /// <summary>
    /// A non-negative decimal as <c>decimal.TryParse(NumberStyles.AllowDecimalPoint, invariant)</c> reads it; plain
    /// digits with at most one point (14.5, 100) are read directly, anything else goes to decimal.TryParse.
    /// </summary>
    internal static bool TryParseNumber(ReadOnlySpan<char> cell, out decimal value) =>
        TryParsePlainNumber(cell, out value) || decimal.TryParse(cell, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// 1 to 18 characters of plain digits with at most one point (14.5, 100, 5.), as chars or UTF-8 bytes; the value
    /// keeps the scale written (14.50 has scale 2). False for anything else, valid or not.
    /// </summary>
    internal static bool TryParsePlainNumber<T>(ReadOnlySpan<T> cell, out decimal value) where T : unmanaged, IBinaryInteger<T>
    {
        value = 0;
        if (cell.Length is 0 or > 18) return false;
        long mantissa = 0;
        int scale = -1, digits = 0;
        foreach (var unit in cell)
        {
            var c = int.CreateTruncating(unit);
            if (c is >= '0' and <= '9') { mantissa = mantissa * 10 + (c - '0'); digits++; if (scale >= 0) scale++; }
            else if (c == '.' && scale < 0) scale = 0;
            else return false;
        }
        if (digits == 0) return false;
        value = new decimal((int)mantissa, (int)(mantissa >> 32), 0, false, (byte)Math.Max(scale, 0));
        return true;
    }

    private sealed class ProblemList(int max)
    {
        private readonly List<ResponsesProblem> _listed = [];
        private long _omitted;
        public long Count => _listed.Count + _omitted;

        public void Add(ResponsesProblem p)
        {
            if (_listed.Count < max) _listed.Add(p);
            else _omitted++;
        }

        public ResponsesFileException ToException() => new(_listed, _omitted);
    }
}

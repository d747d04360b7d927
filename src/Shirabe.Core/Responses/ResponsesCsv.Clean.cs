using System.Buffers;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Responses;

/// <summary>
/// One valid row as the fast path hands it over (decision 074): per item its state and a compact value, no
/// <see cref="Answer"/>; free text stays bytes of the record. Overwritten by the next row.
/// </summary>
internal sealed class CleanRow
{
    private readonly ResponsesCsv.CleanReader _reader;
    private readonly int[] _textField;

    internal CleanRow(ResponsesCsv.CleanReader reader, int items)
    {
        _reader = reader;
        States = new AnswerState[items];
        Values = new ulong[items];
        Splits = new decimal[items][];
        _textField = new int[items];
    }

    public string Id { get; internal set; } = "";
    public bool Submitted { get; internal set; }
    public AnswerState[] States { get; }
    /// <summary>Given single and matrix items: the code (as <see cref="Answer.CompactValue"/>); multiple items: the chosen bits.</summary>
    public ulong[] Values { get; }
    /// <summary>Given split items: the parts, in the item's part order.</summary>
    public decimal[][] Splits { get; }

    public ReadOnlySpan<byte> IdUtf8 => _reader.GetField(IdField);
    internal int IdField;

    /// <summary>A given text item's text as UTF-8 (valid until the next row).</summary>
    public ReadOnlySpan<byte> Text(int item) => _reader.GetField(_textField[item]);

    internal void SetText(int item, int field) => _textField[item] = field;
}

/// <summary>
/// The fast path for tabulating a clean UTF-8 file (decisions 058 and 074): rows are cut from the bytes with vectorised
/// searches, checked as UTF-8 in one go, split into cells by a strict RFC 4180 tokenizer, and every cell is checked and
/// turned into a compact value straight from its bytes, the skip rules evaluated on those values. It only says whether
/// the file was clean: at the first thing it does not accept (any problem, or a form it leaves to the validating
/// reader, such as a lone CR or a code written with leading zeros) it stops and returns false, and the caller reads
/// the file with <see cref="Read"/>, which reports every problem row by row. It accepts nothing <see cref="Read"/>
/// rejects, and on what it accepts it yields the same answers.
/// </summary>
public static partial class ResponsesCsv
{
    private const int MaxCleanRecordBytes = 1 << 15;
    private static readonly SearchValues<byte> QuoteOrNewline = SearchValues.Create("\"\n"u8);
    /// <summary>The C0 controls XML cannot hold (decision 012); U+FFFE and U+FFFF are looked for apart.</summary>
    private static readonly SearchValues<byte> XmlInvalidControls =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Where(b => b is not ('\t' or '\n' or '\r')).Select(b => (byte)b)]);

    /// <summary>
    /// Reads every row of a UTF-8 file and hands each valid one to <paramref name="visit"/>; false (and the rows already
    /// visited are to be discarded) when the file has a problem or a form this reader leaves to <see cref="Read"/>.
    /// Ids are added to <paramref name="ids"/>; <paramref name="rowsRead"/> hears of the rows read now and then.
    /// </summary>
    internal static bool TryReadClean(Stream stream, Survey survey, HashSet<string> ids, Action<CleanRow> visit,
        Action<long>? rowsRead = null)
    {
        var reader = new CleanReader(stream);
        if (!reader.NextRow() || reader.Fields == 0) return false;
        var problems = new ProblemList(1);
        var header = new string[reader.Fields];
        for (var i = 0; i < header.Length; i++) header[i] = Encoding.UTF8.GetString(reader.GetField(i));
        var map = MapHeader(header, survey, problems);
        if (problems.Count > 0) return false;

        var plan = new CleanPlan(survey, map);
        var row = new CleanRow(reader, survey.Items.Count) { IdField = map.Id };
        foreach (var index in map.Missing) row.States[index] = AnswerState.NotAsked;
        var unreported = 0L;
        while (reader.NextRow())
        {
            if (reader.Fields != header.Length || !plan.TryParse(reader, row, ids)) return false;
            visit(row);
            if (++unreported == 65_536)
            {
                rowsRead?.Invoke(unreported);
                unreported = 0;
            }
        }
        rowsRead?.Invoke(unreported);
        return reader.Clean;
    }

    /// <summary>
    /// The checks of <see cref="ParseRow"/> on a row's bytes, a second implementation held to the first by the property
    /// test of decision 074: each returns false where <see cref="ParseRow"/> would report a problem, and also for the
    /// rare valid forms it does not read itself (a code of more than 9 digits, a timestamp longer than 64 bytes, a
    /// number of more than 18 characters).
    /// </summary>
    private sealed class CleanPlan
    {
        private readonly ColumnMap _map;
        /// <summary>Per item with a column: its columns, its index, its kind and its (first) column, flat for the loop over a row.</summary>
        private readonly (ItemColumns Columns, int Index, ItemKind Kind, int Ordinal)[] _cells;
        private readonly CleanRule[] _rules;
        private readonly bool[] _shown;

        public CleanPlan(Survey survey, ColumnMap map)
        {
            _map = map;
            _cells = map.Items.Select(c => (c, c.Item.Index, c.Item.Kind, c.Ordinals[0])).ToArray();
            _shown = new bool[survey.Items.Count];
            _rules = survey.Items.Where(i => i.ShowIf is not null).Select(i => new CleanRule(i)).ToArray();
        }

        public bool TryParse(CleanReader reader, CleanRow row, HashSet<string> ids)
        {
            if (_map.Id < 0) return false;
            var idBytes = reader.GetField(_map.Id);
            if (idBytes.Length is 0 or > MaxIdLength * 3) return false;
            var id = Encoding.UTF8.GetString(idBytes);
            if (id.Length > MaxIdLength || XmlText.IndexOfInvalid(id) >= 0 || !ids.Add(id)) return false;
            row.Id = id;

            row.Submitted = false;
            if (_map.SubmittedAt >= 0)
            {
                var cell = reader.GetField(_map.SubmittedAt);
                if (cell.Length > 0)
                {
                    if (!TryParseTimestamp(cell)) return false;
                    row.Submitted = true;
                }
            }

            var states = row.States;
            foreach (var (columns, index, kind, ordinal) in _cells)
            {
                if (kind is ItemKind.Single or ItemKind.Matrix)
                {
                    // the most common cell, a one-digit code, read here
                    var cell = reader.GetField(ordinal);
                    if (cell.Length == 1 && (uint)(cell[0] - '0') < (uint)columns.ValidCodes.Length && columns.ValidCodes[cell[0] - '0'])
                    {
                        states[index] = AnswerState.Given;
                        row.Values[index] = (uint)(cell[0] - '0');
                        continue;
                    }
                    if (!TryChoice(cell, columns, row, index)) return false;
                }
                else if (!(kind switch
                {
                    ItemKind.Text => TryText(reader, columns, row, index),
                    ItemKind.Split => TrySplit(reader, columns, row, index),
                    _ => TryChoice(reader.GetField(ordinal), columns, row, index),
                }))
                    return false;
            }

            // Skip rules, as ParseRow evaluates them: an answer to a hidden item is a problem, a blank means not asked.
            var shown = _shown;
            Array.Fill(shown, true);
            foreach (var rule in _rules)
            {
                if (shown[rule.Index] = rule.IsMet(states, row.Values, shown)) continue;
                if (states[rule.Index] == AnswerState.Given) return false;
                states[rule.Index] = AnswerState.NotAsked;
            }
            return true;
        }

        private static bool TryParseTimestamp(ReadOnlySpan<byte> cell)
        {
            if (cell.Length > 64) return false;
            Span<char> chars = stackalloc char[64];
            var n = Encoding.UTF8.GetChars(cell, chars); // the record is valid UTF-8
            return ResponsesCsv.TryParseTimestamp(chars[..n], out _);
        }

        private static bool TryText(CleanReader reader, ItemColumns columns, CleanRow row, int index)
        {
            var field = columns.Ordinals[0];
            var text = reader.GetField(field);
            if (text.Length == 0)
            {
                row.States[index] = AnswerState.NoAnswer;
                return true;
            }
            if (!IsXmlText(text)) return false;
            // UTF-16 length (what MaxLength counts) is at most the byte length; counted only when it may matter
            if (text.Length > columns.Item.MaxLength && Encoding.UTF8.GetCharCount(text) > columns.Item.MaxLength) return false;
            row.States[index] = AnswerState.Given;
            row.SetText(index, field);
            return true;
        }

        /// <summary>Valid UTF-8 holding no character XML cannot hold: C0 controls but tab, LF, CR; U+FFFE, U+FFFF (EF BF BE/BF).</summary>
        private static bool IsXmlText(ReadOnlySpan<byte> text)
        {
            if (text.IndexOfAny(XmlInvalidControls) >= 0) return false;
            for (var at = text.IndexOf([(byte)0xEF, (byte)0xBF]); at >= 0;)
            {
                if (at + 2 < text.Length && text[at + 2] >= 0xBE) return false;
                var next = text[(at + 2)..].IndexOf([(byte)0xEF, (byte)0xBF]);
                at = next < 0 ? -1 : at + 2 + next;
            }
            return true;
        }

        private static bool TryChoice(ReadOnlySpan<byte> cell, ItemColumns columns, CleanRow row, int index)
        {
            if (cell.Length == 0) { row.States[index] = AnswerState.NoAnswer; return true; }
            if (cell.SequenceEqual("NA"u8)) { row.States[index] = AnswerState.NotAsked; return true; }
            ulong value;
            if (columns.Item.Kind == ItemKind.Multiple)
            {
                value = 0;
                while (true)
                {
                    var end = cell.IndexOf((byte)';');
                    if (!TryParseShortCode(end < 0 ? cell : cell[..end], out var code) || code is < 1 or > 63) return false;
                    var bit = 1UL << code;
                    if ((value & bit) != 0) return false; // the same option twice
                    value |= bit;
                    if (end < 0) break;
                    cell = cell[(end + 1)..];
                }
                if ((value & ~columns.ValidMask) != 0
                    || ((value & columns.ExclusiveMask) != 0 && System.Numerics.BitOperations.PopCount(value) != 1))
                    return false;
            }
            else
            {
                if (!TryParseShortCode(cell, out var code) || (uint)code >= (uint)columns.ValidCodes.Length || !columns.ValidCodes[code]) return false;
                value = (uint)code;
            }
            row.States[index] = AnswerState.Given;
            row.Values[index] = value;
            return true;
        }

        /// <summary>All parts given and summing to the total, all NA, or all blank: anything else ParseSplit reports.</summary>
        private static bool TrySplit(CleanReader reader, ItemColumns columns, CleanRow row, int index)
        {
            var (item, ordinals) = (columns.Item, columns.Ordinals);
            var values = row.Splits[index] ??= new decimal[ordinals.Length];
            int notAsked = 0, blank = 0;
            decimal sum = 0;
            for (var p = 0; p < ordinals.Length; p++)
            {
                var cell = reader.GetField(ordinals[p]);
                if (cell.Length == 0) blank++;
                else if (cell.SequenceEqual("NA"u8)) notAsked++;
                else if (TryParsePlainNumber(cell, out var v) && v <= item.Total) sum += values[p] = v;
                else return false;
            }
            if (notAsked == ordinals.Length) { row.States[index] = AnswerState.NotAsked; return true; }
            if (blank == ordinals.Length) { row.States[index] = AnswerState.NoAnswer; return true; }
            if (notAsked > 0 || blank > 0 || sum != item.Total) return false;
            row.States[index] = AnswerState.Given;
            return true;
        }
    }

    /// <summary>A skip rule over compact values: its items, and the codes that meet it as bits (codes 0…63) and as a list.</summary>
    private sealed class CleanRule(Item item)
    {
        public readonly int Index = item.Index;
        private readonly int[] _items = item.ShowIf!.Items.Select(i => i.Index).ToArray();
        private readonly bool[] _multiple = item.ShowIf!.Items.Select(i => i.Kind == ItemKind.Multiple).ToArray();
        private readonly ulong _mask = item.ShowIf!.AnyOf.Where(c => c is >= 0 and < 64).Aggregate(0UL, (m, c) => m | 1UL << c);
        /// <summary>Codes a single item may hold that the mask cannot (64 and up, or negative).</summary>
        private readonly ulong[] _others = item.ShowIf!.AnyOf.Where(c => c is < 0 or >= 64).Select(c => (ulong)(uint)c).ToArray();

        /// <summary>As <see cref="Condition.IsMet"/>: any of the items was shown and chose any of the codes.</summary>
        public bool IsMet(AnswerState[] states, ulong[] values, bool[] shown)
        {
            for (var i = 0; i < _items.Length; i++)
            {
                var at = _items[i];
                if (!shown[at] || states[at] != AnswerState.Given) continue;
                var v = values[at];
                if (_multiple[i])
                {
                    if ((v & _mask & ~1UL) != 0) return true; // a multiple item holds codes 1…63
                }
                else if ((v < 64 && (_mask >> (int)v & 1) != 0) || Array.IndexOf(_others, v) >= 0) return true;
            }
            return false;
        }
    }

    /// <summary>Rows of a UTF-8 stream: record boundaries and cells found on the bytes (a newline outside quotes ends a record).</summary>
    internal sealed class CleanReader(Stream stream)
    {
        private byte[] _bytes = new byte[1 << 20];
        private int _start, _end;
        private bool _eof, _first = true;
        /// <summary>Where the current record starts in <see cref="_bytes"/>.</summary>
        private int _record;
        /// <summary>Unescaped quoted cells ("" → ") are copied here.</summary>
        private byte[] _unescaped = new byte[1 << 12];
        private int _unescapedLength;
        private int[] _starts = new int[256], _lengths = new int[256];
        /// <summary>Which buffer each cell is in: false the record, true the unescaped copies.</summary>
        private bool[] _inUnescaped = new bool[256];

        public int Fields { get; private set; }
        /// <summary>False once the reader met something it does not accept; then <see cref="NextRow"/> returns false.</summary>
        public bool Clean { get; private set; } = true;

        public ReadOnlySpan<byte> GetField(int i) =>
            _inUnescaped[i] ? _unescaped.AsSpan(_starts[i], _lengths[i]) : _bytes.AsSpan(_record + _starts[i], _lengths[i]);

        public bool NextRow()
        {
            if (!Clean) return false;
            var scanned = 0;
            var inQuotes = false;
            while (true)
            {
                var window = _bytes.AsSpan(_start + scanned, _end - _start - scanned);
                var at = window.IndexOfAny(QuoteOrNewline);
                while (at >= 0 && (window[at] == (byte)'"' || inQuotes))
                {
                    if (window[at] == (byte)'"') inQuotes = !inQuotes;
                    var next = window[(at + 1)..].IndexOfAny(QuoteOrNewline);
                    at = next < 0 ? -1 : at + 1 + next;
                }
                if (at >= 0) return Take(_start + scanned + at, consumed: scanned + at + 1);
                scanned = _end - _start;
                if (_eof)
                {
                    if (scanned == 0) return false;
                    if (inQuotes) return Reject();
                    return Take(_end, consumed: scanned);
                }
                Fill(); // moves the row to the front of the buffer: scanned again from its start
                scanned = 0;
                inQuotes = false;
            }
        }

        private void Fill()
        {
            if (_start > 0)
            {
                _bytes.AsSpan(_start, _end - _start).CopyTo(_bytes);
                _end -= _start;
                _start = 0;
            }
            if (_end == _bytes.Length) Array.Resize(ref _bytes, _bytes.Length * 2);
            var n = stream.Read(_bytes, _end, _bytes.Length - _end);
            if (n == 0) _eof = true;
            _end += n;
            if (_first && _end >= 3 && _bytes[0] == 0xEF && _bytes[1] == 0xBB && _bytes[2] == 0xBF)
                _start = 3; // the byte order mark, as StreamReader drops it
            if (_first && (_end >= 3 || _eof)) _first = false;
        }

        private bool Reject()
        {
            Clean = false;
            return false;
        }

        /// <summary>Checks and splits the record ending at byte <paramref name="rowEnd"/> (its newline excluded).</summary>
        private bool Take(int rowEnd, int consumed)
        {
            _record = _start;
            var bytes = _bytes.AsSpan(_start, rowEnd - _start);
            _start += consumed;
            if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
            // a blank line, or a record longer than Sylvan's buffer would take: left to Sylvan's reader
            if (bytes.Length is 0 or > MaxCleanRecordBytes || !Utf8.IsValid(bytes)) return Reject();
            return Split(bytes) || Reject();
        }

        /// <summary>
        /// Cuts the record into cells: runs of unquoted cells by <see cref="Unquoted"/>, a quoted cell by <see cref="Quoted"/>.
        /// False for anything left to Sylvan's reader (a quote inside an unquoted cell, a CR, text after a closing quote).
        /// </summary>
        private bool Split(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length + 1 > _starts.Length) // room for a cell per byte, and one more
            {
                Array.Resize(ref _starts, bytes.Length + 1);
                Array.Resize(ref _lengths, bytes.Length + 1);
                Array.Resize(ref _inUnescaped, bytes.Length + 1);
            }
            Fields = 0;
            _unescapedLength = 0;
            var position = 0;
            while (true)
            {
                var stop = Unquoted(bytes, ref position);
                if (stop < 0)
                {
                    Add(position, bytes.Length - position);
                    return true;
                }
                if (stop != position || bytes[stop] != '"' || !Quoted(bytes, ref position)) return false;
                if (position == bytes.Length) return true;
                position++; // the comma after the closing quote
            }
        }

        private void Add(int start, int length)
        {
            _starts[Fields] = start;
            _lengths[Fields] = length;
            _inUnescaped[Fields++] = false;
        }

        /// <summary>
        /// Adds the cells from <paramref name="cell"/> that end in a comma before the next quote or CR, their commas
        /// found 32 bytes at a time as a bit mask; returns where that quote or CR is (-1: none up to the end), with
        /// <paramref name="cell"/> the start of the cell it is in.
        /// </summary>
        private int Unquoted(ReadOnlySpan<byte> bytes, ref int cell)
        {
            var i = cell;
            if (Vector256.IsHardwareAccelerated)
            {
                ref var first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(bytes);
                var (comma, quote, cr) = (Vector256.Create((byte)','), Vector256.Create((byte)'"'), Vector256.Create((byte)'\r'));
                for (; i + 32 <= bytes.Length; i += 32)
                {
                    var v = Vector256.LoadUnsafe(ref first, (nuint)i);
                    var stops = (Vector256.Equals(v, quote) | Vector256.Equals(v, cr)).ExtractMostSignificantBits();
                    var commas = Vector256.Equals(v, comma).ExtractMostSignificantBits();
                    if (stops != 0) commas &= (1u << System.Numerics.BitOperations.TrailingZeroCount(stops)) - 1;
                    for (; commas != 0; commas &= commas - 1)
                    {
                        var at = i + System.Numerics.BitOperations.TrailingZeroCount(commas);
                        Add(cell, at - cell);
                        cell = at + 1;
                    }
                    if (stops != 0) return i + System.Numerics.BitOperations.TrailingZeroCount(stops);
                }
            }
            for (; i < bytes.Length; i++)
            {
                var b = bytes[i];
                if (b == ',')
                {
                    Add(cell, i - cell);
                    cell = i + 1;
                }
                else if (b is (byte)'"' or (byte)'\r') return i;
            }
            return -1;
        }

        /// <summary>A quoted cell from the opening quote at <paramref name="position"/>; false unless a comma or the end follows its closing quote.</summary>
        private bool Quoted(ReadOnlySpan<byte> bytes, ref int position)
        {
            var from = position + 1;
            var i = from;
            var escaped = false;
            while (true)
            {
                var at = bytes[i..].IndexOf((byte)'"');
                if (at < 0) return false;
                i += at;
                if (i + 1 < bytes.Length && bytes[i + 1] == '"') { escaped = true; i += 2; continue; }
                break;
            }
            var raw = bytes[from..i];
            position = i + 1;
            if (position < bytes.Length && bytes[position] != ',') return false;
            if (!escaped)
            {
                Add(from, raw.Length);
                return true;
            }
            if (_unescaped.Length < _unescapedLength + raw.Length) Array.Resize(ref _unescaped, Math.Max(_unescaped.Length * 2, _unescapedLength + raw.Length));
            var start = _unescapedLength;
            for (var k = 0; k < raw.Length; k++)
            {
                _unescaped[_unescapedLength++] = raw[k];
                if (raw[k] == '"') k++; // "" stands for one quote
            }
            _starts[Fields] = start;
            _lengths[Fields] = _unescapedLength - start;
            _inUnescaped[Fields++] = true;
            return true;
        }
    }
}

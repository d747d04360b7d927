using System.Buffers;
using System.Text.Unicode;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Responses;

/// <summary>Receives one valid row: its id, its submission time (null: a draft) and its answers (overwritten by the next row).</summary>
public delegate void ResponseRowVisitor(string id, DateTimeOffset? submittedAt, Answer[] answers);

/// <summary>
/// The fast path for tabulating a clean UTF-8 file (decision 058): rows are cut from the bytes with vectorised searches,
/// decoded in one go, split into cells by a strict RFC 4180 tokenizer and checked by exactly the checks of
/// <see cref="Read"/>; no object per row. It only says whether the file was clean: at the first thing it does not
/// accept (any problem, or CSV it leaves to Sylvan's reader, such as a lone CR) it stops and returns false, and the
/// caller reads the file with <see cref="Read"/>, which reports every problem row by row.
/// </summary>
public static partial class ResponsesCsv
{
    private const int MaxCleanRecordBytes = 1 << 15;
    private static readonly SearchValues<byte> QuoteOrNewline = SearchValues.Create("\"\n"u8);
    private static readonly SearchValues<char> UnquotedEnd = SearchValues.Create(",\"\r");

    /// <summary>
    /// Reads every row of a UTF-8 file and hands each valid one to <paramref name="visit"/>; false (and the rows already
    /// visited are to be discarded) when the file has a problem or a form this reader leaves to <see cref="Read"/>.
    /// Ids are added to <paramref name="ids"/>; <paramref name="rowsRead"/> hears of the rows read now and then.
    /// </summary>
    public static bool TryReadClean(Stream stream, Survey survey, HashSet<string> ids, ResponseRowVisitor visit,
        Action<long>? rowsRead = null)
    {
        var reader = new CleanReader(stream);
        if (!reader.NextRow() || reader.Fields == 0) return false;
        var problems = new ProblemList(1);
        var header = new string[reader.Fields];
        for (var i = 0; i < header.Length; i++) header[i] = reader.GetFieldSpan(i).ToString();
        var columns = MapHeader(header, survey, problems);
        if (problems.Count > 0) return false;

        var buffers = new RowBuffers(survey, reuseAnswers: true);
        var row = 1L;
        var unreported = 0L;
        while (reader.NextRow())
        {
            row++;
            var answers = ParseRow(reader.Row, header.Length, row, columns, ids, problems, buffers, out var id, out var submittedAt);
            if (answers is null || problems.Count > 0) return false;
            visit(id, submittedAt, answers);
            if (++unreported == 65_536)
            {
                rowsRead?.Invoke(unreported);
                unreported = 0;
            }
        }
        rowsRead?.Invoke(unreported);
        return reader.Clean;
    }

    /// <summary>Rows of a UTF-8 stream: record boundaries found on the bytes (a newline outside quotes), cells on the decoded chars.</summary>
    private sealed class CleanReader(Stream stream)
    {
        private byte[] _bytes = new byte[1 << 20];
        private int _start, _end;
        private bool _eof, _first = true;
        private char[] _chars = new char[1 << 12];
        /// <summary>Unescaped quoted cells ("" → ") are copied here.</summary>
        private char[] _unescaped = new char[1 << 12];
        private int _unescapedLength;
        private int[] _starts = new int[256], _lengths = new int[256];
        /// <summary>Which buffer each cell is in: false the decoded row, true the unescaped copies.</summary>
        private bool[] _inUnescaped = new bool[256];

        public int Fields { get; private set; }
        /// <summary>False once the reader met something it does not accept; then <see cref="NextRow"/> returns false.</summary>
        public bool Clean { get; private set; } = true;
        public CleanRow Row => new(this);

        public ReadOnlySpan<char> GetFieldSpan(int i) =>
            (_inUnescaped[i] ? _unescaped : _chars).AsSpan(_starts[i], _lengths[i]);

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

        /// <summary>Decodes and splits the row ending at byte <paramref name="rowEnd"/> (its newline excluded).</summary>
        private bool Take(int rowEnd, int consumed)
        {
            var bytes = _bytes.AsSpan(_start, rowEnd - _start);
            _start += consumed;
            if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
            // a blank line, or a record longer than Sylvan's buffer would take: left to Sylvan's reader
            if (bytes.Length is 0 or > MaxCleanRecordBytes) return Reject();
            if (_chars.Length < bytes.Length) _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
            if (Utf8.ToUtf16(bytes, _chars, out _, out var length, replaceInvalidSequences: false) != OperationStatus.Done)
                return Reject();
            return Split(length) || Reject();
        }

        private bool Split(int length)
        {
            var chars = _chars.AsSpan(0, length);
            Fields = 0;
            _unescapedLength = 0;
            var position = 0;
            while (true)
            {
                if (Fields == _starts.Length)
                {
                    Array.Resize(ref _starts, Fields * 2);
                    Array.Resize(ref _lengths, Fields * 2);
                    Array.Resize(ref _inUnescaped, Fields * 2);
                }
                if (position < length && chars[position] == '"')
                {
                    if (!Quoted(chars, ref position)) return false;
                }
                else
                {
                    var rest = chars[position..];
                    var at = rest.IndexOfAny(UnquotedEnd);
                    if (at >= 0 && rest[at] != ',') return false; // a quote inside a cell, or a CR: left to Sylvan's reader
                    var cell = at < 0 ? rest.Length : at;
                    _starts[Fields] = position;
                    _lengths[Fields] = cell;
                    _inUnescaped[Fields] = false;
                    position += cell;
                }
                Fields++;
                if (position == length) return true;
                if (chars[position] != ',') return false;
                position++;
            }
        }

        /// <summary>A quoted cell from the opening quote at <paramref name="position"/>; false unless a comma or the end follows its closing quote.</summary>
        private bool Quoted(ReadOnlySpan<char> chars, ref int position)
        {
            var from = position + 1;
            var i = from;
            var escaped = false;
            while (true)
            {
                var at = chars[i..].IndexOf('"');
                if (at < 0) return false;
                i += at;
                if (i + 1 < chars.Length && chars[i + 1] == '"') { escaped = true; i += 2; continue; }
                break;
            }
            var raw = chars[from..i];
            position = i + 1;
            if (position < chars.Length && chars[position] != ',') return false;
            if (!escaped)
            {
                _starts[Fields] = from;
                _lengths[Fields] = raw.Length;
                _inUnescaped[Fields] = false;
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
            _inUnescaped[Fields] = true;
            return true;
        }
    }

    private readonly struct CleanRow(CleanReader reader) : IRowFields
    {
        public int RowFieldCount => reader.Fields;
        public ReadOnlySpan<char> GetFieldSpan(int ordinal) => reader.GetFieldSpan(ordinal);
    }
}

using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Shirabe.Core.Responses;
using Sylvan.Data.Csv;

namespace Shirabe.Fieldwork;

/// <summary>The two file formats as a stream of rows of text cells: CSV through Sylvan, XLSX through OpenXmlReader (SAX).</summary>
public sealed partial class RosterFile
{
    /// <summary>One row of the file: its number as Excel shows it, its cells (null: empty), cells that could not be read.</summary>
    private sealed record SourceRow(long Number, string?[] Cells, HashSet<int>? Failed = null);

    /// <summary>Rows of one file; the first row with content is the header.</summary>
    private abstract class Source : IDisposable
    {
        private IEnumerator<SourceRow>? _rows;
        public abstract string Format { get; }
        public virtual Encoding? Encoding => null;
        /// <summary>The sheet read (XLSX), null for CSV.</summary>
        public virtual string? Sheet => null;
        public SourceRow? Header { get; private set; }

        /// <summary>Reads up to and including the header.</summary>
        protected void Start(Problems problems)
        {
            _rows = Read(problems).GetEnumerator();
            while (_rows.MoveNext())
                if (_rows.Current.Cells.Any(c => !string.IsNullOrWhiteSpace(c)))
                {
                    Header = _rows.Current;
                    return;
                }
        }

        /// <summary>The rows after the header.</summary>
        public IEnumerable<SourceRow> Rows(Problems problems)
        {
            if (Header is null) yield break;
            while (_rows!.MoveNext()) yield return _rows.Current;
        }

        protected abstract IEnumerable<SourceRow> Read(Problems problems);

        /// <summary>The cell's reference for a message (XLSX: D3), null for CSV (row and column name say it).</summary>
        public virtual string? CellRef(int column, long row) => null;

        public virtual void Dispose() => _rows?.Dispose();
    }

    private static Source OpenSource(Stream input, string fileName, RosterReadOptions options, Problems problems)
    {
        var stream = Bounded(input, options, problems);
        var start = stream.Position;
        Span<byte> head = stackalloc byte[4];
        var n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Position = start;
        head = head[..n];
        if (head.SequenceEqual("PK\u0003\u0004"u8)) return new XlsxSource(stream, options, problems);
        if (head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]))
            throw Refuse(problems, "古い形式の Excel ファイル（.xls）か、パスワード付きのファイルです。パスワードを外し、"
                + "「Excel ブック (*.xlsx)」か「CSV UTF-8 (コンマ区切り)」で保存し直してください。");
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            throw Refuse(problems, "UTF-16（Excel の「Unicode テキスト」）のファイルは読めません。"
                + "「CSV UTF-8 (コンマ区切り)」か「Excel ブック (*.xlsx)」で保存し直してください。");
        if (Path.GetExtension(fileName).Equals(".xlsx", StringComparison.OrdinalIgnoreCase)) throw NotAWorkbook(problems);
        return new CsvSource(stream, options, problems);
    }

    private static RosterFileException Refuse(Problems problems, string message)
    {
        problems.Add(new(0, null, message));
        return problems.ToException();
    }

    private static RosterFileException NotAWorkbook(Problems problems) =>
        Refuse(problems, "Excel のワークブック（.xlsx）として読めません。Excel で「Excel ブック (*.xlsx)」として保存し直してください。");

    private static RosterFileException TooLarge(Problems problems, long length, long max) => Refuse(problems,
        $"ファイルが大きすぎます（{length.ToString("#,0", CultureInfo.InvariantCulture)} バイト。上限は {max.ToString("#,0", CultureInfo.InvariantCulture)} バイト）。名簿を分けて取り込んでください。");

    /// <summary>
    /// The input as a seekable stream within the size cap: a seekable input is used as it is (its length checked
    /// first); any other is copied into memory, refused as soon as it passes the cap.
    /// </summary>
    private static Stream Bounded(Stream input, RosterReadOptions options, Problems problems)
    {
        if (input.CanSeek)
        {
            var length = input.Length - input.Position;
            if (length > options.MaxFileBytes) throw TooLarge(problems, length, options.MaxFileBytes);
            return input;
        }
        var copy = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = input.Read(buffer)) > 0)
        {
            copy.Write(buffer, 0, n);
            if (copy.Length > options.MaxFileBytes) throw TooLarge(problems, copy.Length, options.MaxFileBytes);
        }
        copy.Position = 0;
        return copy;
    }

    // ---------------------------------------------------------------- CSV

    private sealed class CsvSource : Source
    {
        /// <summary>The longest record Sylvan buffers: beyond it the row (or an unclosed quote) is refused, memory stays bounded.</summary>
        private const int MaxRecordChars = 1 << 20;
        private readonly StreamReader _text;
        private readonly Encoding _encoding;

        public CsvSource(Stream stream, RosterReadOptions options, Problems problems)
        {
            var start = stream.Position;
            Span<byte> bom = stackalloc byte[3];
            var hasBom = stream.ReadAtLeast(bom, 3, throwOnEndOfStream: false) == 3 && bom.SequenceEqual("\uFEFF"u8);
            if (!hasBom) stream.Position = start;
            var utf8 = ResponsesReadOptions.ParseEncoding("utf-8");
            // A BOM says UTF-8 whatever the option; without one, the option, else UTF-8 when the whole file is valid
            // UTF-8, else CP932. The whole file is checked before parsing, so an undecodable byte is reported at its line.
            Encoding encoding;
            long bad;
            if (hasBom || options.Encoding is not null)
                bad = FirstInvalidByte(stream, encoding = hasBom ? utf8 : options.Encoding!);
            else if ((bad = FirstInvalidByte(stream, encoding = utf8)) >= 0)
            {
                var cp932 = ResponsesReadOptions.ParseEncoding("cp932");
                var badCp932 = FirstInvalidByte(stream, cp932);
                if (badCp932 < 0 || badCp932 > bad) (encoding, bad) = (cp932, badCp932); // the one that read further was meant
                if (bad >= 0)
                    throw Refuse(problems, LineOf(stream, bad),
                        "UTF-8 としても Shift_JIS（CP932）としても読めない文字があります。Excel で「CSV UTF-8 (コンマ区切り)」として保存し直してください。");
            }
            if (bad >= 0) throw Refuse(problems, LineOf(stream, bad), $"指定の文字コード（{encoding.WebName}）として読めない文字があります。");
            _encoding = encoding;
            _text = new StreamReader(stream, _encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
            Start(problems);
        }

        private static RosterFileException Refuse(Problems problems, long line, string message)
        {
            problems.Add(new(line, null, message));
            return problems.ToException();
        }

        public override string Format => "csv";
        public override Encoding? Encoding => _encoding;

        /// <summary>The offset (from the current position) of the first byte <paramref name="encoding"/> cannot decode, or -1.</summary>
        private static long FirstInvalidByte(Stream stream, Encoding encoding)
        {
            var start = stream.Position;
            var decoder = encoding.GetDecoder();
            var buffer = new byte[1 << 16];
            var chars = new char[encoding.GetMaxCharCount(buffer.Length)];
            long offset = 0;
            try
            {
                int n;
                while ((n = stream.Read(buffer)) > 0)
                {
                    decoder.GetChars(buffer, 0, n, chars, 0, flush: false);
                    offset += n;
                }
                decoder.GetChars(buffer, 0, 0, chars, 0, flush: true);
                return -1;
            }
            catch (DecoderFallbackException e) { return Math.Max(0, offset + e.Index); }
            finally { stream.Position = start; }
        }

        /// <summary>The line (1-based) holding the byte at <paramref name="offset"/>: LF never occurs inside a UTF-8 or CP932 character.</summary>
        private static long LineOf(Stream stream, long offset)
        {
            var start = stream.Position;
            var line = 1L;
            var buffer = new byte[1 << 16];
            for (long read = 0; read < offset;)
            {
                var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, offset - read));
                if (n == 0) break;
                line += buffer.AsSpan(0, n).Count((byte)'\n');
                read += n;
            }
            stream.Position = start;
            return line;
        }

        protected override IEnumerable<SourceRow> Read(Problems problems)
        {
            CsvDataReader csv;
            try
            {
                csv = CsvDataReader.Create(_text, new CsvDataReaderOptions
                {
                    HasHeaders = false, Delimiter = ',', BufferSize = 1 << 16, MaxBufferSize = MaxRecordChars,
                });
            }
            catch (Exception e) when (IsUnreadable(e))
            {
                throw Unreadable(problems, 1, e);
            }
            using (csv)
            {
                var number = 0L;
                while (true)
                {
                    string?[] cells;
                    try
                    {
                        if (!csv.Read()) yield break;
                        number++;
                        cells = new string?[csv.RowFieldCount];
                        for (var i = 0; i < cells.Length; i++) cells[i] = csv.GetString(i);
                    }
                    catch (Exception e) when (IsUnreadable(e))
                    {
                        throw Unreadable(problems, number + 1, e);
                    }
                    yield return new SourceRow(number, cells);
                }
            }
        }

        private static bool IsUnreadable(Exception e) => e is DecoderFallbackException or CsvFormatException or CsvRecordTooLargeException;

        /// <summary>The rest of a file cannot be read reliably after an undecodable byte or a broken quote: refused here.</summary>
        private RosterFileException Unreadable(Problems problems, long row, Exception e)
        {
            problems.Add(new(row, null, e switch
            {
                DecoderFallbackException => $"指定の文字コード（{_encoding.WebName}）として読めない文字があります。",
                CsvRecordTooLargeException => $"1 行が長すぎるか（{MaxRecordChars:#,0} 文字まで）、引用符（\"）の対応が崩れています。",
                _ => "CSV の引用符（\"）の対応が崩れています。",
            }));
            return problems.ToException();
        }

        public override void Dispose()
        {
            base.Dispose();
            _text.Dispose();
        }
    }

    // ---------------------------------------------------------------- XLSX

    /// <summary>
    /// The first sheet of a workbook, read with OpenXmlReader one row at a time (no DOM of the sheet). The shared
    /// strings are held in memory, bounded by the unpacked-size cap; everything is unpacked once beforehand, counting,
    /// so a zip bomb is refused before any XML is parsed.
    /// </summary>
    private sealed class XlsxSource : Source
    {
        /// <summary>Excel's last column (XFD).</summary>
        private const int MaxColumn = 16384;
        private readonly SpreadsheetDocument _doc;
        private readonly WorksheetPart _part;
        private readonly string _sheet;
        private readonly List<string> _strings = [];
        private readonly HashSet<uint> _dateStyles = [];

        public XlsxSource(Stream stream, RosterReadOptions options, Problems problems)
        {
            CheckPackage(stream, options, problems);
            try
            {
                _doc = SpreadsheetDocument.Open(stream, false);
                var book = _doc.WorkbookPart ?? throw NotAWorkbook(problems);
                var sheet = book.Workbook?.Sheets?.Elements<Sheet>().FirstOrDefault();
                if (sheet?.Id?.Value is not { } id || book.GetPartById(id) is not WorksheetPart part)
                    throw Refuse(problems, "ワークブックにシートがありません。");
                _part = part;
                _sheet = sheet.Name?.Value ?? "Sheet1";
                NoteDateStyles(book);
                if (book.SharedStringTablePart is { } sst)
                {
                    using var reader = OpenXmlReader.Create(sst);
                    while (reader.Read())
                        if (reader.IsStartElement && reader.ElementType == typeof(SharedStringItem))
                            _strings.Add(RichText(reader.LoadCurrentElement()!));
                }
                Start(problems);
            }
            catch (Exception e) when (IsBroken(e))
            {
                _doc?.Dispose();
                throw NotAWorkbook(problems);
            }
        }

        public override string Format => "xlsx";
        public override string? Sheet => _sheet;
        public override string? CellRef(int column, long row) => ColumnLetters(column + 1) + row.ToString(CultureInfo.InvariantCulture);

        private static bool IsBroken(Exception e) => e is OpenXmlPackageException or InvalidDataException or System.Xml.XmlException
            or FileFormatException or IOException or InvalidOperationException or ArgumentException or NotSupportedException
            or FormatException or OverflowException or KeyNotFoundException;

        private static void CheckPackage(Stream stream, RosterReadOptions options, Problems problems)
        {
            string? problem;
            try
            {
                problem = XlsxPackage.Check(stream, options.MaxZipEntries, options.MaxUnzippedBytes,
                    "名簿のシートだけを保存したファイルにするか、名簿を分けてください。");
            }
            catch (InvalidDataException) { throw NotAWorkbook(problems); }
            if (problem is not null) throw Refuse(problems, problem);
        }

        protected override IEnumerable<SourceRow> Read(Problems problems)
        {
            using var reader = OpenXmlReader.Create(_part);
            var number = 0L;
            while (true)
            {
                SourceRow? row = null;
                try
                {
                    if (!reader.Read()) yield break;
                    if (reader.IsStartElement && reader.ElementType == typeof(Row))
                    {
                        var element = (Row)reader.LoadCurrentElement()!;
                        number = element.RowIndex?.Value is { } index && index > number ? index : number + 1;
                        row = Cells(element, number, problems);
                    }
                }
                catch (Exception e) when (IsBroken(e))
                {
                    throw NotAWorkbook(problems);
                }
                if (row is not null) yield return row;
            }
        }

        private SourceRow Cells(Row row, long number, Problems problems)
        {
            var cells = new List<string?>();
            HashSet<int>? failed = null;
            var position = 0;
            foreach (var cell in row.Elements<Cell>())
            {
                var column = cell.CellReference?.Value is { } reference ? ColumnIndex(reference) : position;
                if (column < 0 || column >= MaxColumn) column = position;
                position = column + 1;
                var text = CellValue(cell, out var error);
                while (cells.Count <= column) cells.Add(null);
                cells[column] = text;
                if (error is not null)
                {
                    problems.Add(new(number, null, $"エラー値（{error}）のセルは読めません。値を文字で書いてください。", _sheet, CellRef(column, number)));
                    (failed ??= []).Add(column);
                }
            }
            return new SourceRow(number, [.. cells], failed);
        }

        private string? CellValue(Cell cell, out string? error)
        {
            error = null;
            var raw = cell.CellValue?.Text;
            var type = cell.DataType?.Value;
            if (type == CellValues.InlineString) return cell.InlineString is { } inline ? RichText(inline) : raw;
            if (type == CellValues.String) return Unescape(raw); // a formula's cached text
            if (type == CellValues.SharedString)
                return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < _strings.Count ? _strings[i] : null;
            if (type == CellValues.Boolean) return raw == "1" ? "TRUE" : "FALSE";
            if (type == CellValues.Error)
            {
                error = raw ?? "#VALUE!";
                return null;
            }
            if (type == CellValues.Date) return raw is { Length: >= 10 } ? raw[..10] : raw;
            if (type is null || type == CellValues.Number)
            {
                if (raw is null) return null;
                // A date typed into Excel is a serial number with a date format.
                if (cell.StyleIndex?.Value is { } style && _dateStyles.Contains(style)
                    && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial) && serial is > 0 and < 2_958_466)
                    return DateTime.FromOADate(serial).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                // Excel writes up to 17 significant digits (1.1000000000000001): the shortest form that round trips.
                return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? d.ToString(CultureInfo.InvariantCulture) : raw;
            }
            return raw;
        }

        private void NoteDateStyles(WorkbookPart book)
        {
            var formats = book.WorkbookStylesPart?.Stylesheet?.CellFormats?.Elements<CellFormat>().ToArray() ?? [];
            var custom = new Dictionary<uint, string>();
            foreach (var f in book.WorkbookStylesPart?.Stylesheet?.NumberingFormats?.Elements<NumberingFormat>() ?? [])
                if (f.NumberFormatId?.Value is { } fid) custom[fid] = f.FormatCode?.Value ?? "";
            for (var i = 0; i < formats.Length; i++)
            {
                var id = formats[i].NumberFormatId?.Value ?? 0;
                if (id is >= 14 and <= 22 or >= 27 and <= 36 or >= 50 and <= 58
                    || custom.TryGetValue(id, out var code) && code.Any(c => c is 'y' or 'd') && !code.Contains('#'))
                    _dateStyles.Add((uint)i);
            }
        }

        /// <summary>The text of a string item without its phonetic guide (ふりがな, which Excel adds to Japanese text).</summary>
        private static string RichText(OpenXmlElement item) =>
            Unescape(item.GetFirstChild<Text>() is { } t ? t.Text : string.Concat(item.Elements<Run>().Select(r => r.Text?.Text ?? "")))!;

        /// <summary>
        /// Excel writes characters XML cannot hold (a pasted CR, control characters) as <c>_x000D_</c>, and a literal
        /// <c>_x</c> as <c>_x005F_x</c>: decoded here, so the rules see the real text.
        /// </summary>
        private static string? Unescape(string? text)
        {
            if (text is null || !text.Contains("_x", StringComparison.Ordinal)) return text;
            return EscapedChar().Replace(text, m => ((char)int.Parse(m.Groups[1].ValueSpan, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString());
        }

        /// <summary>The zero-based column of a reference such as D3 (-1 when it is not one).</summary>
        private static int ColumnIndex(string reference)
        {
            var column = 0;
            var i = 0;
            for (; i < reference.Length && char.IsAsciiLetter(reference[i]); i++)
            {
                column = column * 26 + (char.ToUpperInvariant(reference[i]) - 'A' + 1);
                if (column > MaxColumn) return -1;
            }
            return i == 0 ? -1 : column - 1;
        }

        public override void Dispose()
        {
            base.Dispose();
            _doc.Dispose();
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("_x([0-9A-Fa-f]{4})_")]
    private static partial System.Text.RegularExpressions.Regex EscapedChar();

    internal static string ColumnLetters(int position)
    {
        var s = "";
        for (; position > 0; position = (position - 1) / 26) s = (char)('A' + (position - 1) % 26) + s;
        return s;
    }
}

namespace Shirabe.Core.Responses;

/// <summary>
/// Splits a responses file into consecutive parts that can be read at the same time, each a valid responses file of
/// its own (the header line, then whole records). Used to tabulate a big file on every core.
/// </summary>
/// <remarks>
/// A line break ends a record exactly when the number of quotes before it is even (RFC 4180: quotes open and close
/// fields, and an escaped quote is two quotes). Counting quote bytes is safe in UTF-8 and CP932 alike: neither uses
/// 0x22 or 0x0A inside a multi-byte character. A file with an odd number of quotes is malformed and is not split.
/// Rows are numbered within their part, so problems found in a part must be reported by reading the whole file.
/// </remarks>
public static class ResponsesFileParts
{
    private const int ChunkSize = 1 << 20;

    /// <summary>
    /// Openers for up to <paramref name="count"/> parts of the file <paramref name="open"/> opens (it must be seekable),
    /// in file order; a single part (the whole file) when it cannot or need not be split.
    /// </summary>
    public static IReadOnlyList<Func<Stream>> Split(Func<Stream> open, int count)
    {
        using var stream = open();
        var length = stream.Length;
        if (count <= 1 || !stream.CanSeek) return [open];

        var headerEnd = NextRecordStart(stream, 0, quotesBefore: 0);
        if (headerEnd < 0 || CountQuotes(stream, 0, length) % 2 != 0) return [open];
        var starts = new List<long> { headerEnd };
        for (var k = 1; k < count; k++)
        {
            var target = Math.Max(headerEnd + (length - headerEnd) * k / count, starts[^1]);
            var start = NextRecordStart(stream, target, CountQuotes(stream, 0, target));
            if (start < 0 || start >= length) break;
            if (start > starts[^1]) starts.Add(start);
        }
        if (starts.Count == 1) return [open];

        var header = new byte[headerEnd];
        stream.Position = 0;
        stream.ReadExactly(header);
        return starts.Select((start, i) =>
        {
            var end = i + 1 < starts.Count ? starts[i + 1] : length;
            return (Func<Stream>)(() => new PartStream(header, open(), start, end));
        }).ToArray();
    }

    private static long CountQuotes(Stream stream, long from, long to)
    {
        var buffer = new byte[Math.Clamp(to - from, 1, ChunkSize)];
        stream.Position = from;
        long quotes = 0;
        for (var left = to - from; left > 0;)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) break;
            quotes += buffer.AsSpan(0, n).Count((byte)'"');
            left -= n;
        }
        return quotes;
    }

    /// <summary>The offset just after the first record-ending line break at or after <paramref name="from"/>; -1 if none.</summary>
    private static long NextRecordStart(Stream stream, long from, long quotesBefore)
    {
        var buffer = new byte[Math.Clamp(stream.Length - from, 1, ChunkSize)];
        stream.Position = from;
        var even = quotesBefore % 2 == 0;
        var position = from;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                if (buffer[i] == (byte)'"') even = !even;
                else if (buffer[i] == (byte)'\n' && even) return position + i + 1;
            }
            position += n;
        }
        return -1;
    }

    /// <summary>The header bytes followed by bytes [start, end) of the source stream; read-only, forward-only.</summary>
    private sealed class PartStream : Stream
    {
        private readonly byte[] _header;
        private readonly Stream _source;
        private int _headerRead;
        private long _left;

        public PartStream(byte[] header, Stream source, long start, long end)
        {
            _header = header;
            _source = source;
            _source.Position = start;
            _left = end - start;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_headerRead < _header.Length)
            {
                var n = Math.Min(buffer.Length, _header.Length - _headerRead);
                _header.AsSpan(_headerRead, n).CopyTo(buffer);
                _headerRead += n;
                return n;
            }
            if (_left <= 0) return 0;
            var read = _source.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _source.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.Buffers;
using System.Collections;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// The free-text answers of one item in response order, held compactly: each answer is its respondent id and text as
/// UTF-8 bytes in shared blocks, not two strings. Past the tabulation's memory budget (<see cref="TextBudget"/>) the
/// blocks go to a temporary file, so memory does not grow with the amount of text (decision 058). Reads as a list of
/// <see cref="TextAnswer"/> (decoded on the way); <see cref="ForEachUtf8"/> hands out the bytes as they are, for writers
/// of UTF-8 (the JSON).
/// </summary>
public sealed class TextListing : IReadOnlyList<TextAnswer>
{
    /// <summary>How much free text a tabulation holds in memory by default (64 MB); the rest goes to temporary files.</summary>
    public const long DefaultMemoryBytes = 64L << 20;

    private readonly List<TextStore> _stores;
    private List<(TextStore Store, long Offset)>? _index;

    internal TextListing(List<TextStore> stores) => _stores = stores;

    public int Count => (int)_stores.Sum(s => s.Count);

    /// <summary>Calls <paramref name="visit"/> with each answer's respondent id and text as UTF-8, in order.</summary>
    public void ForEachUtf8(Utf8AnswerVisitor visit)
    {
        foreach (var store in _stores) store.ForEach(visit, null);
    }

    public IEnumerator<TextAnswer> GetEnumerator()
    {
        var answers = new List<TextAnswer>();
        foreach (var store in _stores)
        {
            // decoded one block at a time, so a spilled listing is never decoded whole
            var offset = 0L;
            while (offset < store.Length)
            {
                answers.Clear();
                offset = store.ForEach((id, text) => answers.Add(new(Encoding.UTF8.GetString(id), Encoding.UTF8.GetString(text))),
                    null, offset, maxRecords: 4096);
                foreach (var a in answers) yield return a;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One answer by position; the first use records where each answer starts (8 bytes per answer).</summary>
    public TextAnswer this[int index]
    {
        get
        {
            _index ??= BuildIndex();
            var (store, offset) = _index[index];
            TextAnswer? answer = null;
            store.ForEach((id, text) => answer = new(Encoding.UTF8.GetString(id), Encoding.UTF8.GetString(text)), null, offset, 1);
            return answer!;
        }
    }

    private List<(TextStore, long)> BuildIndex()
    {
        var index = new List<(TextStore, long)>(Count);
        foreach (var store in _stores) store.ForEach(null, offset => index.Add((store, offset)));
        return index;
    }
}

/// <summary>Receives one free-text answer as UTF-8 bytes; the spans are valid only during the call.</summary>
public delegate void Utf8AnswerVisitor(ReadOnlySpan<byte> respondent, ReadOnlySpan<byte> text);

/// <summary>
/// The memory the free-text listings of one tabulation may hold before they spill to temporary files; shared by the
/// parts read on several threads.
/// </summary>
internal sealed class TextBudget(long bytes)
{
    private long _used;

    /// <summary>Counts <paramref name="n"/> more bytes in memory; false (and nothing counted) when they would exceed the budget.</summary>
    public bool Take(long n)
    {
        if (Interlocked.Add(ref _used, n) <= bytes) return true;
        Interlocked.Add(ref _used, -n);
        return false;
    }

    public void Release(long n) => Interlocked.Add(ref _used, -n);
}

/// <summary>
/// Appends answers (length-prefixed UTF-8 id, then text) to memory blocks, or once the budget is spent to a temporary
/// file that is deleted when closed. One writer thread; read only after the writing is done.
/// </summary>
internal sealed class TextStore(TextBudget budget)
{
    private const int BlockSize = 1 << 16;
    private readonly List<byte[]> _blocks = [];
    /// <summary>Bytes used in the last block.</summary>
    private int _used = BlockSize;
    /// <summary>Bytes used in each block before the last.</summary>
    private readonly List<int> _ends = [];
    private long _inMemory;
    private FileStream? _file;

    public long Count { get; private set; }
    /// <summary>The bytes of all records (in memory or on disk).</summary>
    public long Length { get; private set; }

    public void Add(string respondent, string text)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(respondent.Length + text.Length));
        var idLength = Encoding.UTF8.GetBytes(respondent, scratch);
        var textLength = Encoding.UTF8.GetBytes(text, scratch.AsSpan(idLength));
        Add(scratch.AsSpan(0, idLength), scratch.AsSpan(idLength, textLength));
        ArrayPool<byte>.Shared.Return(scratch);
    }

    /// <summary>Appends an answer given as UTF-8 (the fast path copies it from the file's bytes, no string between).</summary>
    public void Add(ReadOnlySpan<byte> respondent, ReadOnlySpan<byte> text)
    {
        var n = 10 + respondent.Length + text.Length;
        if (_file is null && n > BlockSize - _used)
        {
            var size = Math.Max(BlockSize, n);
            if (!budget.Take(size)) Spill();
            else
            {
                if (_blocks.Count > 0) _ends.Add(_used);
                _blocks.Add(new byte[size]);
                _inMemory += size;
                _used = 0;
            }
        }
        if (_file is null)
        {
            n = Encode(_blocks[^1].AsSpan(_used), respondent, text);
            _used += n;
        }
        else
        {
            var scratch = ArrayPool<byte>.Shared.Rent(n);
            n = Encode(scratch, respondent, text);
            _file.Write(scratch, 0, n);
            ArrayPool<byte>.Shared.Return(scratch);
        }
        Length += n;
        Count++;
    }

    private static int Encode(Span<byte> into, ReadOnlySpan<byte> respondent, ReadOnlySpan<byte> text)
    {
        var n = WriteLength(into, respondent.Length);
        respondent.CopyTo(into[n..]);
        n += respondent.Length;
        n += WriteLength(into[n..], text.Length);
        text.CopyTo(into[n..]);
        return n + text.Length;
    }

    /// <summary>7 bits a byte, low bits first; returns the bytes written.</summary>
    private static int WriteLength(Span<byte> into, int length)
    {
        var i = 0;
        for (var v = (uint)length; ; v >>= 7)
        {
            if (v < 0x80) { into[i++] = (byte)v; return i; }
            into[i++] = (byte)(v | 0x80);
        }
    }

    /// <summary>Moves the blocks to a temporary file; every later answer is appended there.</summary>
    private void Spill()
    {
        var path = Path.Combine(Path.GetTempPath(), $"shirabe-text-{Guid.NewGuid():N}.tmp");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete,
            1 << 16, FileOptions.DeleteOnClose);
        // gone from the directory at once where the system allows it (Unix); the open handle keeps the data
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        for (var b = 0; b < _blocks.Count; b++) _file.Write(_blocks[b], 0, BlockEnd(b));
        _blocks.Clear();
        _ends.Clear();
        budget.Release(_inMemory);
        _inMemory = 0;
    }

    private int BlockEnd(int block) => block == _blocks.Count - 1 ? _used : _ends[block];

    /// <summary>
    /// Visits the records from <paramref name="from"/> (a record's offset), at most <paramref name="maxRecords"/>;
    /// returns the offset after the last visited.
    /// </summary>
    public long ForEach(Utf8AnswerVisitor? visit, Action<long>? offsets, long from = 0, long maxRecords = long.MaxValue)
    {
        if (_file is not null)
        {
            _file.Flush();
            return ForEachInFile(_file.SafeFileHandle, visit, offsets, from, maxRecords);
        }
        long visited = 0, blockStart = 0;
        for (var b = 0; b < _blocks.Count && visited < maxRecords; b++)
        {
            var end = BlockEnd(b);
            if (from >= blockStart + end) { blockStart += end; continue; }
            var block = _blocks[b].AsSpan(0, end);
            var position = (int)(from - blockStart);
            while (position < end && visited < maxRecords)
            {
                var start = position;
                Next(block, ref position, out var id, out var text);
                offsets?.Invoke(blockStart + start);
                visit?.Invoke(block.Slice(id.Offset, id.Length), block.Slice(text.Offset, text.Length));
                visited++;
            }
            from = blockStart + position;
            blockStart += end;
        }
        return from;
    }

    private long ForEachInFile(SafeFileHandle file, Utf8AnswerVisitor? visit, Action<long>? offsets, long from, long maxRecords)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long visited = 0;
            while (from < Length && visited < maxRecords)
            {
                var read = RandomAccess.Read(file, buffer, from);
                var span = buffer.AsSpan(0, read);
                var position = 0;
                while (visited < maxRecords && from + position < Length)
                {
                    var start = position;
                    if (!Next(span, ref position, out var id, out var text)) { position = start; break; }
                    offsets?.Invoke(from + start);
                    visit?.Invoke(span.Slice(id.Offset, id.Length), span.Slice(text.Offset, text.Length));
                    visited++;
                }
                if (position == 0 && visited < maxRecords)
                {
                    // a record longer than the buffer: read it again into a bigger one
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    continue;
                }
                from += position;
            }
            return from;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the record at <paramref name="position"/>; false when it does not end inside <paramref name="from"/>.</summary>
    private static bool Next(ReadOnlySpan<byte> from, ref int position, out (int Offset, int Length) id, out (int Offset, int Length) text)
    {
        id = text = default;
        if (!TryReadLength(from, ref position, out var idLength) || position + idLength > from.Length) return false;
        id = (position, idLength);
        position += idLength;
        if (!TryReadLength(from, ref position, out var textLength) || position + textLength > from.Length) return false;
        text = (position, textLength);
        position += textLength;
        return true;
    }

    private static bool TryReadLength(ReadOnlySpan<byte> from, ref int position, out int length)
    {
        length = 0;
        for (var shift = 0; position < from.Length; shift += 7)
        {
            var b = from[position++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}

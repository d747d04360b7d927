using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// Writes UTF-8 string properties as <see cref="Utf8JsonWriter"/> with <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>
/// would, byte for byte, but cheaply (decision 074). What is written as is comes from a bitmap built once by asking that
/// encoder about every BMP code point; the escaped form of each ASCII character it escapes (quote, backslash, controls)
/// is the writer's own, also taken once. The quoted result is copied as a raw value. Anything else (a non-ASCII
/// character it escapes, a non-BMP or malformed sequence, a very long text) goes to the writer's own
/// <see cref="Utf8JsonWriter.WriteString(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>. Not thread-safe (one buffer).
/// </summary>
internal sealed class RelaxedJsonText
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Texts longer than this go to the writer (which checks its own length limits).</summary>
    private const int MaxDirectBytes = 4096;

    /// <summary>The longest escaped form of one ASCII byte (\u00XX).</summary>
    private const int MaxEscapedAscii = 6;

    private static readonly SearchValues<byte> PlainAscii = SearchValues.Create(BuildPlainAscii());

    /// <summary>One bit per BMP code point (ASCII included): set when the encoder writes it as is (never for surrogates).</summary>
    private static readonly ulong[] PlainBmp = BuildPlainBmp();

    /// <summary>How the writer writes each ASCII byte the encoder escapes (empty for those written as is).</summary>
    private static readonly byte[][] AsciiEscapes = BuildAsciiEscapes();

    private readonly byte[] _quoted = new byte[MaxDirectBytes * MaxEscapedAscii + 2];

    public void WriteString(Utf8JsonWriter w, ReadOnlySpan<byte> utf8PropertyName, ReadOnlySpan<byte> utf8Value)
    {
        if (utf8Value.Length > MaxDirectBytes || !TryEscape(utf8Value, _quoted.AsSpan(1), out var written))
        {
            w.WriteString(utf8PropertyName, utf8Value);
            return;
        }
        _quoted[0] = (byte)'"';
        _quoted[written + 1] = (byte)'"';
        w.WritePropertyName(utf8PropertyName);
        w.WriteRawValue(_quoted.AsSpan(0, written + 2), skipInputValidation: true);
    }

    /// <summary>
    /// Writes <paramref name="s"/> escaped as the writer would into <paramref name="destination"/> (at least six times
    /// as long); false when it has a character whose escaping is left to the writer.
    /// </summary>
    internal static bool TryEscape(ReadOnlySpan<byte> s, Span<byte> destination, out int written)
    {
        written = 0;
        while (true)
        {
            var plain = PlainPrefix(s);
            s[..plain].CopyTo(destination[written..]);
            written += plain;
            if (plain == s.Length) return true;
            var b = s[plain];
            if (b >= 0x80) return false;
            AsciiEscapes[b].CopyTo(destination[written..]);
            written += AsciiEscapes[b].Length;
            s = s[(plain + 1)..];
        }
    }

    /// <summary>How many bytes at the start of <paramref name="s"/> the encoder writes as is (whole scalars).</summary>
    private static int PlainPrefix(ReadOnlySpan<byte> s)
    {
        // an ASCII run (all of an id) vectorised; then a scalar at a time, without bounds checks
        var first = s.IndexOfAnyExcept(PlainAscii);
        if (first < 0) return s.Length;
        ref var bytes = ref MemoryMarshal.GetReference(s);
        ref var bmp = ref MemoryMarshal.GetArrayDataReference(PlainBmp);
        nuint n = (nuint)s.Length, i = (nuint)first;
        while (i < n)
        {
            uint b = Unsafe.Add(ref bytes, i), cp;
            nuint length;
            if (b < 0x80)
            {
                cp = b;
                length = 1;
            }
            else if ((b & 0xF0) == 0xE0)
            {
                if (n - i < 3) break;
                uint b1 = Unsafe.Add(ref bytes, i + 1), b2 = Unsafe.Add(ref bytes, i + 2);
                if (((b1 | (b2 << 8)) & 0xC0C0) != 0x8080) break;
                cp = ((b & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
                if (cp < 0x800) break;
                length = 3;
            }
            else if ((b & 0xE0) == 0xC0)
            {
                if (n - i < 2) break;
                uint b1 = Unsafe.Add(ref bytes, i + 1);
                if ((b1 & 0xC0) != 0x80) break;
                cp = ((b & 0x1F) << 6) | (b1 & 0x3F);
                if (cp < 0x80) break;
                length = 2;
            }
            else break; // a four-byte scalar (always escaped) or a malformed sequence
            if ((Unsafe.Add(ref bmp, (nint)(cp >> 6)) & (1UL << (int)cp)) == 0) break;
            i += length;
        }
        return (int)i;
    }

    private static byte[] BuildPlainAscii()
    {
        var plain = new List<byte>();
        for (var b = 0; b < 0x80; b++)
            if (Encoder.FindFirstCharacterToEncodeUtf8([(byte)b]) < 0) plain.Add((byte)b);
        return [.. plain];
    }

    private static ulong[] BuildPlainBmp()
    {
        var bits = new ulong[0x10000 / 64];
        Span<byte> utf8 = stackalloc byte[4];
        for (var cp = 0; cp < 0x10000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) continue;
            var n = new System.Text.Rune(cp).EncodeToUtf8(utf8);
            if (Encoder.FindFirstCharacterToEncodeUtf8(utf8[..n]) < 0) bits[cp >> 6] |= 1UL << cp;
        }
        return bits;
    }

    private static byte[][] BuildAsciiEscapes()
    {
        var escapes = new byte[0x80][];
        var buffer = new ArrayBufferWriter<byte>();
        for (var b = 0; b < 0x80; b++)
        {
            if (Encoder.FindFirstCharacterToEncodeUtf8([(byte)b]) < 0)
            {
                escapes[b] = [];
                continue;
            }
            buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder }))
                w.WriteStringValue([(byte)b]);
            var quoted = buffer.WrittenSpan;
            escapes[b] = quoted[1..^1].ToArray();
            if (escapes[b].Length > MaxEscapedAscii) throw new InvalidOperationException($"unexpected escape for {b:X2}");
        }
        return escapes;
    }
}

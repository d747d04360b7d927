using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// Writes a UTF-8 string property as <see cref="Utf8JsonWriter"/> with <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>
/// would, byte for byte, but cheaply when nothing in it needs escaping (decision 074): the answer is taken from tables
/// built once by asking that encoder about every ASCII byte and every BMP scalar, and the quoted bytes are copied
/// as a raw value. Anything else (a character it escapes, a non-BMP or malformed sequence, a very long text) goes to
/// the writer's own <see cref="Utf8JsonWriter.WriteString(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.
/// </summary>
internal static class RelaxedJsonText
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Texts longer than this go to the writer (which checks its own length limits).</summary>
    private const int MaxDirectBytes = 4096;

    private static readonly SearchValues<byte> PlainAscii = SearchValues.Create(BuildPlainAscii());

    /// <summary>One bit per BMP code point: set when the encoder writes it as is (never for surrogates).</summary>
    private static readonly ulong[] PlainBmp = BuildPlainBmp();

    public static void WriteString(Utf8JsonWriter w, ReadOnlySpan<byte> utf8PropertyName, ReadOnlySpan<byte> utf8Value)
    {
        if (utf8Value.Length > MaxDirectBytes || !NeedsNoEscaping(utf8Value))
        {
            w.WriteString(utf8PropertyName, utf8Value);
            return;
        }
        Span<byte> quoted = stackalloc byte[MaxDirectBytes + 2];
        quoted[0] = (byte)'"';
        utf8Value.CopyTo(quoted[1..]);
        quoted[utf8Value.Length + 1] = (byte)'"';
        w.WritePropertyName(utf8PropertyName);
        w.WriteRawValue(quoted[..(utf8Value.Length + 2)], skipInputValidation: true);
    }

    /// <summary>True only when the encoder would write every byte of <paramref name="s"/> as is.</summary>
    internal static bool NeedsNoEscaping(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (true)
        {
            var k = s[i..].IndexOfAnyExcept(PlainAscii);
            if (k < 0) return true;
            i += k;
            // non-ASCII (or an ASCII byte the encoder escapes): decode two- and three-byte scalars in a row here
            do
            {
                int b = s[i], cp;
                if ((b & 0xE0) == 0xC0)
                {
                    if (i + 1 >= s.Length || (s[i + 1] & 0xC0) != 0x80) return false;
                    cp = ((b & 0x1F) << 6) | (s[i + 1] & 0x3F);
                    if (cp < 0x80) return false;
                    i += 2;
                }
                else if ((b & 0xF0) == 0xE0)
                {
                    if (i + 2 >= s.Length || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) return false;
                    cp = ((b & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
                    if (cp < 0x800) return false;
                    i += 3;
                }
                else return false; // an escaped ASCII byte, a four-byte scalar (escaped) or a malformed sequence
                if ((PlainBmp[cp >> 6] & (1UL << cp)) == 0) return false;
            } while (i < s.Length && s[i] >= 0x80);
        }
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
        for (var cp = 0x80; cp < 0x10000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) continue;
            var n = new System.Text.Rune(cp).EncodeToUtf8(utf8);
            if (Encoder.FindFirstCharacterToEncodeUtf8(utf8[..n]) < 0) bits[cp >> 6] |= 1UL << cp;
        }
        return bits;
    }
}

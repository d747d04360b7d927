using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Shirabe.Core.Tabulation;

namespace Shirabe.Core.Tests;

/// <summary>The free texts of the tabulation JSON are written by our own "needs no escaping" check; the bytes must be the writer's.</summary>
public class RelaxedJsonTextTests
{
    // characters the encoder treats specially, or that sit at the edges of its tables
    private static readonly int[] Edges =
    [
        0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, 0x20, '"', '\\', '/', '<', '>', '&', '\'', '+', '`', 0x7E, 0x7F,
        0x80, 0x85, 0x9F, 0xA0, 0xAD, 0xFF, 0x300, 0x7FF, 0x800, 0x2028, 0x2029, 0x200B, 0x200E, 0x202E, 0x2060, 0x3000,
        0x3042, 0x300D, 0x4E00, 0x9FFF, 0xD7FF, 0xE000, 0xF8FF, 0xFDD0, 0xFEFF, 0xFF01, 0xFFF0, 0xFFFD, 0xFFFE, 0xFFFF,
        0x0378, 0x0530, 0x10000, 0x1F600, 0x1F468, 0x20BB7, 0xE0001, 0x10FFFF,
    ];

    [Fact]
    public void RandomTextsOverAllOfUnicode_AreWrittenByteForByteAsTheWriterWritesThem()
    {
        var random = new Random(74);
        var direct = 0;
        for (var n = 0; n < 20000; n++)
        {
            var text = new StringBuilder();
            var length = random.Next(0, 40);
            // all of Unicode, mostly plain with now and then a special character, or only plain Japanese and ASCII,
            // so that both the direct path and the writer's are taken
            var mode = random.Next(3);
            for (var i = 0; i < length; i++)
            {
                int cp = (mode switch { 0 => random.Next(4), 1 => random.Next(60), _ => 4 + random.Next(56) }) switch
                {
                    0 => Edges[random.Next(Edges.Length)],
                    1 => random.Next(0x80),
                    2 => random.Next(0x10000),
                    3 => random.Next(0x110000),
                    < 20 => 0x20 + random.Next(0x5F), // printable ASCII
                    < 40 => 0x3040 + random.Next(0x60), // kana
                    _ => 0x4E00 + random.Next(0x5200), // kanji
                };
                if (cp is >= 0xD800 and <= 0xDFFF) cp = 0xFFFD;
                text.Append(char.ConvertFromUtf32(cp));
            }
            var utf8 = Encoding.UTF8.GetBytes(text.ToString());
            if (RelaxedJsonText.TryEscape(utf8, new byte[utf8.Length * 6], out _)) direct++;
            Assert.Equal(WriterBytes(utf8, indented: n % 2 == 0), OurBytes(utf8, indented: n % 2 == 0));
        }
        Assert.InRange(direct, 6000, 14000); // both paths are exercised
    }

    [Fact]
    public void EveryBmpCodePointAndMalformedBytes_AreWrittenAsTheWriterWritesThem()
    {
        for (var cp = 0; cp < 0x10000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) continue;
            var utf8 = Encoding.UTF8.GetBytes("a" + char.ConvertFromUtf32(cp) + "あ");
            Assert.Equal(WriterBytes(utf8, false), OurBytes(utf8, false));
        }
        var random = new Random(2028);
        for (var n = 0; n < 20000; n++)
        {
            var bytes = new byte[random.Next(1, 12)];
            random.NextBytes(bytes);
            // invalid UTF-8 (lone continuation bytes, overlong forms, encoded surrogates, truncated sequences)
            // must behave as in the writer, whether it escapes or throws
            Assert.Equal(Outcome(() => WriterBytes(bytes, false)), Outcome(() => OurBytes(bytes, false)));
        }
        foreach (var bad in new byte[][] { [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xE3, 0x81], [0xF4, 0x90, 0x80, 0x80] })
            Assert.Equal(Outcome(() => WriterBytes(bad, false)), Outcome(() => OurBytes(bad, false)));
    }

    private static string Outcome(Func<byte[]> write)
    {
        try { return Convert.ToHexString(write()); }
        catch (Exception e) { return e.GetType().Name; }
    }

    private static byte[] WriterBytes(byte[] utf8, bool indented) =>
        Write(indented, w => { w.WriteString("respondent"u8, "R1"u8); w.WriteString("text"u8, utf8); });

    private static byte[] OurBytes(byte[] utf8, bool indented) =>
        Write(indented, w => { var texts = new RelaxedJsonText(); texts.WriteString(w, "respondent"u8, "R1"u8); texts.WriteString(w, "text"u8, utf8); });

    // two answers in an array, as in the tabulation JSON's "answers"
    private static byte[] Write(bool indented, Action<Utf8JsonWriter> answer)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            for (var i = 0; i < 2; i++)
            {
                w.WriteStartObject();
                answer(w);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return ms.ToArray();
    }
}

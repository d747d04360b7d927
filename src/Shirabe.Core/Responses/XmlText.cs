using System.Globalization;

namespace Shirabe.Core.Responses;

/// <summary>
/// The one rule for text that XML 1.0 cannot hold (docs/decisions/012-text-xml-cannot-hold.md): C0 control characters
/// other than tab, LF and CR, U+FFFE and U+FFFF, and unpaired surrogates. Input (the form, the importer) refuses them;
/// every writer of XML output (Word, Excel, SVG, HTML) removes any that got in before, with <see cref="Clean"/>.
/// </summary>
public static class XmlText
{
    /// <summary>The index of the first character XML 1.0 cannot hold, or -1.</summary>
    public static int IndexOfInvalid(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c >= 0x20 && c < 0xD800) continue; // the common case: one compare
            if (IsInvalidAt(s, i)) return i;
            if (char.IsHighSurrogate(c)) i++; // a valid pair
        }
        return -1;
    }

    public static bool IsValid(ReadOnlySpan<char> s) => IndexOfInvalid(s) < 0;

    /// <summary>
    /// <paramref name="s"/> without the characters XML 1.0 cannot hold (the same instance when there are none).
    /// Removing rather than replacing keeps pasted control characters from showing as marks in a report.
    /// </summary>
    public static string Clean(string s)
    {
        var first = IndexOfInvalid(s);
        if (first < 0) return s;
        var sb = new System.Text.StringBuilder(s.Length);
        sb.Append(s, 0, first);
        for (var i = first; i < s.Length; i++)
        {
            if (IsInvalidAt(s, i)) continue;
            sb.Append(s[i]);
            if (char.IsHighSurrogate(s[i])) sb.Append(s[++i]);
        }
        return sb.ToString();
    }

    /// <summary>The first offending character for a message: 「U+FFFF（12 文字目）」.</summary>
    public static string Describe(ReadOnlySpan<char> s, int index) =>
        $"U+{(int)s[index]:X4}（{(index + 1).ToString("#,0", CultureInfo.InvariantCulture)} 文字目）";

    /// <summary>The Japanese message used by the form and the importer when text holds such a character.</summary>
    public static string Message(ReadOnlySpan<char> s, int index) =>
        $"使えない文字（制御文字・非文字・不完全なサロゲート: {Describe(s, index)}）が含まれています。その文字を消して入力し直してください。";

    private static bool IsInvalidAt(ReadOnlySpan<char> s, int i)
    {
        var c = s[i];
        if (c < 0x20) return c is not ('\t' or '\n' or '\r');
        if (c is '\uFFFE' or '\uFFFF') return true;
        if (char.IsHighSurrogate(c)) return i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]);
        return char.IsLowSurrogate(c); // a low surrogate not preceded by a high one (pairs are skipped by the callers)
    }
}

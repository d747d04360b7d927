using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Shirabe.Pdf;

/// <summary>Where a named destination points: the page (1-based) and the height of its top edge, in points from the page's foot.</summary>
public readonly record struct PdfPlace(int Page, double Y);

/// <summary>
/// Reads the named destinations of a PDF that Chromium printed: Chromium writes one for every element that a link in the
/// document points to (its id), in the catalog's /Dests dictionary, as [page /XYZ x y zoom]. That is where each heading,
/// caption and table row landed, which a second render uses for page numbers and continued tables.
/// Only Chromium's (Skia's) plain layout is read: a classic cross-reference table, objects not in object streams.
/// </summary>
public static partial class PdfDestinations
{
    public static IReadOnlyDictionary<string, PdfPlace> Read(byte[] pdf)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var objects = Offsets(text);
        string? Body(int id)
        {
            if (!objects.TryGetValue(id, out var at) || at < 0 || at >= text.Length) return null;
            var start = text.IndexOf(" obj", at, StringComparison.Ordinal);
            var end = start < 0 ? -1 : text.IndexOf("endobj", start, StringComparison.Ordinal);
            return end < 0 ? null : text[(start + 4)..end];
        }
        int? Ref(string? body, string key) =>
            body is not null && Regex.Match(body, "/" + key + @"\s+(\d+)\s+0\s+R") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

        var result = new Dictionary<string, PdfPlace>();
        var trailer = text.LastIndexOf("trailer", StringComparison.Ordinal);
        var catalog = Body(Ref(trailer < 0 ? null : text[trailer..], "Root") ?? -1);
        if (Ref(catalog, "Pages") is not { } root || Ref(catalog, "Dests") is not { } dests) return result;

        // Page objects in order: a depth-first walk of the page tree.
        var pages = new Dictionary<int, int>();
        void Walk(int id, int depth)
        {
            if (depth > 32 || Body(id) is not { } body) return;
            if (PageType().IsMatch(body)) { pages[id] = pages.Count + 1; return; }
            if (Kids().Match(body) is { Success: true } kids)
                foreach (Match k in Reference().Matches(kids.Groups[1].Value)) Walk(int.Parse(k.Groups[1].Value, CultureInfo.InvariantCulture), depth + 1);
        }
        Walk(root, 0);

        if (Body(dests) is not { } names) return result;
        foreach (Match m in Destination().Matches(names))
        {
            if (!pages.TryGetValue(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), out var page)) continue;
            var name = HexEscape().Replace(m.Groups[1].Value, e => ((char)Convert.ToInt32(e.Groups[1].Value, 16)).ToString());
            result[name] = new PdfPlace(page, double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        }
        return result;
    }

    /// <summary>Object number → offset, from the cross-reference table that startxref points to (a stream's bytes may look like an object header).</summary>
    private static Dictionary<int, int> Offsets(string text)
    {
        var offsets = new Dictionary<int, int>();
        var startxref = text.LastIndexOf("startxref", StringComparison.Ordinal);
        if (startxref < 0 || StartXref().Match(text, startxref) is not { Success: true } at) return offsets;
        var position = int.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture);
        if (position < 0 || position >= text.Length || string.CompareOrdinal(text, position, "xref", 0, 4) != 0) return offsets;
        var end = text.IndexOf("trailer", position, StringComparison.Ordinal);
        var section = text[position..(end < 0 ? text.Length : end)];
        var first = 0;
        foreach (var line in section.Split('\n').Skip(1))
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length == 2) first = int.Parse(parts[0], CultureInfo.InvariantCulture); // a subsection: first number, count
            else if (parts.Length == 3)
            {
                if (parts[2] == "n") offsets[first] = int.Parse(parts[0], CultureInfo.InvariantCulture);
                first++;
            }
        }
        return offsets;
    }

    [GeneratedRegex(@"startxref\s+(\d+)")]
    private static partial Regex StartXref();

    [GeneratedRegex(@"/Type\s*/Page\b(?!s)")]
    private static partial Regex PageType();

    [GeneratedRegex(@"/Kids\s*\[([^\]]*)\]")]
    private static partial Regex Kids();

    [GeneratedRegex(@"(\d+)\s+0\s+R")]
    private static partial Regex Reference();

    [GeneratedRegex(@"/([^\s/\[\]<>()]+)\s*\[\s*(\d+)\s+0\s+R\s*/XYZ\s+[-\d.]+\s+([-\d.]+)")]
    private static partial Regex Destination();

    [GeneratedRegex("#([0-9A-Fa-f]{2})")]
    private static partial Regex HexEscape();
}

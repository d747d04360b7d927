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
/// Only Chromium's (Skia's) plain layout is read: objects written out, not in object streams.
/// </summary>
public static partial class PdfDestinations
{
    public static IReadOnlyDictionary<string, PdfPlace> Read(byte[] pdf)
    {
        var text = Encoding.Latin1.GetString(pdf);
        var objects = new Dictionary<int, int>();
        foreach (Match m in ObjectStart().Matches(text)) objects[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)] = m.Index + m.Length;
        string? Body(int id)
        {
            if (!objects.TryGetValue(id, out var at)) return null;
            var end = text.IndexOf("endobj", at, StringComparison.Ordinal);
            return end < 0 ? null : text[at..end];
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

    [GeneratedRegex(@"(?<=\n|^)(\d+) 0 obj\s*")]
    private static partial Regex ObjectStart();

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

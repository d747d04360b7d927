using System.IO.Compression;

namespace Shirabe;

/// <summary>
/// The zip-bomb check of an uploaded workbook (a roster, a survey definition), before any XML is parsed: the number of
/// parts, then every part unpacked once with a running count, so a bomb is stopped at the limit whatever its headers claim.
/// </summary>
public static class XlsxPackage
{
    /// <summary>
    /// Null when <paramref name="package"/> is within the limits, else what is wrong, in Japanese, with the limit
    /// (<paramref name="advice"/>, what to do, follows the unpacked-size message). Throws <see cref="InvalidDataException"/>
    /// when it is not a readable zip. A seekable stream is left where it was.
    /// </summary>
    public static string? Check(Stream package, int maxParts, long maxUnzippedBytes, string advice)
    {
        var start = package.CanSeek ? package.Position : 0;
        try
        {
            using var zip = new ZipArchive(package, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > maxParts)
                return $"ワークブックの部品が多すぎます（{zip.Entries.Count:#,0} 個。上限は {maxParts:#,0} 個）。";
            var unzipped = $"ワークブックを展開すると大きすぎます（上限は {maxUnzippedBytes:#,0} バイト）。{advice}";
            long total = 0;
            var buffer = new byte[81920];
            foreach (var entry in zip.Entries)
            {
                // The declared size first: a bomb that admits its size is refused without unpacking. One that
                // understates it is cut at the size it claims by .NET's zip reader (here and in the parse).
                if (total + entry.Length > maxUnzippedBytes) return unzipped;
                using var s = entry.Open();
                int n;
                while ((n = s.Read(buffer)) > 0)
                    if ((total += n) > maxUnzippedBytes) return unzipped;
            }
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException("Not a readable zip package.", e);
        }
        if (package.CanSeek) package.Position = start;
        return null;
    }
}

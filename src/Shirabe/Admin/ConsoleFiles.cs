using System.Globalization;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Admin;

/// <summary>Names of the files the console hands out, and their Content-Disposition (RFC 6266).</summary>
public static class ConsoleFiles
{
    /// <summary>「sc3-2023-報告書-20231215.pdf」: the survey, what it is, the day it was made (in the survey's time zone).</summary>
    public static string Name(Survey survey, string what, DateTimeOffset at, string extension) =>
        $"{survey.Id}-{what}-{survey.Period.ToLocal(at.UtcDateTime):yyyyMMdd}.{extension}";

    /// <summary>
    /// attachment; filename="ASCII fallback"; filename*=UTF-8''percent-encoded — the Japanese name for every current
    /// browser, an ASCII one (non-ASCII as '_') for the rest.
    /// </summary>
    public static string Disposition(string fileName)
    {
        var ascii = new string(fileName.Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_').ToArray());
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }

    /// <summary>「12 KB」「3.4 MB」.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} バイト",
        < 1024 * 1024 => $"{Math.Max(1, (int)Math.Round(bytes / 1024.0)).ToString("#,0", CultureInfo.InvariantCulture)} KB",
        _ => $"{(bytes / 1024.0 / 1024.0).ToString("#,0.0", CultureInfo.InvariantCulture)} MB",
    };
}

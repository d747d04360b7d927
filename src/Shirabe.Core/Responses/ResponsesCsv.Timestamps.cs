using System.Globalization;

namespace Shirabe.Core.Responses;

/// <summary>The submitted_at column: the canonical <c>yyyy-MM-ddTHH:mm:ss±hh:mm</c> written, a few ISO 8601 forms read.</summary>
public static partial class ResponsesCsv
{
    private static readonly string[] TimestampFormats =
        ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out DateTimeOffset value) =>
        // The canonical form is read by hand: the framework's format-driven parser was a fifth of the reading time.
        TryParseCanonicalTimestamp(text, out value)
        || DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);

    /// <summary>Exactly <c>yyyy-MM-ddTHH:mm:ss±hh:mm</c> (what <see cref="FormatTimestamp"/> writes); false for anything else.</summary>
    internal static bool TryParseCanonicalTimestamp(ReadOnlySpan<char> t, out DateTimeOffset value)
    {
        value = default;
        if (t.Length != 25 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':'
            || t[19] is not ('+' or '-') || t[22] != ':')
            return false;
        if (!Digits(t, 0, 4, out var year) || !Digits(t, 5, 2, out var month) || !Digits(t, 8, 2, out var day)
            || !Digits(t, 11, 2, out var hour) || !Digits(t, 14, 2, out var minute) || !Digits(t, 17, 2, out var second)
            || !Digits(t, 20, 2, out var offsetHours) || !Digits(t, 23, 2, out var offsetMinutes))
            return false;
        if (year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59 || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60)
            return false;
        var offset = new TimeSpan(offsetHours, offsetMinutes, 0);
        value = new DateTimeOffset(year, month, day, hour, minute, second, t[19] == '-' ? -offset : offset);
        return true;

        static bool Digits(ReadOnlySpan<char> s, int start, int count, out int result)
        {
            result = 0;
            for (var i = start; i < start + count; i++)
            {
                if (s[i] is < '0' or > '9') return false;
                result = result * 10 + (s[i] - '0');
            }
            return true;
        }
    }

    public static string FormatTimestamp(DateTimeOffset t) =>
        t.ToString(t.Millisecond == 0 && t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:sszzz" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
}

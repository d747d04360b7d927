using System.Globalization;
using System.Text;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Responses;

/// <summary>Writing the canonical responses file.</summary>
public static partial class ResponsesCsv
{
    /// <summary>Writes the canonical form: UTF-8 with BOM, CRLF between records, fields quoted only when needed.</summary>
    /// <remarks>
    /// With <paramref name="forSpreadsheet"/>, text that a spreadsheet would run as a formula gets a leading apostrophe
    /// (<see cref="SpreadsheetSafe"/>): for a file that will be opened in Excel, not for interchange — such a file no
    /// longer round-trips exactly.
    /// </remarks>
    public static void Write(Stream stream, Survey survey, IEnumerable<Response> responses, bool forSpreadsheet = false)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16, leaveOpen: true);
        WriteRecord(writer, Header(survey));
        var fields = new List<string>();
        foreach (var r in responses)
        {
            fields.Clear();
            fields.Add(r.Id);
            fields.Add(r.SubmittedAt is { } at ? FormatTimestamp(at) : "");
            foreach (var item in survey.Items)
                AddCells(fields, item, r.Answers[item.Index]);
            if (forSpreadsheet)
                for (var i = 0; i < fields.Count; i++) fields[i] = SpreadsheetSafe(fields[i]);
            WriteRecord(writer, fields);
        }
    }

    /// <summary>
    /// Text that a spreadsheet would take for a formula — beginning with = + - @ or their full-width forms, also after
    /// leading spaces, line feeds or a BOM, or beginning with a tab or CR — gets a leading apostrophe, so it stays text. Numbers and codes never begin so (a negative number is not a valid cell here).
    /// </summary>
    public static string SpreadsheetSafe(string text)
    {
        if (text.Length == 0) return text;
        if (text[0] is '\t' or '\r') return "'" + text;
        // Spreadsheets skip leading blanks, line feeds and a BOM, and read full-width ＝＋－＠ as the ASCII ones.
        var start = text.AsSpan().TrimStart(" \t\r\n\uFEFF\u3000\u200B");
        return start.Length > 0 && start[0] is '=' or '+' or '-' or '@' or '＝' or '＋' or '－' or '＠' ? "'" + text : text;
    }

    /// <summary>The cell(s) of one item, as written to the file.</summary>
    public static void AddCells(List<string> fields, Item item, Answer a)
    {
        switch (item.Kind)
        {
            case ItemKind.Text:
                fields.Add(a.Text ?? "");
                break;
            case ItemKind.Split:
                foreach (var i in Enumerable.Range(0, item.Parts.Count))
                    fields.Add(a.State switch
                    {
                        AnswerState.NotAsked => NotAskedValue,
                        AnswerState.NoAnswer => "",
                        _ => a.Parts![i]?.ToString("0.############################", CultureInfo.InvariantCulture) ?? "",
                    });
                break;
            default:
                fields.Add(a.State switch
                {
                    AnswerState.NotAsked => NotAskedValue,
                    AnswerState.NoAnswer => "",
                    _ when item.Kind == ItemKind.Multiple => string.Join(';', a.ChoiceCodes()),
                    _ => a.Choice.ToString(CultureInfo.InvariantCulture),
                });
                break;
        }
    }

    private static void WriteRecord(TextWriter w, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var f in fields)
        {
            if (!first) w.Write(',');
            first = false;
            if (f.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                w.Write('"');
                w.Write(f.Replace("\"", "\"\""));
                w.Write('"');
            }
            else w.Write(f);
        }
        w.Write("\r\n");
    }
}

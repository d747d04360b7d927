using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Tabulation;

/// <summary>
/// The public JSON form of a tabulation (docs/tabulate-json.md): what `shirabe tabulate --format json` prints and what
/// analysts' scripts read. Option codes are the printed numbers as strings; percents are numbers with exactly one
/// decimal (50.0, never 50). Additive changes only: fields are added, never renamed or removed.
/// </summary>
public static class TabulationJson
{
    /// <summary>
    /// Compact by default (`--indent` for people). Japanese is written as is, not as \uXXXX. Relaxed escaping is
    /// acceptable ONLY because this JSON goes to files and stdout for programs to read; it must never be embedded in
    /// HTML (use the default encoder there).
    /// </summary>
    private static JsonWriterOptions Options(bool indented) => new()
    {
        Indented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the tabulation as UTF-8, streamed (free-text listings are copied from their bytes), and a line break.</summary>
    public static void Write(Stream stream, SurveyTabulation tabulation, bool indented = false)
    {
        using var w = new Utf8JsonWriter(stream, Options(indented));
        Write(w, tabulation);
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    public static string ToJson(SurveyTabulation tabulation, bool indented = false)
    {
        using var ms = new MemoryStream();
        Write(ms, tabulation, indented);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    public static void Write(Utf8JsonWriter w, SurveyTabulation t)
    {
        w.WriteStartObject();
        w.WriteString("survey", t.Survey.Id);
        w.WriteString("title", t.Survey.Title);
        w.WriteNumber("respondents", t.Respondents);
        w.WriteNumber("drafts", t.Drafts);
        if (t.Segment is { } segment)
        {
            w.WriteStartArray("where");
            foreach (var f in segment.Filters)
            {
                w.WriteStartObject();
                w.WriteString("item", f.Item.Code);
                w.WriteStartArray("codes");
                foreach (var c in f.Codes) w.WriteStringValue(Code(c));
                w.WriteEndArray();
                w.WriteBoolean("noAnswer", f.NoAnswer);
                w.WriteString("text", f.ToString());
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (t.Previous is { } previous)
        {
            w.WriteStartObject("previous");
            w.WriteString("survey", previous.Previous.Survey.Id);
            w.WriteString("title", previous.Previous.Survey.Title);
            w.WriteNumber("respondents", previous.Previous.Respondents);
            w.WriteNumber("drafts", previous.Previous.Drafts);
            w.WriteEndObject();
        }
        w.WriteStartArray("items");
        foreach (var item in t.Items) WriteItem(w, item, t.Previous);
        w.WriteEndArray();
        if (t.Cross is { } cross) WriteCross(w, cross);
        w.WriteEndObject();
    }

    private static void WriteItem(Utf8JsonWriter w, ItemTable table, WaveComparison? previous)
    {
        var item = table.Item;
        w.WriteStartObject();
        w.WriteString("code", item.Code);
        w.WriteString("question", item.QuestionCode);
        w.WriteString("kind", item.Kind.ToString().ToLowerInvariant());
        w.WriteString("label", item.ReportLabel);
        w.WriteNumber("n", table.N);
        switch (table)
        {
            case ChoiceTable c:
                if (item.Scale is { } scale)
                {
                    w.WriteStartArray("scale");
                    foreach (var p in scale.Points) w.WriteStringValue(p.ReportLabel);
                    w.WriteEndArray();
                }
                if (c.Mentions is { } mentions) w.WriteNumber("mentions", mentions);
                w.WriteStartArray("options");
                foreach (var o in c.Options)
                {
                    w.WriteStartObject();
                    w.WriteString("code", Code(o.Option.Code));
                    w.WriteString("label", o.Option.ReportLabel);
                    w.WriteNumber("count", o.Count);
                    WritePercent(w, "percent", o.Percent);
                    if (o.PercentOfMentions is { } pm) WritePercent(w, "percentOfMentions", pm);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                WriteShare(w, "noAnswer", c.NoAnswer);
                break;
            case SplitTable s:
                w.WriteNumber("total", s.Item.Total);
                w.WriteStartArray("parts");
                foreach (var p in s.Parts)
                {
                    w.WriteStartObject();
                    w.WriteString("code", p.Part.Code);
                    w.WriteString("label", p.Part.Label);
                    w.WriteNumber("answered", p.Answered);
                    WriteDecimal(w, "mean", p.Mean);
                    WriteDecimal(w, "median", p.Median);
                    WriteDecimal(w, "min", p.Min);
                    WriteDecimal(w, "max", p.Max);
                    w.WriteStartArray("bands");
                    foreach (var b in p.Bands)
                    {
                        w.WriteStartObject();
                        w.WriteString("label", b.Label);
                        w.WriteNumber("count", b.Count);
                        WritePercent(w, "percent", b.Percent);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                WriteShare(w, "noAnswer", s.NoAnswer);
                break;
            case TextTable x:
                w.WriteStartArray("answers");
                // A big file has hundreds of thousands of texts: hand them to the stream as we go, not all at the end.
                if (x.Answers is TextListing listing)
                {
                    var texts = new RelaxedJsonText();
                    listing.ForEachUtf8((respondent, text) =>
                    {
                        w.WriteStartObject();
                        texts.WriteString(w, "respondent"u8, respondent);
                        texts.WriteString(w, "text"u8, text);
                        w.WriteEndObject();
                        if (w.BytesPending > 1 << 16) w.Flush();
                    });
                }
                else
                    foreach (var a in x.Answers)
                    {
                        w.WriteStartObject();
                        w.WriteString("respondent", a.Respondent);
                        w.WriteString("text", a.Text);
                        w.WriteEndObject();
                        if (w.BytesPending > 1 << 16) w.Flush();
                    }
                w.WriteEndArray();
                WriteShare(w, "noAnswer", Share.Of(x.N - x.Answers.Count, x.N));
                break;
        }
        if (previous is not null) WritePrevious(w, table, previous);
        w.WriteEndObject();
    }

    /// <summary>
    /// The previous wave's figures of a comparable item, options under this wave's codes (docs/tabulate-json.md);
    /// for an item that is not comparable, only the reason.
    /// </summary>
    private static void WritePrevious(Utf8JsonWriter w, ItemTable table, WaveComparison comparison)
    {
        w.WriteStartObject("previous");
        var old = comparison.TableFor(table.Item);
        w.WriteBoolean("comparable", old is not null);
        if (old is null)
        {
            w.WriteString("reason", comparison.ReasonFor(table.Item));
            w.WriteEndObject();
            return;
        }
        w.WriteString("code", old.Item.Code);
        w.WriteNumber("n", old.N);
        switch (old)
        {
            case ChoiceTable c when table is ChoiceTable now:
                if (c.Mentions is { } mentions) w.WriteNumber("mentions", mentions);
                w.WriteStartArray("options");
                foreach (var o in now.Options)
                {
                    if (comparison.PreviousRow(table.Item, c, o.Option.Code) is not { } row) continue;
                    w.WriteStartObject();
                    w.WriteString("code", Code(o.Option.Code));
                    w.WriteString("previousCode", Code(row.Option.Code));
                    w.WriteNumber("count", row.Count);
                    WritePercent(w, "percent", row.Percent);
                    if (row.PercentOfMentions is { } pm) WritePercent(w, "percentOfMentions", pm);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                WriteShare(w, "noAnswer", c.NoAnswer);
                break;
            case SplitTable s:
                w.WriteStartArray("parts");
                foreach (var p in s.Parts)
                {
                    w.WriteStartObject();
                    w.WriteString("code", p.Part.Code);
                    w.WriteNumber("answered", p.Answered);
                    WriteDecimal(w, "mean", p.Mean);
                    WriteDecimal(w, "median", p.Median);
                    WriteDecimal(w, "min", p.Min);
                    WriteDecimal(w, "max", p.Max);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                WriteShare(w, "noAnswer", s.NoAnswer);
                break;
            case TextTable x:
                w.WriteNumber("answered", x.Answers.Count);
                WriteShare(w, "noAnswer", Share.Of(x.N - x.Answers.Count, x.N));
                break;
        }
        w.WriteEndObject();
    }

    private static void WriteCross(Utf8JsonWriter w, CrossTable x)
    {
        w.WriteStartObject("cross");
        w.WriteString("rows", x.Rows.Code);
        w.WriteString("columns", x.Columns.Code);
        w.WriteNumber("n", x.N);
        WriteTotals(w, "rowTotals", x.Rows, x.RowTotals);
        WriteTotals(w, "columnTotals", x.Columns, x.ColumnTotals);
        w.WriteStartArray("cells");
        foreach (var c in x.Cells)
        {
            w.WriteStartObject();
            WriteCode(w, "row", c.Row);
            WriteCode(w, "column", c.Column);
            w.WriteNumber("count", c.Count);
            WritePercent(w, "rowPercent", c.RowPercent);
            WritePercent(w, "columnPercent", c.ColumnPercent);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteTotals(Utf8JsonWriter w, string name, Item item, IReadOnlyList<CrossTotal> totals)
    {
        w.WriteStartArray(name);
        foreach (var t in totals)
        {
            w.WriteStartObject();
            WriteCode(w, "code", t.Code);
            w.WriteString("label", t.Code is { } c ? item.FindOption(c)!.ReportLabel : SegmentFilter.NoAnswerWord);
            w.WriteNumber("count", t.Count);
            WritePercent(w, "percent", t.Percent);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>Option codes are strings ("1"); 無回答 has no code (null).</summary>
    private static void WriteCode(Utf8JsonWriter w, string name, int? code)
    {
        if (code is { } c) w.WriteString(name, Code(c));
        else w.WriteNull(name);
    }

    private static string Code(int code) => code.ToString(CultureInfo.InvariantCulture);

    private static void WriteShare(Utf8JsonWriter w, string name, Share share)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", share.Count);
        WritePercent(w, "percent", share.Percent);
        w.WriteEndObject();
    }

    /// <summary>Exactly one decimal, as printed: 50 is written 50.0.</summary>
    private static void WritePercent(Utf8JsonWriter w, string name, decimal percent)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(percent.ToString("0.0", CultureInfo.InvariantCulture), skipInputValidation: true);
    }

    /// <summary>A value as given (14.5 stays 14.5, 100 stays 100).</summary>
    private static void WriteDecimal(Utf8JsonWriter w, string name, decimal value)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(value.ToString("0.############################", CultureInfo.InvariantCulture), skipInputValidation: true);
    }
}

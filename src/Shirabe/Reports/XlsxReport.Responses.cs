using System.Globalization;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;

namespace Shirabe.Reports;

/// <summary>
/// The raw-responses sheet: written as SpreadsheetML by hand, row by row, straight into the final zip, because the
/// OpenXML SDK keeps every part it writes in memory.
/// </summary>
public static partial class XlsxReport
{
    /// <summary>Copies the workbook's zip entries to <paramref name="output"/>, writing <paramref name="streamed"/>'s content as it goes.</summary>
    private static void Repack(Stream workbook, Stream output, string streamed, Action<Stream> write)
    {
        using var source = new System.IO.Compression.ZipArchive(workbook, System.IO.Compression.ZipArchiveMode.Read);
        using var target = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in source.Entries)
        {
            using var to = target.CreateEntry(entry.FullName, System.IO.Compression.CompressionLevel.Fastest).Open();
            if (entry.FullName == streamed) write(to);
            else
            {
                using var from = entry.Open();
                from.CopyTo(to);
            }
        }
    }

    /// <summary>The raw responses sheet as SpreadsheetML, streamed row by row (inline strings, numbers as numbers).</summary>
    private static void WriteResponses(Stream target, IReadOnlyList<Core.Questionnaire.Item> items, IEnumerable<Response> responses,
        IReadOnlyDictionary<(string Column, string Respondent), string> edits)
    {
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        List<string> header = [ResponsesCsv.IdColumn, ResponsesCsv.SubmittedAtColumn, .. items.SelectMany(i => i.Columns)];
        var textColumns = new bool[header.Count];
        var col = 2;
        foreach (var item in items)
            foreach (var _ in item.Columns) textColumns[col++] = item.Kind == ItemKind.Text;
        textColumns[0] = textColumns[1] = true;
        var names = Enumerable.Range(0, header.Count).Select(ColumnName).ToArray();

        using var x = System.Xml.XmlWriter.Create(target, new System.Xml.XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false) });
        x.WriteStartDocument(true);
        x.WriteStartElement("worksheet", ns);
        x.WriteStartElement("cols", ns);
        for (var i = 0; i < header.Count; i++)
        {
            x.WriteStartElement("col", ns);
            x.WriteAttributeString("min", (i + 1).ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("max", (i + 1).ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("width", i < 2 ? "22" : "10");
            x.WriteAttributeString("customWidth", "1");
            x.WriteEndElement();
        }
        x.WriteEndElement();
        x.WriteStartElement("sheetData", ns);

        void Text(int column, long row, string text, uint style)
        {
            x.WriteStartElement("c", ns);
            x.WriteAttributeString("r", names[column] + row.ToString(CultureInfo.InvariantCulture));
            if (style != 0) x.WriteAttributeString("s", style.ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("t", "inlineStr");
            x.WriteStartElement("is", ns);
            x.WriteStartElement("t", ns);
            if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])))
                x.WriteAttributeString("xml", "space", null, "preserve");
            x.WriteString(Neutralise(text));
            x.WriteEndElement();
            x.WriteEndElement();
            x.WriteEndElement();
        }

        void Field(int column, long row, string f)
        {
            if (!textColumns[column] && decimal.TryParse(f, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
            {
                x.WriteStartElement("c", ns);
                x.WriteAttributeString("r", names[column] + row.ToString(CultureInfo.InvariantCulture));
                x.WriteElementString("v", ns, f);
                x.WriteEndElement();
            }
            else Text(column, row, f, StyleText);
        }

        x.WriteStartElement("row", ns);
        x.WriteAttributeString("r", "1");
        for (var i = 0; i < header.Count; i++) Text(i, 1, header[i], StyleHeader);
        x.WriteEndElement();

        var fields = new List<string>(header.Count);
        long r = 1;
        foreach (var response in responses)
        {
            r++;
            fields.Clear();
            fields.Add(response.Id);
            fields.Add(response.SubmittedAt is { } at ? ResponsesCsv.FormatTimestamp(at) : "");
            Shirabe.Core.Questionnaire.Item? current = null;
            try
            {
                foreach (var item in items)
                {
                    current = item;
                    ResponsesCsv.AddCells(fields, item, response.Answers[item.Index]);
                    if (item.Kind == ItemKind.Text && edits.Count > 0 && edits.TryGetValue((item.ColumnName, response.Id), out var edited))
                        fields[^1] = edited;
                }
            }
            catch (Exception e) { throw Failed(response.Id, $"設問 {current?.Code}", e); }
            x.WriteStartElement("row", ns);
            x.WriteAttributeString("r", r.ToString(CultureInfo.InvariantCulture));
            for (var i = 0; i < fields.Count; i++)
            {
                if (fields[i].Length == 0) continue;
                try { Field(i, r, fields[i]); }
                catch (Exception e) when (e is not IOException) { throw Failed(response.Id, $"列 {header[i]}", e); }
            }
            x.WriteEndElement();
        }
        x.WriteEndElement();
        x.WriteEndElement();
        x.WriteEndDocument();
    }

    /// <summary>A failure in the raw-responses sheet names the respondent and the item, so the answer can be found.</summary>
    private static InvalidOperationException Failed(string respondent, string where, Exception e) =>
        new($"回答データの書き出しに失敗しました（回答者 {respondent}、{where}）: {e.Message}", e);
}

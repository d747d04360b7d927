using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Item = Shirabe.Core.Questionnaire.Item;

namespace Shirabe.Surveys;

/// <summary>One problem in a survey workbook, located by sheet and cell (`survey!C12`), or by sheet alone.</summary>
public sealed record WorkbookProblem(string Sheet, string? Cell, string Message)
{
    public override string ToString() => Cell is null ? $"{Sheet}: {Message}" : $"{Sheet}!{Cell}: {Message}";
}

public sealed class SurveyWorkbookException(IReadOnlyList<WorkbookProblem> problems)
    : UserError("調査票のワークブックに誤りがあります:\n" + string.Join("\n", problems))
{
    public IReadOnlyList<WorkbookProblem> Problems { get; } = problems;
}

/// <summary>
/// A survey definition as an Excel workbook in the spirit of XLSForm (docs/survey-format.md, decision 037): sheets
/// `survey`, `choices` and `settings` (and optional `privacy` and `mail`). Reading converts the workbook to survey.yaml text so that
/// <see cref="SurveyLoader"/> stays the only parser; its errors are mapped back to the cells they came from.
/// </summary>
public static class SurveyWorkbook
{
    /// <summary>The largest workbook accepted (a definition is a few tens of KB).</summary>
    public const long MaxFileBytes = 5 << 20;
    /// <summary>The most bytes its zip entries may hold once unpacked (refuses a zip bomb before any XML is parsed).</summary>
    public const long MaxUnzippedBytes = 20 << 20;
    /// <summary>The most zip entries (parts) in the package.</summary>
    public const int MaxEntries = 200;
    /// <summary>The most rows in one sheet.</summary>
    public const int MaxRows = 5000;

    public const string SurveySheet = "survey", ChoicesSheet = "choices", SettingsSheet = "settings", PrivacySheet = "privacy", MailSheet = "mail";

    public static readonly string[] SurveyColumns =
    [
        "type", "code", "kind", "prompt", "label", "note", "title", "short", "required", "showIf", "scale", "choices",
        "parts", "total", "personal", "role", "input", "maxLength", "pageBreak", "sameAs",
    ];
    public static readonly string[] ChoiceColumns = ["list", "code", "label", "short", "exclusive", "sameAs"];
    /// <summary>The optional privacy sheet: one row per field; `purpose` and `body` rows repeat, one per entry.</summary>
    public static readonly string[] PrivacyColumns = ["field", "text"];
    private static readonly string[] PrivacyFields = ["title", "handler", "purpose", "retention", "sharing", "contact", "body"];
    /// <summary>The optional mail sheet: one row per template the survey defines (kind invitation, reminder or receipt).</summary>
    public static readonly string[] MailColumns = ["kind", "subject", "body"];
    public static readonly string[] SettingsColumns = ["id", "title", "owner", "opens", "closes", "timeZone", "contact", "scales"];
    private static readonly HashSet<string> Flags = ["required", "personal", "pageBreak", "exclusive"];

    // ---------------------------------------------------------------- reading

    /// <summary>Reads a workbook file: its survey and the YAML it converts to. Throws a <see cref="UserError"/> listing every problem.</summary>
    public static (Survey Survey, string Yaml) ReadFile(string path)
    {
        var name = Path.GetFileName(path);
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes) throw TooLarge(name, length);
        using var stream = File.OpenRead(path);
        return Read(stream, name);
    }

    /// <summary>Reads a workbook from <paramref name="input"/> (at most <see cref="MaxFileBytes"/> are read).</summary>
    public static (Survey Survey, string Yaml) Read(Stream input, string fileName)
    {
        var bytes = ReadBounded(input, fileName);
        CheckPackage(bytes, fileName);
        var book = new Reader(fileName);
        try
        {
            using var doc = SpreadsheetDocument.Open(new MemoryStream(bytes, writable: false), false);
            book.Convert(doc);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or System.Xml.XmlException or FileFormatException)
        {
            throw NotAWorkbook(fileName);
        }
        return book.Load();
    }

    private static SurveyWorkbookException TooLarge(string name, long length) => new([new(name, null,
        $"ファイルが大きすぎます（{length.ToString("#,0", CultureInfo.InvariantCulture)} バイト。上限は {MaxFileBytes:#,0} バイト）。")]);

    private static SurveyWorkbookException NotAWorkbook(string name) =>
        new([new(name, null, "Excel のワークブック（.xlsx）として読めません。Excel で「Excel ブック (*.xlsx)」として保存してください。")]);

    private static byte[] ReadBounded(Stream input, string name)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = input.Read(buffer)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > MaxFileBytes) throw TooLarge(name, ms.Length);
        }
        return ms.ToArray();
    }

    /// <summary>Refuses a zip bomb before any XML is parsed (<see cref="XlsxPackage"/>).</summary>
    private static void CheckPackage(byte[] bytes, string name)
    {
        string? problem;
        try
        {
            problem = XlsxPackage.Check(new MemoryStream(bytes, writable: false), MaxEntries, MaxUnzippedBytes,
                "調査票の定義だけを保存したファイルにしてください。");
        }
        catch (InvalidDataException) { throw NotAWorkbook(name); }
        if (problem is not null) throw new SurveyWorkbookException([new(name, null, problem)]);
    }

    /// <summary>A cell's text with its reference; rows keyed by column name.</summary>
    private sealed record CellText(string Text, string Ref);

    private sealed record SheetRows(string Name, List<(int Row, Dictionary<string, CellText> Cells)> Rows);

    /// <summary>Turns the three sheets into YAML lines, each remembering the cell it came from.</summary>
    private sealed class Reader(string fileName)
    {
        private readonly List<WorkbookProblem> _problems = [];
        private readonly StringBuilder _yaml = new();
        private readonly List<(string Sheet, string? Cell)> _lineCells = [(SettingsSheet, null)]; // index = YAML line (1-based)
        private readonly Dictionary<string, List<(Dictionary<string, CellText> Cells, int Row)>> _lists = new(StringComparer.Ordinal);
        /// <summary>A sheet or the settings row is missing: the loader would only repeat it, at the wrong cells.</summary>
        private bool _incomplete;

        public void Convert(SpreadsheetDocument doc)
        {
            var book = doc.WorkbookPart ?? throw NotAWorkbook(fileName);
            NoteDateStyles(book);
            var strings = book.SharedStringTablePart?.SharedStringTable?.Elements<SharedStringItem>().Select(i => RichText(i)).ToArray() ?? [];
            SheetRows? Sheet(string name, string[] columns)
            {
                var sheet = book.Workbook?.Sheets?.Elements<Sheet>().FirstOrDefault(s => string.Equals(s.Name?.Value, name, StringComparison.OrdinalIgnoreCase));
                if (sheet?.Id?.Value is not { } id || book.GetPartById(id) is not WorksheetPart part)
                {
                    _problems.Add(new(name, null, $"シート「{name}」がありません（見出し: {string.Join(", ", columns)}）。"));
                    _incomplete = true;
                    return null;
                }
                return ReadSheet(name, part, strings, columns);
            }
            var settings = Sheet(SettingsSheet, SettingsColumns);
            var choices = Sheet(ChoicesSheet, ChoiceColumns);
            var survey = Sheet(SurveySheet, SurveyColumns);
            if (choices is not null) CollectLists(choices);
            if (settings is not null) EmitSettings(settings);
            if (survey is not null) EmitSurvey(survey);
            // Optional: a survey without a privacy notice has no privacy sheet.
            if (book.Workbook?.Sheets?.Elements<Sheet>().Any(x => string.Equals(x.Name?.Value, PrivacySheet, StringComparison.OrdinalIgnoreCase)) == true
                && Sheet(PrivacySheet, PrivacyColumns) is { } privacy)
                EmitPrivacy(privacy);
            // Optional too: without a mail sheet the survey uses the default templates.
            if (book.Workbook?.Sheets?.Elements<Sheet>().Any(x => string.Equals(x.Name?.Value, MailSheet, StringComparison.OrdinalIgnoreCase)) == true
                && Sheet(MailSheet, MailColumns) is { } mail)
                EmitMail(mail);
        }

        public (Survey, string) Load()
        {
            if (_incomplete) throw new SurveyWorkbookException(_problems);
            var yaml = _yaml.ToString();
            try
            {
                var survey = SurveyLoader.Load(yaml, fileName);
                if (_problems.Count > 0) throw new SurveyWorkbookException(_problems);
                return (survey, yaml);
            }
            catch (SurveyDefinitionException e)
            {
                // A cell already reported by the workbook check is not reported again by the loader.
                var seen = _problems.Where(p => p.Cell is not null).Select(p => (p.Sheet, p.Cell)).ToHashSet();
                var all = new List<WorkbookProblem>(_problems);
                foreach (var p in e.Problems)
                {
                    var (sheet, cell) = p.Line > 0 && p.Line < _lineCells.Count ? _lineCells[(int)p.Line] : (SurveySheet, null);
                    if (cell is not null && seen.Contains((sheet, cell))) continue;
                    all.Add(new(sheet, cell, p.Message));
                }
                throw new SurveyWorkbookException(all);
            }
        }

        // --- sheets to rows

        private SheetRows ReadSheet(string name, WorksheetPart part, string[] strings, string[] columns)
        {
            var rows = new SheetRows(name, []);
            var header = new Dictionary<string, string>(StringComparer.Ordinal); // column letters -> field
            var first = true;
            var count = 0;
            foreach (var row in part.Worksheet?.GetFirstChild<SheetData>()?.Elements<Row>() ?? [])
            {
                if (++count > MaxRows)
                {
                    _problems.Add(new(name, null, $"行が多すぎます（上限は {MaxRows:#,0} 行）。"));
                    break;
                }
                var cells = new Dictionary<string, CellText>(StringComparer.Ordinal);
                var position = 0;
                foreach (var cell in row.Elements<Cell>())
                {
                    position++;
                    var reference = cell.CellReference?.Value ?? ColumnLetters(position) + row.RowIndex?.Value;
                    var letters = new string(reference.TakeWhile(char.IsAsciiLetter).ToArray());
                    var text = CellValue(name, cell, reference, strings)?.Trim();
                    if (string.IsNullOrEmpty(text)) continue;
                    if (first)
                    {
                        var field = columns.FirstOrDefault(c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase));
                        if (field is null)
                            _problems.Add(new(name, reference, $"不明な見出し「{text}」です（使える見出し: {string.Join(", ", columns)}）。"));
                        else if (header.ContainsValue(field))
                            _problems.Add(new(name, reference, $"見出し「{field}」が重複しています。"));
                        else header[letters] = field;
                    }
                    else if (header.TryGetValue(letters, out var field))
                    {
                        if (IsDate(cell) && field is not ("opens" or "closes"))
                            _problems.Add(new(name, reference, $"{field} が日付（{text}）になっています。Excel が日付に変えたためです: セルの書式を「文字列」にして入力し直してください。"));
                        else if (Flags.Contains(field) && NormaliseFlag(text) is not { } flag)
                            _problems.Add(new(name, reference, $"{field} は TRUE か FALSE（または空欄）にしてください（「{text}」）。"));
                        else cells[field] = new CellText(Flags.Contains(field) ? NormaliseFlag(text)! : text, reference);
                    }
                    else if (!_problems.Any(p => p.Sheet == name && p.Cell == letters + "1"))
                        _problems.Add(new(name, reference, "見出しのない列に値があります（1 行目に見出しを書いてください）。"));
                }
                if (first)
                {
                    first = false;
                    continue;
                }
                if (cells.Count > 0) rows.Rows.Add(((int)(row.RowIndex?.Value ?? (uint)count), cells));
            }
            return rows;
        }

        private static string? NormaliseFlag(string text) => text.ToLowerInvariant() switch
        {
            "true" or "1" => "true",
            "false" or "0" => "false",
            _ => null,
        };

        private string? CellValue(string sheet, Cell cell, string reference, string[] strings)
        {
            var raw = cell.CellValue?.Text;
            var type = cell.DataType?.Value;
            if (type == CellValues.InlineString) return cell.InlineString is { } inline ? RichText(inline) : raw;
            if (type == CellValues.SharedString)
                return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < strings.Length ? strings[i] : null;
            if (type == CellValues.Boolean) return raw == "1" ? "true" : "false";
            if (type == CellValues.Error)
            {
                _problems.Add(new(sheet, reference, $"エラー値（{raw}）のセルは読めません。値を文字か数で書いてください。"));
                return null;
            }
            if (type == CellValues.Date) return raw is { Length: >= 10 } ? raw[..10] : raw;
            if (type is null || type == CellValues.Number)
            {
                if (raw is null) return null;
                // A date typed into Excel is a serial number with a date format; opens/closes are read as dates.
                if (IsDateStyled(cell) && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial))
                    return DateTime.FromOADate(serial).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                return decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? d.ToString(CultureInfo.InvariantCulture) : raw;
            }
            return raw; // a formula's cached string
        }

        /// <summary>Set by <see cref="Convert"/>: which style indexes are date formats.</summary>
        private HashSet<uint>? _dateStyles;

        private bool IsDate(Cell cell) => cell.DataType?.Value == CellValues.Date
            || (cell.DataType is null || cell.DataType.Value == CellValues.Number) && IsDateStyled(cell);

        private bool IsDateStyled(Cell cell) => cell.StyleIndex?.Value is { } s && (_dateStyles?.Contains(s) ?? false);

        private void NoteDateStyles(WorkbookPart book)
        {
            _dateStyles = [];
            var formats = book.WorkbookStylesPart?.Stylesheet?.CellFormats?.Elements<CellFormat>().ToArray() ?? [];
            var custom = book.WorkbookStylesPart?.Stylesheet?.NumberingFormats?.Elements<NumberingFormat>()
                .Where(f => f.NumberFormatId?.Value is not null)
                .ToDictionary(f => f.NumberFormatId!.Value, f => f.FormatCode?.Value ?? "") ?? [];
            for (var i = 0; i < formats.Length; i++)
            {
                var id = formats[i].NumberFormatId?.Value ?? 0;
                if (id is >= 14 and <= 22 or >= 27 and <= 36 or >= 50 and <= 58
                    || custom.TryGetValue(id, out var code) && code.Any(c => c is 'y' or 'd') && !code.Contains('#'))
                    _dateStyles.Add((uint)i);
            }
        }

        /// <summary>The text of a string item without its phonetic guide (ふりがな, which Excel adds to Japanese text).</summary>
        private static string RichText(OpenXmlElement item) =>
            item.GetFirstChild<Text>() is { } t ? t.Text : string.Concat(item.Elements<Run>().Select(r => r.Text?.Text ?? ""));

        private static string ColumnLetters(int position)
        {
            var s = "";
            for (; position > 0; position = (position - 1) / 26) s = (char)('A' + (position - 1) % 26) + s;
            return s;
        }

        // --- rows to YAML

        private void Line(int indent, string text, string sheet, string? cell)
        {
            _yaml.Append(' ', indent).Append(text).Append('\n');
            _lineCells.Add((sheet, cell));
        }

        private static string Q(string value)
        {
            var sb = new StringBuilder("\"");
            foreach (var c in value)
                sb.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    < ' ' => $"\\x{(int)c:x2}",
                    _ => c.ToString(),
                });
            return sb.Append('"').ToString();
        }

        private void Field(int indent, string key, Dictionary<string, CellText> cells, string sheet, string? field = null)
        {
            if (cells.TryGetValue(field ?? key, out var c)) Line(indent, $"{key}: {Q(c.Text)}", sheet, c.Ref);
        }

        private void CollectLists(SheetRows choices)
        {
            foreach (var (row, cells) in choices.Rows)
            {
                if (!cells.TryGetValue("list", out var list))
                {
                    _problems.Add(new(ChoicesSheet, "A" + row.ToString(CultureInfo.InvariantCulture), "list（選択肢リストの名前）が空です。"));
                    continue;
                }
                if (!_lists.TryGetValue(list.Text, out var entries)) _lists[list.Text] = entries = [];
                entries.Add((cells, row));
            }
        }

        private void EmitList(int indent, string name, bool parts)
        {
            foreach (var (cells, _) in _lists[name])
            {
                var keys = parts ? new[] { "code", "label" } : ["code", "label", "short", "exclusive", "sameAs"];
                var dash = true;
                foreach (var key in keys)
                {
                    if (!cells.TryGetValue(key, out var c)) continue;
                    Line(dash ? indent : indent + 2, (dash ? "- " : "") + $"{key}: {Q(c.Text)}", ChoicesSheet, c.Ref);
                    dash = false;
                }
                if (dash) Line(indent, "- {}", ChoicesSheet, cells["list"].Ref);
                foreach (var extra in cells.Keys.Where(k => k != "list" && !keys.Contains(k)))
                    _problems.Add(new(ChoicesSheet, cells[extra].Ref, $"split の parts には {extra} を書けません（code と label だけです）。"));
            }
        }

        /// <summary>A list named in <paramref name="cell"/>; a missing one is reported there and emitted empty.</summary>
        private void ListField(int indent, string key, CellText cell, bool parts)
        {
            if (!_lists.ContainsKey(cell.Text))
            {
                _problems.Add(new(SurveySheet, cell.Ref, $"選択肢リスト「{cell.Text}」が choices シートにありません。"));
                Line(indent, $"{key}: []", SurveySheet, cell.Ref);
                return;
            }
            Line(indent, $"{key}:", SurveySheet, cell.Ref);
            EmitList(indent + 2, cell.Text, parts);
        }

        private void EmitSettings(SheetRows settings)
        {
            if (settings.Rows.Count == 0)
            {
                _problems.Add(new(SettingsSheet, "A2", "settings シートの 2 行目に id, title, opens, closes, timeZone などを書いてください。"));
                _incomplete = true;
                return;
            }
            if (settings.Rows.Count > 1)
                _problems.Add(new(SettingsSheet, "A" + settings.Rows[1].Row.ToString(CultureInfo.InvariantCulture), "settings シートは 2 行目だけを使います（3 行目以降は書かないでください）。"));
            var cells = settings.Rows[0].Cells;
            foreach (var key in new[] { "id", "title", "owner", "contact" }) Field(0, key, cells, SettingsSheet);
            var period = new[] { "opens", "closes", "timeZone" }.Where(cells.ContainsKey).ToArray();
            if (period.Length > 0)
            {
                Line(0, "period:", SettingsSheet, cells[period[0]].Ref);
                foreach (var key in period) Field(2, key, cells, SettingsSheet);
            }
            if (cells.TryGetValue("scales", out var scales))
            {
                Line(0, "scales:", SettingsSheet, scales.Ref);
                foreach (var name in SplitList(scales.Text))
                {
                    if (!_lists.ContainsKey(name))
                    {
                        _problems.Add(new(SettingsSheet, scales.Ref, $"尺度「{name}」の選択肢リストが choices シートにありません。"));
                        continue;
                    }
                    Line(2, $"{Q(name)}:", SettingsSheet, scales.Ref);
                    EmitList(4, name, parts: false);
                }
            }
        }

        private void EmitPrivacy(SheetRows privacy)
        {
            var rows = new List<(string Field, CellText Text)>();
            foreach (var (row, cells) in privacy.Rows)
            {
                var at = "A" + row.ToString(CultureInfo.InvariantCulture);
                if (!cells.TryGetValue("field", out var field) || !PrivacyFields.Contains(field.Text))
                {
                    _problems.Add(new(PrivacySheet, field?.Ref ?? at, $"field には {string.Join(", ", PrivacyFields)} のどれかを書いてください。"));
                    continue;
                }
                if (cells.TryGetValue("text", out var text)) rows.Add((field.Text, text));
                else _problems.Add(new(PrivacySheet, "B" + row.ToString(CultureInfo.InvariantCulture), $"{field.Text} の text が空です。"));
            }
            if (rows.Count == 0) return;
            Line(0, "privacy:", PrivacySheet, rows[0].Text.Ref);
            foreach (var (field, list) in new[] { ("purpose", "purposes"), ("body", "body") })
            {
                var entries = rows.Where(x => x.Field == field).ToList();
                if (entries.Count == 0) continue;
                Line(2, list + ":", PrivacySheet, entries[0].Text.Ref);
                foreach (var (_, text) in entries) Line(4, "- " + Q(text.Text), PrivacySheet, text.Ref);
            }
            foreach (var (field, text) in rows.Where(x => x.Field is not ("purpose" or "body")))
                Line(2, $"{field}: {Q(text.Text)}", PrivacySheet, text.Ref);
        }

        private void EmitMail(SheetRows mail)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var first = true;
            foreach (var (row, cells) in mail.Rows)
            {
                var at = "A" + row.ToString(CultureInfo.InvariantCulture);
                if (!cells.TryGetValue("kind", out var kind) || !SurveyMail.Kinds.Contains(kind.Text))
                {
                    _problems.Add(new(MailSheet, kind?.Ref ?? at, $"kind には {string.Join(", ", SurveyMail.Kinds)} のどれかを書いてください。"));
                    continue;
                }
                if (!seen.Add(kind.Text))
                {
                    _problems.Add(new(MailSheet, kind.Ref, $"kind「{kind.Text}」の行が重複しています（1 種類に 1 行です）。"));
                    continue;
                }
                var missing = MailColumns.Skip(1).Where(c => !cells.ContainsKey(c)).ToList();
                // Named at the kind's cell: the columns may be in any order.
                foreach (var column in missing)
                    _problems.Add(new(MailSheet, kind.Ref, $"{kind.Text} の {column}（{(column == "subject" ? "件名" : "本文")}）が空です。"));
                if (missing.Count > 0) continue;
                if (first) Line(0, "mail:", MailSheet, kind.Ref);
                first = false;
                Line(2, kind.Text + ":", MailSheet, kind.Ref);
                Field(4, "subject", cells, MailSheet);
                Field(4, "body", cells, MailSheet);
            }
        }

        private static string[] SplitList(string text) =>
            text.Split([',', '、', '，'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        private void EmitSurvey(SheetRows survey)
        {
            Line(0, "sections:", SurveySheet, null);
            string? open = null; // "section", "question" or "items" (a question whose items are being listed)
            foreach (var (row, cells) in survey.Rows)
            {
                var rowRef = "A" + row.ToString(CultureInfo.InvariantCulture);
                if (!cells.TryGetValue("type", out var type))
                {
                    _problems.Add(new(SurveySheet, rowRef, "type（section, question, item のいずれか）が空です。"));
                    continue;
                }
                var typeRef = type.Ref;
                switch (type.Text.ToLowerInvariant())
                {
                    case "section":
                        Line(2, "- id: " + Q(cells.TryGetValue("code", out var id) ? id.Text : ""), SurveySheet, id?.Ref ?? typeRef);
                        foreach (var (key, c) in cells.Where(x => x.Key is not ("type" or "code")))
                            Line(4, $"{key}: {Q(c.Text)}", SurveySheet, c.Ref);
                        Line(4, "questions:", SurveySheet, typeRef);
                        open = "section";
                        break;
                    case "question":
                        if (open is null)
                        {
                            _problems.Add(new(SurveySheet, typeRef, "最初の question の前に section の行が必要です。"));
                            continue;
                        }
                        EmitEntry(6, cells, typeRef);
                        open = "question";
                        break;
                    case "item":
                        if (open is not ("question" or "items"))
                        {
                            _problems.Add(new(SurveySheet, typeRef, "item の行は question の行の後に書いてください。"));
                            continue;
                        }
                        if (open == "question") Line(8, "items:", SurveySheet, typeRef);
                        EmitEntry(10, cells, typeRef);
                        open = "items";
                        break;
                    default:
                        _problems.Add(new(SurveySheet, typeRef, $"type「{type.Text}」は使えません（section, question, item のいずれか）。"));
                        break;
                }
            }
            if (open is null && !_problems.Any(p => p.Sheet == SurveySheet))
                _problems.Add(new(SurveySheet, "A2", "survey シートに section の行がありません。"));
        }

        /// <summary>A question or item row as a YAML mapping; the loader reports any field that does not belong.</summary>
        private void EmitEntry(int indent, Dictionary<string, CellText> cells, string typeRef)
        {
            var dash = true;
            void Put(string text, string cell)
            {
                Line(dash ? indent : indent + 2, (dash ? "- " : "") + text, SurveySheet, cell);
                dash = false;
            }
            Put("code: " + Q(cells.TryGetValue("code", out var code) ? code.Text : ""), code?.Ref ?? typeRef);
            foreach (var field in SurveyColumns.Where(f => f is not ("type" or "code") && cells.ContainsKey(f)))
            {
                var c = cells[field];
                switch (field)
                {
                    case "choices":
                        ListField(indent + 2, "options", c, parts: false);
                        break;
                    case "parts":
                        ListField(indent + 2, "parts", c, parts: true);
                        break;
                    case "showIf":
                        EmitCondition(indent + 2, c);
                        break;
                    default:
                        Put($"{field}: {Q(c.Text)}", c.Ref);
                        break;
                }
            }
        }

        /// <summary>`B2 = 3` or `2-11-a, 2-11-b = 2, 3`: the items named, then the option codes any of which shows this one.</summary>
        private void EmitCondition(int indent, CellText cell)
        {
            var sides = cell.Text.Split(['=', '＝']);
            if (sides.Length != 2 || SplitList(sides[0]) is not { Length: > 0 } items || SplitList(sides[1]) is not { Length: > 0 } codes)
            {
                _problems.Add(new(SurveySheet, cell.Ref, $"showIf「{cell.Text}」は「設問番号 = 選択肢番号」の形で書いてください（例: B2 = 3、2-11-a, 2-11-b = 2, 3）。"));
                return;
            }
            Line(indent, "showIf:", SurveySheet, cell.Ref);
            Line(indent + 2, items.Length == 1 ? $"item: {Q(items[0])}" : $"items: [{string.Join(", ", items.Select(Q))}]", SurveySheet, cell.Ref);
            Line(indent + 2, $"anyOf: [{string.Join(", ", codes.Select(Q))}]", SurveySheet, cell.Ref);
        }
    }

    // ---------------------------------------------------------------- writing

    /// <summary>Writes <paramref name="survey"/> as a workbook for people: bold frozen header rows, column widths, one choices list per item.</summary>
    public static void Write(Survey survey, Stream output)
    {
        var choices = new List<string?[]>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        string AddList(string name, IEnumerable<string?[]> rows)
        {
            var unique = name;
            for (var i = 2; !names.Add(unique); i++) unique = $"{name}_{i}";
            choices.AddRange(rows.Select(r => (string?[])[unique, .. r]));
            return unique;
        }
        static string? Flag(bool value) => value ? "TRUE" : null;
        static string?[] OptionRow(Option o) => [Int(o.Code), o.Label, o.Short, Flag(o.Exclusive), o.SameAs?.ToString(CultureInfo.InvariantCulture)];

        var scaleNames = survey.Scales.Select(s => AddList(s.Id, s.Points.Select(OptionRow))).ToArray();
        var rows = new List<string?[]>();
        string?[] Row(string type, string code) { var r = new string?[SurveyColumns.Length]; r[0] = type; r[1] = code; rows.Add(r); return r; }
        void Set(string?[] r, string field, string? value) => r[Array.IndexOf(SurveyColumns, field)] = value;
        void ItemFields(string?[] r, Item item, bool labelRequired)
        {
            Set(r, "kind", item.Kind.ToString().ToLowerInvariant());
            if (labelRequired) Set(r, "label", item.Label);
            Set(r, "short", item.Short);
            Set(r, "required", Flag(item.Required));
            if (item.ShowIf is { } c)
                Set(r, "showIf", $"{string.Join(", ", c.Items.Select(i => i.Code))} = {string.Join(", ", c.AnyOf.Select(Int))}");
            if (item.Kind == ItemKind.Matrix) Set(r, "scale", item.Scale?.Id);
            if (item.Kind is ItemKind.Single or ItemKind.Multiple) Set(r, "choices", AddList(item.Code, item.Options.Select(OptionRow)));
            if (item.Kind == ItemKind.Split)
            {
                Set(r, "parts", AddList(item.Code, item.Parts.Select(p => (string?[])[p.Code, p.Label, null, null, null])));
                if (item.Total != 100m) Set(r, "total", item.Total.ToString(CultureInfo.InvariantCulture));
            }
            Set(r, "sameAs", item.SameAs);
            Set(r, "personal", Flag(item.Personal));
            if (item.Role != ItemRole.None) Set(r, "role", item.Role.ToString().ToLowerInvariant());
            if (item.Kind == ItemKind.Text)
            {
                if (item.Input == TextInput.Line) Set(r, "input", "line");
                if (item.MaxLength != Item.DefaultMaxLength(item.Input)) Set(r, "maxLength", Int(item.MaxLength));
            }
        }
        foreach (var section in survey.Sections)
        {
            Set(Row("section", section.Id), "title", section.Title);
            foreach (var q in section.Questions)
            {
                var r = Row("question", q.Code);
                Set(r, "prompt", q.Prompt);
                Set(r, "note", q.Note);
                Set(r, "title", q.Title);
                Set(r, "pageBreak", Flag(q.PageBreak));
                if (q.Items is [var only] && only.Code == q.Code)
                {
                    ItemFields(r, only, labelRequired: only.Label != q.Prompt);
                    continue;
                }
                foreach (var item in q.Items) ItemFields(Row("item", item.Code), item, labelRequired: true);
            }
        }
        var settings = new string?[]
        {
            survey.Id, survey.Title, survey.Owner, survey.Period.Opens.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            survey.Period.Closes.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), survey.Period.TimeZone.Id, survey.Contact,
            scaleNames.Length == 0 ? null : string.Join(", ", scaleNames),
        };

        using var doc = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var book = doc.AddWorkbookPart();
        book.Workbook = new Workbook(new Sheets());
        var styles = book.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new Stylesheet(
            new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
                new Fill(new PatternFill(new ForegroundColor { Rgb = "FFDDEBF7" }) { PatternType = PatternValues.Solid })) { Count = 3 },
            new Borders(new Border()) { Count = 1 },
            new CellFormats(
                new CellFormat { Alignment = new Alignment { Vertical = VerticalAlignmentValues.Top } },
                new CellFormat { FontId = 1, FillId = 2, ApplyFont = true, ApplyFill = true },
                new CellFormat(new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top }) { ApplyAlignment = true },
                new CellFormat(new Alignment { Vertical = VerticalAlignmentValues.Top }) { NumberFormatId = 49, ApplyNumberFormat = true }) { Count = 4 });
        // Code columns are formatted as text (@) so that a code typed later (2-15, 1/2) is not turned into a date or a number.
        AddSheet(book, SurveySheet, SurveyColumns, rows, wrap: ["prompt", "label", "note"], text: ["code", "showIf", "choices", "parts", "scale"]);
        AddSheet(book, ChoicesSheet, ChoiceColumns, choices, wrap: ["label", "short"], text: ["list", "code"]);
        AddSheet(book, SettingsSheet, SettingsColumns, [settings], wrap: [], text: ["id", "opens", "closes", "scales"]);
        if (survey.Privacy is { } notice)
        {
            List<string?[]> privacy = [["title", notice.Title]];
            if (notice.Handler is { } handler) privacy.Add(["handler", handler]);
            privacy.AddRange(notice.Purposes.Select(x => (string?[])["purpose", x]));
            if (notice.Retention is { } retention) privacy.Add(["retention", retention]);
            if (notice.Sharing is { } sharing) privacy.Add(["sharing", sharing]);
            privacy.Add(["contact", notice.Contact]);
            privacy.AddRange(notice.Body.Select(x => (string?[])["body", x]));
            AddSheet(book, PrivacySheet, PrivacyColumns, privacy, wrap: ["text"], text: ["field"]);
        }
        var templates = SurveyMail.Kinds.Where(k => survey.Mail.Defined(k) is not null)
            .Select(k => (string?[])[k, survey.Mail.Defined(k)!.Subject, survey.Mail.Defined(k)!.Body]).ToList();
        if (templates.Count > 0) AddSheet(book, MailSheet, MailColumns, templates, wrap: ["subject", "body"], text: ["kind"]);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void AddSheet(WorkbookPart book, string name, string[] columns, List<string?[]> rows, string[] wrap, string[] text)
    {
        var part = book.AddNewPart<WorksheetPart>();
        var data = new SheetData();
        data.Append(SheetRow(1, columns, columns, _ => 1u));
        for (var i = 0; i < rows.Count; i++)
            data.Append(SheetRow((uint)i + 2, rows[i], columns, c => wrap.Contains(columns[c]) ? 2u : text.Contains(columns[c]) ? 3u : 0u));
        var cols = new Columns();
        for (var c = 0; c < columns.Length; c++)
        {
            // Full-width characters count twice; wrapped text columns stop at 60 characters wide.
            var widest = rows.Select(r => Width(r[c])).Append(Width(columns[c])).Max();
            var width = Math.Min(wrap.Contains(columns[c]) ? 60 : 40, Math.Max(6, widest + 2));
            cols.Append(new Column
            {
                Min = (uint)c + 1, Max = (uint)c + 1, Width = width, CustomWidth = true,
                Style = wrap.Contains(columns[c]) ? 2u : text.Contains(columns[c]) ? 3u : null,
            });
        }
        var view = new SheetView(new Pane
        {
            VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen,
        }) { WorkbookViewId = 0, TabSelected = name == SurveySheet };
        part.Worksheet = new Worksheet(new SheetViews(view), cols, data,
            new AutoFilter { Reference = $"A1:{(char)('A' + columns.Length - 1)}{rows.Count + 1}" });
        var sheets = book.Workbook!.Sheets!;
        sheets.Append(new Sheet { Id = book.GetIdOfPart(part), SheetId = (uint)sheets.ChildElements.Count + 1, Name = name });
    }

    private static int Width(string? text) => text is null ? 0 : text.Sum(c => c > 0xFF ? 2 : 1);

    private static Row SheetRow(uint index, string?[] values, string[] columns, Func<int, uint> style)
    {
        var row = new Row { RowIndex = index };
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not { } value) continue;
            var reference = (char)('A' + i) + index.ToString(CultureInfo.InvariantCulture);
            var s = style(i);
            row.Append(value is "TRUE" && index > 1 && Flags.Contains(columns[i])
                ? new Cell { CellReference = reference, DataType = CellValues.Boolean, CellValue = new CellValue("1"), StyleIndex = s == 0 ? null : s }
                : new Cell
                {
                    // Inline strings: text is never read as a number, a date or a formula, so "1-1" and "=x" stay as written.
                    CellReference = reference, DataType = CellValues.InlineString, StyleIndex = s == 0 ? null : s,
                    InlineString = new InlineString(new Text(value) { Space = SpaceProcessingModeValues.Preserve }),
                });
        }
        return row;
    }
}

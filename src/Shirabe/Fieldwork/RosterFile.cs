using System.Globalization;
using System.Text;
using MimeKit;
using Shirabe.Admin;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Fieldwork;

/// <summary>
/// One invitee of a roster file (docs/roster-format.md): the organisation's stable code and name, the wave's contact
/// details, its category (the column of the survey's `role: category` item, when the survey has one), and any other
/// columns as survey attributes (column name → value; blank cells are left out).
/// <see cref="Row"/> is the row it came from (the header is row 1), for messages of a later step.
/// </summary>
public sealed record RosterEntry(long Row, string Code, string Name, string? ContactName, string? Email,
    IReadOnlyList<string> Cc, string? Category, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// One problem in a roster file, located by row and column (CSV: 「3 行目 メールアドレス」) or by cell (XLSX:
/// 「名簿!D3 メールアドレス」). A warning (a shared e-mail address) does not stop an import; an error does.
/// </summary>
public sealed record RosterProblem(long Row, string? Column, string Message, string? Sheet = null, string? Cell = null, bool IsWarning = false)
{
    public override string ToString()
    {
        var where = Sheet is not null && Cell is not null ? $"{SheetRef(Sheet)}!{Cell}"
            : Row > 0 ? (Sheet is null ? "" : $"{Sheet} シート ") + $"{Row} 行目"
            : "ファイル";
        if (Column is not null) where += " " + Column;
        return $"{where}: {Message}";
    }

    /// <summary>A sheet name as Excel writes it in a reference: quoted when it holds anything but letters and digits.</summary>
    private static string SheetRef(string sheet) =>
        sheet.All(char.IsLetterOrDigit) ? sheet : "'" + sheet.Replace("'", "''") + "'";
}

/// <summary>A roster file with errors (or over a cap): nothing of it is imported. Lists every problem found.</summary>
public sealed class RosterFileException(IReadOnlyList<RosterProblem> problems, long omitted = 0)
    : UserError(Describe(problems, omitted))
{
    public IReadOnlyList<RosterProblem> Problems { get; } = problems;
    /// <summary>Problems found beyond the listing cap.</summary>
    public long Omitted { get; } = omitted;

    private static string Describe(IReadOnlyList<RosterProblem> problems, long omitted)
    {
        var errors = problems.Count(p => !p.IsWarning) + omitted;
        return $"名簿ファイルに {errors:#,0} 件の誤りがあります。\n" + string.Join("\n", problems.Where(p => !p.IsWarning))
            + (omitted > 0 ? $"\n…ほか {omitted:#,0} 件" : "");
    }
}

/// <summary>
/// Caps and choices for reading a roster (docs/decisions/044-roster-file.md). Each cap is checked before the rest is
/// read: a file over a cap is refused with the cap in the message.
/// </summary>
public sealed record RosterReadOptions
{
    /// <summary>The largest file accepted (CSV or XLSX as uploaded).</summary>
    public long MaxFileBytes { get; init; } = 20L << 20;
    /// <summary>The most bytes an XLSX's zip entries may hold once unpacked (a zip bomb is stopped here).</summary>
    public long MaxUnzippedBytes { get; init; } = 256L << 20;
    /// <summary>The most zip entries (parts) in an XLSX.</summary>
    public int MaxZipEntries { get; init; } = 1000;
    /// <summary>The most data rows (the header not counted).</summary>
    public int MaxRows { get; init; } = 200_000;
    /// <summary>The most columns (the named ones included).</summary>
    public int MaxColumns { get; init; } = 100;
    /// <summary>The longest cell, in characters (the named columns have their own, smaller limits).</summary>
    public int MaxCellLength { get; init; } = 1000;
    /// <summary>How many problems are listed; the rest are counted.</summary>
    public int MaxProblems { get; init; } = 1000;
    /// <summary>A CSV's encoding; null: UTF-8 (with or without BOM) when the whole file is valid UTF-8, else CP932.</summary>
    public Encoding? Encoding { get; init; }
    /// <summary>
    /// The heading of the category column: the survey's <see cref="RosterFile.CategoryHeading"/> (業種 in SC3). Null: the
    /// survey has no category item, so the roster has no category column (a column so headed is an attribute).
    /// </summary>
    public string? CategoryHeading { get; init; }

    /// <summary>The caps from configuration (<c>Shirabe:Roster:MaxFileBytes</c>, …), the defaults where unset.</summary>
    public static RosterReadOptions From(IConfiguration config)
    {
        var s = config.GetSection("Shirabe:Roster");
        var d = new RosterReadOptions();
        long Long(string key, long fallback) => long.TryParse(s[key], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
        int Int(string key, int fallback) => (int)Math.Min(int.MaxValue, Long(key, fallback));
        return d with
        {
            MaxFileBytes = Long(nameof(MaxFileBytes), d.MaxFileBytes),
            MaxUnzippedBytes = Long(nameof(MaxUnzippedBytes), d.MaxUnzippedBytes),
            MaxZipEntries = Int(nameof(MaxZipEntries), d.MaxZipEntries),
            MaxRows = Int(nameof(MaxRows), d.MaxRows),
            MaxColumns = Int(nameof(MaxColumns), d.MaxColumns),
            MaxCellLength = Int(nameof(MaxCellLength), d.MaxCellLength),
        };
    }
}

/// <summary>
/// Reading and writing a roster file (docs/roster-format.md): CSV (UTF-8 or CP932) or XLSX, columns found by Japanese
/// or English heading. Reading streams row by row: valid entries are yielded as they are read, and when the whole
/// file has been read any error throws <see cref="RosterFileException"/> listing all of them — so an import commits
/// only after <see cref="Entries"/> has completed, and a file with any error imports nothing.
/// Sources are in RosterFile.Sources.cs, writing in RosterFile.Writing.cs.
/// </summary>
public sealed partial class RosterFile : IDisposable
{
    public enum Field { Code, Name, Contact, Email, Cc, Category }

    /// <summary>
    /// The headings written on export, in order, but <see cref="Field.Category"/>'s, which is the survey's
    /// (<see cref="CategoryHeading"/>); reading also accepts <see cref="Aliases"/>.
    /// </summary>
    public static readonly IReadOnlyDictionary<Field, string> Headings = new Dictionary<Field, string>
    {
        [Field.Code] = "コード", [Field.Name] = "団体名", [Field.Contact] = "担当者名",
        [Field.Email] = "メールアドレス", [Field.Cc] = "CC",
    };

    /// <summary>Every heading read as a named column, after <see cref="HeadingKey"/> (full-width → half-width, no spaces, lower case).</summary>
    public static readonly IReadOnlyDictionary<string, Field> Aliases = new Dictionary<string, Field>(StringComparer.Ordinal)
    {
        ["コード"] = Field.Code, ["団体コード"] = Field.Code, ["code"] = Field.Code, ["id"] = Field.Code,
        ["団体名"] = Field.Name, ["名称"] = Field.Name, ["name"] = Field.Name,
        ["担当者名"] = Field.Contact, ["担当者"] = Field.Contact, ["担当者氏名"] = Field.Contact, ["contact"] = Field.Contact,
        ["メールアドレス"] = Field.Email, ["メール"] = Field.Email, ["eメール"] = Field.Email, ["email"] = Field.Email, ["e-mail"] = Field.Email,
        ["cc"] = Field.Cc,
    };

    /// <summary>The headings read as the category column besides the survey's own, when the survey has a category item.</summary>
    public static readonly IReadOnlyList<string> CategoryAliases = ["区分", "category"];

    /// <summary>
    /// The heading of a survey's category column: the short wording of its `role: category` item (業種 in SC3), else the
    /// item's title as the console names it; null when the survey has no such item (docs/survey-format.md).
    /// </summary>
    public static string? CategoryHeading(Survey survey) =>
        survey.ItemWith(ItemRole.Category) is { } item ? item.Short ?? ConsoleNames.Title(survey, item) : null;

    /// <summary>The longest value of each named column (the database's column sizes).</summary>
    public static readonly IReadOnlyDictionary<Field, int> MaxLengths = new Dictionary<Field, int>
    {
        [Field.Code] = 40, [Field.Name] = 200, [Field.Contact] = 100, [Field.Email] = 200, [Field.Cc] = 1000, [Field.Category] = 100,
    };

    /// <summary>The most addresses in the CC column.</summary>
    public const int MaxCcAddresses = 10;
    /// <summary>The longest attribute column name.</summary>
    public const int MaxAttributeNameLength = 100;

    /// <summary>A heading as compared: NFKC (ＣＣ → CC, full-width digits and spaces), without any white space, lower case.</summary>
    public static string HeadingKey(string heading)
    {
        var s = heading.Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (!char.IsWhiteSpace(c) && c != '\uFEFF') sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }

    private readonly Source _source;
    private readonly RosterReadOptions _options;
    private readonly Problems _problems;
    private readonly int[] _fieldColumns; // Field → column index, -1 when absent
    private readonly (int Column, string Name)[] _attributeColumns;
    /// <summary>The header's cells, trimmed (null: no heading), for messages.</summary>
    private readonly string?[] _headings;
    private bool _read;

    /// <summary>The survey attribute columns, in file order (the named columns excluded).</summary>
    public IReadOnlyList<string> Attributes { get; }
    /// <summary>"csv" or "xlsx".</summary>
    public string Format => _source.Format;
    /// <summary>The CSV encoding used (null for XLSX).</summary>
    public Encoding? Encoding => _source.Encoding;
    /// <summary>The warnings (shared e-mail addresses), complete once <see cref="Entries"/> has been read.</summary>
    public IReadOnlyList<RosterProblem> Warnings => _problems.Warnings;

    private RosterFile(Source source, RosterReadOptions options, Problems problems)
    {
        _source = source;
        _options = options;
        _problems = problems;
        (_fieldColumns, _attributeColumns) = MapHeader(source, options, problems);
        Attributes = _attributeColumns.Select(a => a.Name).ToArray();
        _headings = source.Header!.Cells.Select(c => string.IsNullOrWhiteSpace(c) ? null : WithoutExportQuote(c.Trim())).ToArray();
    }

    /// <summary>
    /// Opens a roster: checks the file size, the format (XLSX by its zip signature, else CSV) and, for an XLSX, the
    /// unpacked size and number of parts, then reads the header. Throws <see cref="RosterFileException"/> when a cap
    /// is exceeded or the file cannot be read at all; header problems are reported with the rows' by <see cref="Entries"/>.
    /// </summary>
    public static RosterFile Open(Stream input, string fileName, RosterReadOptions? options = null)
    {
        options ??= new RosterReadOptions();
        var problems = new Problems(options.MaxProblems);
        var source = OpenSource(input, fileName, options, problems);
        try { return new RosterFile(source, options, problems); }
        catch { source.Dispose(); throw; }
    }

    /// <summary>Reads a whole roster into a list (a roster of tens of thousands fits; use <see cref="Entries"/> to stream).</summary>
    public static (List<RosterEntry> Entries, IReadOnlyList<string> Attributes, IReadOnlyList<RosterProblem> Warnings) ReadAll(
        Stream input, string fileName, RosterReadOptions? options = null)
    {
        using var roster = Open(input, fileName, options);
        var entries = roster.Entries().ToList();
        return (entries, roster.Attributes, roster.Warnings);
    }

    public void Dispose() => _source.Dispose();

    /// <summary>
    /// The valid entries, in file order, as they are read. When the file has been read and anything was wrong (the header
    /// included), throws <see cref="RosterFileException"/> with every problem; duplicate e-mails are only warnings.
    /// Can be enumerated once.
    /// </summary>
    public IEnumerable<RosterEntry> Entries()
    {
        if (_read) throw new InvalidOperationException("A roster file is read once.");
        _read = true;
        var codes = new Dictionary<string, long>(StringComparer.Ordinal);
        var emails = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var rows = 0;
        foreach (var row in _source.Rows(_problems))
        {
            if (row.Cells.All(string.IsNullOrWhiteSpace)) continue; // a blank line, or a row Excel only formatted
            if (++rows > _options.MaxRows)
            {
                _problems.Add(new(row.Number, null, $"行が多すぎます（上限は {_options.MaxRows:#,0} 行）。名簿を分けて取り込んでください。", _source.Sheet));
                throw _problems.ToException(); // refused without reading the rest
            }
            var entry = ParseRow(row, codes, emails);
            if (entry is not null && _problems.ErrorCount == 0) yield return entry;
        }
        if (rows == 0 && _problems.ErrorCount == 0)
            _problems.Add(new(0, null, "団体の行がありません（見出し行の下に 1 団体 1 行で書いてください）。"));
        if (_problems.ErrorCount > 0) throw _problems.ToException();
    }

    // ---------------------------------------------------------------- header

    private static (int[] Fields, (int, string)[] Attributes) MapHeader(Source source, RosterReadOptions options, Problems problems)
    {
        var fields = Enumerable.Repeat(-1, Enum.GetValues<Field>().Length).ToArray();
        var attributes = new List<(int, string)>();
        var header = source.Header;
        if (header is null)
        {
            problems.Add(new(0, null, "見出し行がありません（1 行目に コード, 団体名, … の見出しを書いてください）。"));
            throw problems.ToException();
        }
        // Excel may write formatted empty cells far to the right: the width is up to the last heading.
        var width = Array.FindLastIndex(header.Cells, c => !string.IsNullOrWhiteSpace(c)) + 1;
        if (width > options.MaxColumns)
        {
            problems.Add(new(header.Number, null, $"列が多すぎます（{width:#,0} 列。上限は {options.MaxColumns:#,0} 列）。", source.Sheet));
            throw problems.ToException();
        }
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < width; i++)
        {
            var text = WithoutExportQuote(header.Cells[i]?.Trim() ?? "");
            if (text.Length == 0) continue; // a column without a heading: its values are reported row by row
            var cell = source.CellRef(i, header.Number);
            var key = HeadingKey(text);
            if (seen.TryGetValue(key, out var first))
            {
                problems.Add(new(header.Number, text, $"見出し「{first}」と同じ列です（見出しは重複できません）。", source.Sheet, cell));
                continue;
            }
            seen[key] = text;
            if (Aliases.TryGetValue(key, out var field) || IsCategory(key, options, out field))
            {
                if (fields[(int)field] >= 0)
                    problems.Add(new(header.Number, text, $"「{Heading(field, options)}」の列が 2 つあります（見出しは重複できません）。", source.Sheet, cell));
                else fields[(int)field] = i;
            }
            else if (Invalid(text) is { } bad) problems.Add(new(header.Number, null, "見出し「" + Shorten(text) + "」: " + bad, source.Sheet, cell));
            else if (text.Length > MaxAttributeNameLength)
                problems.Add(new(header.Number, null, $"見出し「{Shorten(text)}」が長すぎます（{MaxAttributeNameLength} 文字まで）。", source.Sheet, cell));
            else attributes.Add((i, text));
        }
        foreach (var required in new[] { Field.Code, Field.Name })
            if (fields[(int)required] < 0)
                problems.Add(new(header.Number, null, $"「{Headings[required]}」の列がありません（見出しは "
                    + string.Join("・", Aliases.Where(a => a.Value == required).Select(a => a.Key)) + " のどれか）。", source.Sheet));
        return (fields, attributes.ToArray());
    }

    private static bool IsCategory(string key, RosterReadOptions options, out Field field)
    {
        field = Field.Category;
        return options.CategoryHeading is { } heading && (key == HeadingKey(heading) || CategoryAliases.Contains(key));
    }

    private static string Heading(Field field, RosterReadOptions options) =>
        field == Field.Category ? options.CategoryHeading! : Headings[field];

    // ---------------------------------------------------------------- rows

    private RosterEntry? ParseRow(SourceRow row, Dictionary<string, long> codes, Dictionary<string, long> emails)
    {
        var before = _problems.ErrorCount;
        var header = _headings;
        string? Value(Field f) => _fieldColumns[(int)f] is var i and >= 0 ? Cell(row, i, header[i]!, MaxLengths[f]) : null;

        for (var i = 0; i < row.Cells.Length; i++)
            if (i >= header.Length || string.IsNullOrWhiteSpace(header[i]))
                if (!string.IsNullOrWhiteSpace(row.Cells[i]))
                    Error(row, i, null, "見出しのない列に値があります（1 行目に見出しを書くか、値を消してください）。");

        // A field whose cell broke a rule is reported once: not again as empty.
        bool Failed(Field f, out string? value)
        {
            var errors = _problems.ErrorCount;
            value = Value(f);
            return _problems.ErrorCount > errors || _fieldColumns[(int)f] is var i && i >= 0 && row.Failed?.Contains(i) == true;
        }
        var codeFailed = Failed(Field.Code, out var code);
        var nameFailed = Failed(Field.Name, out var name);
        var contact = Value(Field.Contact);
        var email = Value(Field.Email);
        var ccText = Value(Field.Cc);
        var category = Value(Field.Category);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (column, attribute) in _attributeColumns)
            if (Cell(row, column, attribute, _options.MaxCellLength) is { } value) attributes[attribute] = value;

        if (_fieldColumns[(int)Field.Code] is var codeColumn and >= 0 && !codeFailed)
        {
            if (code is null) Error(row, codeColumn, header[codeColumn], "コードが空です（団体ごとに一意のコードを書いてください）。");
            else if (codes.TryGetValue(code, out var firstRow))
                Error(row, codeColumn, header[codeColumn], $"コード「{Shorten(code)}」は {firstRow:#,0} 行目と重複しています（コードは団体ごとに一意にしてください）。");
            else codes[code] = row.Number;
        }
        if (_fieldColumns[(int)Field.Name] is var nameColumn and >= 0 && !nameFailed && name is null)
            Error(row, nameColumn, header[nameColumn], "団体名が空です。");

        if (!string.IsNullOrEmpty(email))
        {
            var column = _fieldColumns[(int)Field.Email];
            if (EmailProblem(email) is { } bad) Error(row, column, header[column], bad);
            else if (emails.TryGetValue(email, out var firstRow))
                _problems.Add(new(row.Number, header[column], $"「{email}」は {firstRow:#,0} 行目と同じアドレスです（同じ担当者が複数の団体を受け持つ場合はこのままで構いません）。",
                    _source.Sheet, _source.CellRef(column, row.Number), IsWarning: true));
            else emails[email] = row.Number;
        }

        var cc = new List<string>();
        if (!string.IsNullOrEmpty(ccText))
        {
            var column = _fieldColumns[(int)Field.Cc];
            foreach (var part in ccText.Split([';', ',', '；', '，', '、'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (EmailProblem(part) is { } bad) Error(row, column, header[column], bad);
                else cc.Add(part);
            }
            if (cc.Count > MaxCcAddresses)
                Error(row, column, header[column], $"CC のアドレスが多すぎます（{cc.Count} 件。{MaxCcAddresses} 件まで）。");
        }

        return _problems.ErrorCount == before
            ? new RosterEntry(row.Number, code!, name!, contact, email, cc, category, attributes)
            : null;
    }

    /// <summary>A cell's value, trimmed (null when blank), or null with a problem when it breaks a rule.</summary>
    private string? Cell(SourceRow row, int column, string heading, int maxLength)
    {
        var raw = column < row.Cells.Length ? row.Cells[column] : null;
        if (raw is null || row.Failed?.Contains(column) == true) return null;
        var value = raw.Trim(' ', '\u3000', '\u00A0', '\t');
        if (value.Length == 0) return null;
        if (Invalid(value) is { } bad)
        {
            Error(row, column, heading, bad);
            return null;
        }
        value = WithoutExportQuote(value);
        if (value.Length > maxLength)
        {
            Error(row, column, heading, $"長すぎます（{value.Length:#,0} 文字。{maxLength:#,0} 文字まで）。");
            return null;
        }
        return value;
    }

    private void Error(SourceRow row, int column, string? heading, string message) =>
        _problems.Add(new(row.Number, heading, message, _source.Sheet, _source.CellRef(column, row.Number)));

    /// <summary>
    /// Why text cannot be a roster value: a line break or any other control character (roster values go into mail
    /// headers and one-line lists), or a character XML cannot hold (docs/decisions/012). Null when it is fine.
    /// </summary>
    public static string? Invalid(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029')
                return $"改行が含まれています（{i + 1:#,0} 文字目）。1 行で書いてください。";
            if (char.IsControl(c))
                return $"制御文字（U+{(int)c:X4}、{i + 1:#,0} 文字目）が含まれています。その文字を消してください。";
        }
        return XmlText.IndexOfInvalid(value) is var bad and >= 0 ? XmlText.Message(value, bad) : null;
    }

    /// <summary>
    /// Why <paramref name="address"/> is not a usable e-mail address (null when it is): one bare address in half-width
    /// characters, parsed strictly by MimeKit, with a local part and a domain that has a dot.
    /// </summary>
    public static string? EmailProblem(string address)
    {
        if (address.Any(c => c > '\u007E'))
            return $"「{Shorten(address)}」に全角文字など半角英数字以外の文字があります。メールアドレスは半角で書いてください。";
        if (!MailboxAddress.TryParse(MailHeaders.Strict, address, out var mailbox) || mailbox.Address != address
            || address.IndexOf('@') is var at && at <= 0
            || address[(at + 1)..] is var domain && (!domain.Contains('.') || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..")))
            return $"「{Shorten(address)}」はメールアドレスの形ではありません（例: tanaka@example.jp。1 つのセルに 1 つ、名前や < > は付けません）。";
        return null;
    }

    /// <summary>
    /// The export's neutralisation undone: an apostrophe put before formula-like text (<see cref="ResponsesCsv.SpreadsheetSafe"/>)
    /// is removed, so export → edit → import round trips. Any other leading apostrophe is kept.
    /// </summary>
    private static string WithoutExportQuote(string value) =>
        value.Length > 1 && value[0] == '\'' && ResponsesCsv.SpreadsheetSafe(value[1..]).Length == value.Length ? value[1..] : value;

    internal static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>The listed problems and the count of those beyond the cap; errors and warnings apart.</summary>
    private sealed class Problems(int max)
    {
        private readonly List<RosterProblem> _errors = [];
        private readonly List<RosterProblem> _warnings = [];
        private long _omitted;

        public int ErrorCount => _errors.Count + (int)Math.Min(int.MaxValue, _omitted);
        public IReadOnlyList<RosterProblem> Warnings => _warnings;

        public void Add(RosterProblem p)
        {
            var list = p.IsWarning ? _warnings : _errors;
            if (list.Count < max) list.Add(p);
            else if (!p.IsWarning) _omitted++;
        }

        public RosterFileException ToException() => new([.. _errors], _omitted);
    }
}

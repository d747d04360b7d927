using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shirabe.Core.Questionnaire;

/// <summary>One problem in a survey definition, located by line and column.</summary>
public sealed record DefinitionProblem(string File, long Line, long Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

public sealed class SurveyDefinitionException(IReadOnlyList<DefinitionProblem> problems)
    : UserError("調査票の定義に誤りがあります:\n" + string.Join("\n", problems))
{
    public IReadOnlyList<DefinitionProblem> Problems { get; } = problems;
}

/// <summary>
/// Reads a survey definition (docs/survey-format.md) from YAML. Walks the YAML tree by hand so that every
/// problem can name its line; collects all semantic problems before failing.
/// </summary>
public sealed partial class SurveyLoader
{
    public const string FileName = "survey.yaml";

    private readonly string _file;
    /// <summary>The source lines, to place a problem inside a multi-line value (a mail body).</summary>
    private string[] _lines = [];
    private readonly List<DefinitionProblem> _problems = [];
    private readonly Dictionary<string, Item> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Scale> _scales = new(StringComparer.Ordinal);
    private readonly HashSet<string> _questionCodes = new(StringComparer.Ordinal);

    private SurveyLoader(string file) => _file = file;

    /// <summary>Loads <paramref name="path"/>: a survey.yaml file, or a folder holding one.</summary>
    public static Survey LoadFile(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
            throw new SurveyDefinitionException([new(file, 0, 0, "ファイルがありません。")]);
        return Load(YamlLimits.ReadFile(file, m => new SurveyDefinitionException([new(file, 1, 1, m)])), file);
    }

    public static Survey Load(string yaml, string file = FileName) => new SurveyLoader(file).Parse(yaml);

    private Survey Parse(string yaml)
    {
        if (YamlLimits.Check(yaml) is var (line, column, message))
            throw new SurveyDefinitionException([new(_file, line, column, message)]);
        _lines = yaml.Split('\n');
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SurveyDefinitionException([new(_file, e.Start.Line, e.Start.Column, "YAML の書式が正しくありません: " + e.Message)]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new SurveyDefinitionException([new(_file, 1, 1, "調査票の定義（id, title, period, sections を持つマッピング）がありません。")]);

        Known(root, "id", "series", "title", "owner", "period", "contact", "privacy", "mail", "scales", "sections");
        var id = RequiredString(root, "id") ?? "";
        CheckId(root, "id", id);
        var series = OptionalString(root, "series");
        if (series is not null) CheckId(root, "series", series);
        var title = RequiredString(root, "title") ?? "";
        var period = ParsePeriod(root);
        var contact = OptionalString(root, "contact");
        var privacy = ParsePrivacy(root);
        var mail = ParseMail(root);

        if (Child(root, "scales") is { } scalesNode)
        {
            if (scalesNode is YamlMappingNode scales)
            {
                foreach (var (key, value) in scales.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    _scales[name] = new Scale(name, ParseOptions(value));
                }
            }
            else Problem(scalesNode, "scales は「名前: [選択肢, …]」のマッピングで書いてください。");
        }

        var sections = new List<Section>();
        if (Child(root, "sections") is YamlSequenceNode sectionNodes)
        {
            foreach (var node in sectionNodes)
                if (AsMapping(node, "section") is { } s) sections.Add(ParseSection(s));
        }
        else if (root.Children.ContainsKey("sections"))
            Problem(root["sections"], "sections はリスト（- で始まる行）で書いてください。");
        else
            Problem(root, "sections がありません。");

        if (_problems.Count > 0) throw new SurveyDefinitionException(_problems);
        var survey = new Survey(id, title, period!, contact, _scales.Values.ToArray(), sections)
            { Owner = OptionalString(root, "owner"), Privacy = privacy, Mail = mail ?? SurveyMail.None, Series = series };
        CheckConditionOrder(survey);
        if (_problems.Count > 0) throw new SurveyDefinitionException(_problems);
        return survey;
    }

    /// <summary>An id used in URLs, file names and the database: ASCII letters, digits, - and _, at most 40 characters.</summary>
    private void CheckId(YamlMappingNode root, string key, string value)
    {
        if (value.Length > 0 && !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            Problem(root[key], $"{key}「{value}」には英数字・ハイフン・下線だけを使ってください。");
        else if (value.Length > 40)
            Problem(root[key], $"{key}「{value}」は 40 文字以内にしてください。");
    }

    private SurveyPeriod? ParsePeriod(YamlMappingNode root)
    {
        if (AsMapping(Child(root, "period"), "period") is not { } p)
        {
            if (!root.Children.ContainsKey("period")) Problem(root, "period（opens, closes, timeZone）がありません。");
            return null;
        }
        Known(p, "opens", "closes", "timeZone");
        var opens = Date(p, "opens");
        var closes = Date(p, "closes");
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (RequiredString(p, "timeZone") is { } tz)
        {
            try { zone = TimeZoneInfo.FindSystemTimeZoneById(tz); }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                Problem(p["timeZone"], $"タイムゾーン「{tz}」が見つかりません（例: Asia/Tokyo）。");
            }
        }
        if (opens is { } o && closes is { } c && c < o) Problem(p["closes"], "closes が opens より前です。");
        return opens is { } a && closes is { } b ? new SurveyPeriod(a, b, zone) : null;
    }

    private DateOnly? Date(YamlMappingNode node, string key)
    {
        if (RequiredString(node, key) is not { } text) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        Problem(node[key], $"{key} の日付「{text}」は YYYY-MM-DD で書いてください。");
        return null;
    }

    private Section ParseSection(YamlMappingNode node)
    {
        Known(node, "id", "title", "questions");
        var id = RequiredString(node, "id") ?? "";
        var title = RequiredString(node, "title") ?? "";
        var questions = new List<Question>();
        if (Child(node, "questions") is YamlSequenceNode qs)
        {
            foreach (var q in qs)
                if (AsMapping(q, "question") is { } m && ParseQuestion(m) is { } question) questions.Add(question);
        }
        else Problem(node, $"セクション {id} に questions（リスト）がありません。");
        return new Section(id, title, questions);
    }

    private static readonly string[] ItemKeys = ["code", "kind", "label", "short", "options", "scale", "parts", "total", "showIf", "required", "personal", "input", "maxLength", "sameAs"];

    private Question? ParseQuestion(YamlMappingNode node)
    {
        Known(node, [.. ItemKeys, "role", "prompt", "note", "items", "pageBreak", "title"]);
        var code = RequiredString(node, "code");
        var prompt = RequiredString(node, "prompt") ?? "";
        var note = OptionalString(node, "note");
        if (code is null) return null;
        if (!_questionCodes.Add(code)) Problem(node["code"], $"設問番号 {code} が重複しています。");

        var items = new List<Item>();
        if (Child(node, "items") is { } itemsNode)
        {
            // Questions are matched across waves through their items: sameAs belongs on each item.
            if (Child(node, "sameAs") is { } sameAs)
                Problem(sameAs, $"設問 {code}: sameAs は items の各項目に書いてください（設問は項目で対応づけます）。");
            if (itemsNode is YamlSequenceNode seq)
            {
                foreach (var i in seq)
                {
                    if (AsMapping(i, "item") is not { } m) continue;
                    Known(m, [.. ItemKeys, "role"]);
                    if (ParseItem(m, node, null) is { } item) items.Add(item);
                }
            }
            else Problem(itemsNode, "items はリストで書いてください。");
        }
        else if (ParseItem(node, null, code) is { } item)
            items.Add(item);
        return new Question(code, prompt, note, items, PageBreak: OptionalString(node, "pageBreak") is "true") { Title = OptionalString(node, "title") };
    }

    /// <summary>Reads an item from <paramref name="node"/>, taking defaults (kind, scale, showIf) from its question.</summary>
    private Item? ParseItem(YamlMappingNode node, YamlMappingNode? question, string? codeFromQuestion)
    {
        var code = codeFromQuestion ?? RequiredString(node, "code");
        if (code is null) return null;
        var label = OptionalString(node, "label") ?? (codeFromQuestion is not null ? OptionalString(node, "prompt") : null);
        if (label is null) Problem(node, $"設問 {code} に label がありません。");

        var scaleNode = Child(node, "scale") ?? (question is null ? null : Child(question, "scale"));
        var kindText = OptionalString(node, "kind") ?? (question is null ? null : OptionalString(question, "kind"))
                       ?? (scaleNode is not null ? "matrix" : null);
        ItemKind kind = ItemKind.Text;
        if (kindText is null) Problem(node, $"設問 {code} に kind（text, single, multiple, matrix, split）がありません。");
        else if (!Enum.TryParse(kindText, ignoreCase: true, out kind) || !Enum.IsDefined(kind))
        {
            Problem(Child(node, "kind") ?? node, $"設問 {code} の kind「{kindText}」は使えません（text, single, multiple, matrix, split のいずれか）。");
            return null;
        }

        IReadOnlyList<Option> options = [];
        Scale? scale = null;
        IReadOnlyList<SplitPart> parts = [];
        var total = 100m;
        var optionsNode = Child(node, "options");
        switch (kind)
        {
            case ItemKind.Single or ItemKind.Multiple:
                if (optionsNode is null) Problem(node, $"設問 {code} に options がありません。");
                else options = ParseOptions(optionsNode);
                if (kind == ItemKind.Multiple && options.Any(o => o.Code > 63))
                    Problem(optionsNode!, $"設問 {code}: 複数回答の選択肢番号は 63 までです。");
                break;
            case ItemKind.Matrix:
                var scaleName = (scaleNode as YamlScalarNode)?.Value;
                if (scaleName is null) Problem(node, $"設問 {code}（matrix）に scale がありません。");
                else if (!_scales.TryGetValue(scaleName, out scale))
                    Problem(scaleNode!, $"設問 {code}: scale「{scaleName}」は scales に定義されていません（{string.Join(", ", _scales.Keys)}）。");
                options = scale?.Points ?? [];
                break;
            case ItemKind.Split:
                parts = ParseParts(code, Child(node, "parts"), node);
                if (Child(node, "total") is { } t)
                {
                    if (!decimal.TryParse((t as YamlScalarNode)?.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out total) || total <= 0)
                        Problem(t, $"設問 {code}: total は正の数で書いてください。");
                }
                break;
        }
        if (kind is ItemKind.Text or ItemKind.Split or ItemKind.Matrix && optionsNode is not null)
            Problem(optionsNode, $"設問 {code}（{kindText}）には options を書けません。" + (kind == ItemKind.Matrix ? "scale を使ってください。" : ""));

        var (input, maxLength) = ParseTextInput(code, kind, node);
        var role = ParseRole(code, kind, node);
        var showIfNode = Child(node, "showIf") ?? (question is null ? null : Child(question, "showIf"));
        var item = new Item
        {
            Code = code,
            Role = role,
            Input = input,
            MaxLength = maxLength,
            Kind = kind,
            Label = label ?? "",
            Short = OptionalString(node, "short"),
            Options = options,
            Scale = scale,
            Parts = parts,
            Total = total,
            Required = OptionalString(node, "required") is "true",
            Personal = Flag(node, "personal"),
            ShowIf = showIfNode is null ? null : ParseCondition(code, showIfNode),
            SameAs = ParseSameAs(code, node),
        };
        if (!_items.TryAdd(code, item)) Problem(node, $"設問番号 {code} が重複しています。");
        return item;
    }

    private readonly Dictionary<string, string> _sameAs = new(StringComparer.Ordinal);

    /// <summary>`sameAs`: the item's code in the previous wave (docs/survey-format.md, Waves); one item per old code.</summary>
    private string? ParseSameAs(string code, YamlMappingNode node)
    {
        if (OptionalString(node, "sameAs") is not { } was) return null;
        if (string.IsNullOrWhiteSpace(was)) { Problem(node["sameAs"], $"設問 {code}: sameAs が空です。"); return null; }
        if (!_sameAs.TryAdd(was, code))
            Problem(node["sameAs"], $"設問 {code}: sameAs: {was} はすでに設問 {_sameAs[was]} に付いています（前回の設問 1 つに対応できるのは 1 つだけです）。");
        return was;
    }

    /// <summary>An option's `sameAs`: its code in the previous wave, a whole number of 1 or more.</summary>
    private int? OptionSameAs(YamlMappingNode node)
    {
        if (Child(node, "sameAs") is not { } n) return null;
        if (int.TryParse((n as YamlScalarNode)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var was) && was >= 1) return was;
        Problem(n, "選択肢の sameAs は前回の選択肢番号（1 以上の整数）で書いてください。");
        return null;
    }

    private readonly Dictionary<ItemRole, string> _roles = [];

    /// <summary>organisation and contact are text items, category a single choice; each role is on one item at most.</summary>
    private ItemRole ParseRole(string code, ItemKind kind, YamlMappingNode node)
    {
        var text = OptionalString(node, "role");
        if (text is null) return ItemRole.None;
        ItemRole role;
        switch (text)
        {
            case "organisation": role = ItemRole.Organisation; break;
            case "contact": role = ItemRole.Contact; break;
            case "category": role = ItemRole.Category; break;
            default:
                Problem(node["role"], $"role「{text}」は使えません（organisation, contact, category のいずれか）。");
                return ItemRole.None;
        }
        var expected = role == ItemRole.Category ? ItemKind.Single : ItemKind.Text;
        if (kind != expected)
            Problem(node["role"], $"設問 {code}: role: {text} は {expected.ToString().ToLowerInvariant()} の設問にだけ付けられます。");
        if (!_roles.TryAdd(role, code))
            Problem(node["role"], $"設問 {code}: role: {text} はすでに設問 {_roles[role]} に付いています（1 つの設問にだけ付けてください）。");
        return role;
    }

    /// <summary>`input: line|area` and `maxLength` (text items only; defaults: area, and 200 or 4000 characters).</summary>
    private (TextInput, int) ParseTextInput(string code, ItemKind kind, YamlMappingNode node)
    {
        var inputText = OptionalString(node, "input");
        var lengthNode = Child(node, "maxLength");
        if (kind != ItemKind.Text)
        {
            if (inputText is not null) Problem(node["input"], $"設問 {code}: input は自由記述（text）の設問にだけ書けます。");
            if (lengthNode is not null) Problem(lengthNode, $"設問 {code}: maxLength は自由記述（text）の設問にだけ書けます。");
            return (TextInput.Area, Item.MaxTextLength);
        }
        var input = TextInput.Area;
        if (inputText is "line") input = TextInput.Line;
        else if (inputText is not (null or "area"))
            Problem(node["input"], $"設問 {code}: input「{inputText}」は使えません（line（1 行）か area（複数行））。");
        var max = Item.DefaultMaxLength(input);
        if (lengthNode is not null
            && (!int.TryParse((lengthNode as YamlScalarNode)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out max)
                || max is < 1 or > Item.MaxTextLength))
        {
            Problem(lengthNode, $"設問 {code}: maxLength は 1 から {Item.MaxTextLength} までの整数で書いてください。");
            max = Item.DefaultMaxLength(input);
        }
        return (input, max);
    }

    private IReadOnlyList<SplitPart> ParseParts(string code, YamlNode? node, YamlMappingNode owner)
    {
        var parts = new List<SplitPart>();
        if (node is not YamlSequenceNode seq)
        {
            Problem(node ?? owner, $"設問 {code}（split）に parts（code と label のリスト）がありません。");
            return parts;
        }
        foreach (var p in seq)
            if (AsMapping(p, "part") is { } m && RequiredString(m, "code") is { } pc)
            {
                if (parts.Any(x => x.Code == pc)) Problem(m, $"設問 {code}: part {pc} が重複しています。");
                parts.Add(new SplitPart(pc, RequiredString(m, "label") ?? ""));
            }
        if (parts.Count < 2) Problem(node, $"設問 {code}（split）には 2 つ以上の parts が必要です。");
        return parts;
    }

    private IReadOnlyList<Option> ParseOptions(YamlNode node)
    {
        var options = new List<Option>();
        if (node is not YamlSequenceNode seq)
        {
            Problem(node, "選択肢はリストで書いてください。");
            return options;
        }
        var next = 1;
        foreach (var entry in seq)
        {
            Option? option = null;
            if (entry is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value))
                option = new Option(next, s.Value);
            else if (entry is YamlMappingNode m)
            {
                Known(m, "code", "label", "short", "exclusive", "sameAs");
                var optCode = next;
                if (Child(m, "code") is { } c && !int.TryParse((c as YamlScalarNode)?.Value, out optCode))
                    Problem(c, "選択肢の code は整数で書いてください。");
                option = new Option(optCode, RequiredString(m, "label") ?? "", OptionalString(m, "short"),
                    OptionalString(m, "exclusive") is "true") { SameAs = OptionSameAs(m) };
            }
            else Problem(entry, "選択肢はラベルか {code, label} で書いてください。");
            if (option is null) continue;
            if (option.Code < 1) Problem(entry, $"選択肢番号 {option.Code} は 1 以上にしてください。");
            if (options.Any(o => o.Code == option.Code)) Problem(entry, $"選択肢番号 {option.Code} が重複しています。");
            if (option.SameAs is { } was && options.Any(o => o.SameAs == was))
                Problem(entry, $"sameAs: {was} が重複しています（前回の選択肢 1 つに対応できるのは 1 つだけです）。");
            options.Add(option);
            next = option.Code + 1;
        }
        if (options.Count == 0) Problem(node, "選択肢が 1 つもありません。");
        return options;
    }

    private Condition? ParseCondition(string owner, YamlNode node)
    {
        if (AsMapping(node, "showIf") is not { } m) return null;
        Known(m, "item", "items", "anyOf");
        var names = new List<(string Code, YamlNode Node)>();
        if (Child(m, "item") is YamlScalarNode one && one.Value is { } v) names.Add((v, one));
        if (Child(m, "items") is YamlSequenceNode many)
            names.AddRange(many.OfType<YamlScalarNode>().Select(n => (n.Value ?? "", (YamlNode)n)));
        if (names.Count == 0) Problem(m, $"設問 {owner} の showIf に item（または items）がありません。");

        var items = new List<Item>();
        foreach (var (code, n) in names)
        {
            if (_items.TryGetValue(code, out var item)) items.Add(item);
            else Problem(n, $"設問 {owner} の showIf が、この設問より前にない設問 {code} を参照しています。");
        }
        var codes = new List<int>();
        if (Child(m, "anyOf") is YamlSequenceNode anyOf)
        {
            foreach (var c in anyOf)
                if (int.TryParse((c as YamlScalarNode)?.Value, out var code)) codes.Add(code);
                else Problem(c, $"設問 {owner} の showIf.anyOf は選択肢番号（整数）のリストにしてください。");
        }
        else Problem(m, $"設問 {owner} の showIf に anyOf（選択肢番号のリスト）がありません。");

        foreach (var (item, (_, n)) in items.Zip(names.Where(x => _items.ContainsKey(x.Code))))
        {
            if (item.Kind is ItemKind.Text or ItemKind.Split)
                Problem(n, $"設問 {owner} の showIf: 設問 {item.Code}（{item.Kind.ToString().ToLowerInvariant()}）は選択式ではありません。");
            foreach (var c in codes.Where(c => item.Options.Count > 0 && item.FindOption(c) is null))
                Problem(m, $"設問 {owner} の showIf: 設問 {item.Code} に選択肢 {c} はありません。");
        }
        return new Condition(items, codes);
    }

    /// <summary>Conditions may only look back: an item's rule names items before it.</summary>
    private void CheckConditionOrder(Survey survey)
    {
        foreach (var item in survey.Items)
            if (item.ShowIf is { } c)
                foreach (var dep in c.Items.Where(d => d.Index >= item.Index))
                    _problems.Add(new(_file, 0, 0, $"設問 {item.Code} の showIf が後ろの設問 {dep.Code} を参照しています。"));
    }

    // --- small helpers over the YAML tree ---

    private void Problem(YamlNode? node, string message) =>
        _problems.Add(new(_file, node?.Start.Line ?? 0, node?.Start.Column ?? 0, message));

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private YamlMappingNode? AsMapping(YamlNode? node, string what)
    {
        if (node is null or YamlMappingNode) return node as YamlMappingNode;
        Problem(node, $"{what} は「キー: 値」のマッピングで書いてください。");
        return null;
    }

    private void Known(YamlMappingNode node, params string[] keys)
    {
        foreach (var key in node.Children.Keys)
            if (key is YamlScalarNode { Value: { } k } && !keys.Contains(k))
                Problem(key, $"不明なキー「{k}」です（使えるキー: {string.Join(", ", keys)}）。");
    }

    private string? OptionalString(YamlMappingNode node, string key)
    {
        var child = Child(node, key);
        if (child is null) return null;
        if (child is YamlScalarNode { Value: { } v }) return v;
        Problem(child, $"{key} は文字列で書いてください。");
        return null;
    }

    /// <summary>An optional true/false flag (false when absent).</summary>
    private bool Flag(YamlMappingNode node, string key)
    {
        var value = OptionalString(node, key);
        if (value is null or "false") return false;
        if (value is "true") return true;
        Problem(node[key], $"{key} は true か false で書いてください。");
        return false;
    }

    private string? RequiredString(YamlMappingNode node, string key)
    {
        var value = OptionalString(node, key);
        if (value is null && !node.Children.ContainsKey(key)) Problem(node, $"{key} がありません。");
        else if (value is not null && string.IsNullOrWhiteSpace(value)) { Problem(node[key], $"{key} が空です。"); return null; }
        return value;
    }
}

using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Shirabe.Core;

namespace Shirabe.Surveys;

/// <summary>
/// One wording of a survey.yaml that the console's editor may change (docs/decisions/054): where it is in the YAML
/// (<see cref="Path"/>, the form field's key), which section's editor shows it (<see cref="Group"/>: a section id, or
/// <see cref="SurveyText.CommonGroup"/> for the title and the scales), what it belongs to, and its text.
/// </summary>
public sealed record WordingField(string Path, string Group, string Owner, string Field, string Value, long Line)
{
    /// <summary>A multi-line or long text gets a text area.</summary>
    public bool Long => Value.Contains('\n') || Value.Length > 40;
}

/// <summary>
/// Changes a survey.yaml's text in place (docs/decisions/054): the wording the editor offers, the next wave's copy
/// (id, series, title, period; every `sameAs` dropped). Each change replaces only the characters of the YAML node it
/// touches, found through YamlDotNet's representation model (node start and end marks), so comments, order, flow
/// or block style and every other line stay as they were. The result is always read again by <see cref="Core.Questionnaire.SurveyLoader"/>.
/// </summary>
public static class SurveyText
{
    public const string CommonGroup = "common";

    /// <summary>The fields whose text is wording (SurveyDiff: wording only); structure stays read-only.</summary>
    private static readonly string[] QuestionFields = ["title", "prompt", "note", "label", "short"];
    private static readonly string[] ItemFields = ["label", "short"];
    private static readonly string[] OptionFields = ["label", "short"];

    private static YamlMappingNode Root(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root : throw new UserError("調査票の定義がマッピング（キー: 値）ではありません。");
    }

    /// <summary>Every editable wording of a (valid, loaded) definition, in questionnaire order.</summary>
    public static List<WordingField> Fields(string yaml) => Walk(Root(yaml)).Select(f => f.Field).ToList();

    /// <summary>
    /// The definition with the wordings of <paramref name="values"/> (path → new text) replaced; paths not offered by
    /// <see cref="Fields"/> are ignored, unchanged values leave the text as it was. An empty value is refused (a
    /// required text would be missing; an optional one is removed by uploading the definition).
    /// </summary>
    public static string ApplyWording(string yaml, IReadOnlyDictionary<string, string> values)
    {
        var edits = new List<(int Start, int End, string Text)>();
        var empty = new List<string>();
        foreach (var (field, node) in Walk(Root(yaml)))
        {
            if (!values.TryGetValue(field.Path, out var value)) continue;
            value = value.ReplaceLineEndings("\n");
            if (value == field.Value) continue;
            if (string.IsNullOrWhiteSpace(value))
            {
                empty.Add($"{field.Owner} の{field.Field}");
                continue;
            }
            edits.Add(Replace(yaml, node, value));
        }
        if (empty.Count > 0)
            throw new UserError("空にはできません（注記・略称をなくすときは、定義ファイルをアップロードしてください）: " + string.Join("、", empty));
        return Splice(yaml, edits);
    }

    /// <summary>
    /// The next wave's first definition: the previous wave's text with a new id, series (the previous wave's, so the
    /// waves stay in one series), title and period, and every `sameAs` removed (decision 038: it always names the wave
    /// before the one that declares it).
    /// </summary>
    public static string NextWave(string yaml, string id, string series, string title, DateOnly opens, DateOnly closes)
    {
        var root = Root(yaml);
        var edits = new List<(int Start, int End, string Text)>();
        var idNode = Scalar(root, "id") ?? throw new UserError("調査票に id がありません。");
        edits.Add(Replace(yaml, idNode, id));
        if (Scalar(root, "series") is { } seriesNode) edits.Add(Replace(yaml, seriesNode, series));
        else
        {
            // A new line after the id's, at the id's indentation.
            var lineEnd = yaml.IndexOf('\n', (int)idNode.End.Index);
            var at = lineEnd < 0 ? yaml.Length : lineEnd + 1;
            var indent = new string(' ', (int)KeyOf(root, "id")!.Start.Column - 1);
            edits.Add((at, at, $"{(lineEnd < 0 ? "\n" : "")}{indent}series: {Quote(series)}\n"));
        }
        edits.Add(Replace(yaml, Scalar(root, "title") ?? throw new UserError("調査票に title がありません。"), title));
        if (Child(root, "period") is not YamlMappingNode period || Scalar(period, "opens") is not { } o || Scalar(period, "closes") is not { } c)
            throw new UserError("調査票に period（opens, closes）がありません。");
        edits.Add(Replace(yaml, o, opens.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), quote: false));
        edits.Add(Replace(yaml, c, closes.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), quote: false));
        foreach (var mapping in Mappings(root))
            if (mapping.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == "sameAs") is { } key)
                edits.Add(RemovePair(yaml, mapping, key));
        return Splice(yaml, edits);
    }

    /// <summary>The next wave's copy of report.yaml: its `survey:` (the survey it is for) set to the new id, nothing else changed.</summary>
    public static string RetargetReport(string reportYaml, string id)
    {
        var root = Root(reportYaml);
        return Scalar(root, "survey") is { } node ? Splice(reportYaml, [Replace(reportYaml, node, id)]) : reportYaml;
    }

    // ---------------------------------------------------------------- walking

    private static IEnumerable<(WordingField Field, YamlScalarNode Node)> Walk(YamlMappingNode root)
    {
        if (Scalar(root, "title") is { } title)
            yield return (Field("title", CommonGroup, "調査", "調査名", title), title);
        if (Child(root, "scales") is YamlMappingNode scales)
            foreach (var (key, value) in scales.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                foreach (var f in Options($"scales/{name}", CommonGroup, $"尺度 {name}", value)) yield return f;
            }
        if (Child(root, "sections") is not YamlSequenceNode sections) yield break;
        for (var s = 0; s < sections.Children.Count; s++)
        {
            if (sections.Children[s] is not YamlMappingNode section) continue;
            var group = Scalar(section, "id")?.Value ?? "";
            var sp = $"sections/{s}";
            if (Scalar(section, "title") is { } st) yield return (Field($"{sp}/title", group, $"セクション {group}", "見出し", st), st);
            if (Child(section, "questions") is not YamlSequenceNode questions) continue;
            for (var q = 0; q < questions.Children.Count; q++)
            {
                if (questions.Children[q] is not YamlMappingNode question) continue;
                var qp = $"{sp}/questions/{q}";
                var code = Scalar(question, "code")?.Value ?? "";
                foreach (var f in Texts(qp, group, $"設問 {code}", question, QuestionFields)) yield return f;
                foreach (var f in Choices(qp, group, $"設問 {code}", question)) yield return f;
                if (Child(question, "items") is not YamlSequenceNode items) continue;
                for (var i = 0; i < items.Children.Count; i++)
                {
                    if (items.Children[i] is not YamlMappingNode item) continue;
                    var ip = $"{qp}/items/{i}";
                    var owner = $"設問 {Scalar(item, "code")?.Value}";
                    foreach (var f in Texts(ip, group, owner, item, ItemFields)) yield return f;
                    foreach (var f in Choices(ip, group, owner, item)) yield return f;
                }
            }
        }
    }

    private static IEnumerable<(WordingField, YamlScalarNode)> Texts(string path, string group, string owner, YamlMappingNode node, string[] fields)
    {
        foreach (var name in fields)
            if (Scalar(node, name) is { } s) yield return (Field($"{path}/{name}", group, owner, FieldName(name), s), s);
    }

    /// <summary>An item's (or one-item question's) options and split parts.</summary>
    private static IEnumerable<(WordingField, YamlScalarNode)> Choices(string path, string group, string owner, YamlMappingNode node)
    {
        if (Child(node, "options") is { } options)
            foreach (var f in Options($"{path}/options", group, owner, options)) yield return f;
        if (Child(node, "parts") is YamlSequenceNode parts)
            for (var p = 0; p < parts.Children.Count; p++)
                if (parts.Children[p] is YamlMappingNode part && Scalar(part, "label") is { } label)
                    yield return (Field($"{path}/parts/{p}/label", group, $"{owner} 内訳 {Scalar(part, "code")?.Value}", "ラベル", label), label);
    }

    /// <summary>Options as the loader numbers them: a bare label is its position after the previous code.</summary>
    private static IEnumerable<(WordingField, YamlScalarNode)> Options(string path, string group, string owner, YamlNode node)
    {
        if (node is not YamlSequenceNode seq) yield break;
        var next = 1;
        for (var o = 0; o < seq.Children.Count; o++)
        {
            var entry = seq.Children[o];
            var code = next;
            if (entry is YamlMappingNode m && int.TryParse(Scalar(m, "code")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c)) code = c;
            next = code + 1;
            var who = $"{owner} 選択肢 {code}";
            if (entry is YamlScalarNode s) yield return (Field($"{path}/{o}", group, who, "ラベル", s), s);
            else if (entry is YamlMappingNode mapping)
                foreach (var f in Texts($"{path}/{o}", group, who, mapping, OptionFields)) yield return f;
        }
    }

    private static WordingField Field(string path, string group, string owner, string field, YamlScalarNode node) =>
        new(path, group, owner, field, node.Value ?? "", node.Start.Line);

    private static string FieldName(string key) => key switch
    {
        "title" => "見出し（title）",
        "prompt" => "設問文",
        "note" => "注記",
        "label" => "ラベル",
        _ => "略称（short）",
    };

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static YamlScalarNode? Scalar(YamlMappingNode node, string key) => Child(node, key) as YamlScalarNode;

    private static YamlScalarNode? KeyOf(YamlMappingNode node, string key) =>
        node.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == key);

    private static IEnumerable<YamlMappingNode> Mappings(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode m:
                yield return m;
                foreach (var child in m.Children.Values)
                    foreach (var inner in Mappings(child)) yield return inner;
                break;
            case YamlSequenceNode s:
                foreach (var child in s.Children)
                    foreach (var inner in Mappings(child)) yield return inner;
                break;
        }
    }

    // ---------------------------------------------------------------- editing the text

    /// <summary>
    /// Replaces a scalar's characters with <paramref name="value"/> as a double-quoted scalar (valid in block and flow
    /// context, any character escaped). A block scalar (| or &gt;) spans its line breaks: they are kept after the new text.
    /// </summary>
    private static (int, int, string) Replace(string yaml, YamlScalarNode node, string value, bool quote = true)
    {
        var start = (int)node.Start.Index;
        var end = (int)node.End.Index;
        var text = quote ? Quote(value) : value;
        if (node.Style is ScalarStyle.Literal or ScalarStyle.Folded)
        {
            var kept = end;
            while (kept > start && yaml[kept - 1] is ' ' or '\n' or '\r' or '\t') kept--;
            text += yaml[kept..end];
        }
        return (start, end, text);
    }

    /// <summary>Removes a key and its value from a mapping: its whole line(s) in block style, the pair and a comma in flow style.</summary>
    private static (int, int, string) RemovePair(string yaml, YamlMappingNode mapping, YamlScalarNode key)
    {
        var value = mapping.Children[key];
        var keyStart = (int)key.Start.Index;
        var valueEnd = (int)value.End.Index;
        if (mapping.Style == YamlDotNet.Core.Events.MappingStyle.Flow)
        {
            var pairs = mapping.Children.ToList();
            var at = pairs.FindIndex(p => ReferenceEquals(p.Key, key));
            if (at > 0) return ((int)pairs[at - 1].Value.End.Index, valueEnd, ""); // ", sameAs: 6"
            if (pairs.Count > 1) return (keyStart, (int)pairs[1].Key.Start.Index, ""); // "sameAs: 6, "
            return (keyStart, valueEnd, "");
        }
        var lineStart = yaml.LastIndexOf('\n', Math.Max(0, keyStart - 1)) + 1;
        if (yaml[lineStart..keyStart].Trim().Length > 0)
        {
            // "- sameAs: x" opens a sequence entry: keep the dash, the next key moves up to it.
            var next = mapping.Children.Keys.SkipWhile(k => !ReferenceEquals(k, key)).Skip(1).FirstOrDefault();
            if (next is null) throw new UserError($"{key.Start.Line} 行目の sameAs を取り除けません。定義ファイルから削除してアップロードしてください。");
            return (keyStart, (int)next.Start.Index, "");
        }
        var lineEnd = yaml.IndexOf('\n', Math.Max(valueEnd - 1, keyStart));
        return (lineStart, lineEnd < 0 ? yaml.Length : lineEnd + 1, "");
    }

    private static string Splice(string yaml, List<(int Start, int End, string Text)> edits)
    {
        var text = new StringBuilder(yaml);
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start))
            text.Remove(start, end - start).Insert(start, replacement);
        return text.ToString();
    }

    /// <summary>A YAML double-quoted scalar: backslash, quote, line breaks and control characters escaped.</summary>
    public static string Quote(string value)
    {
        var b = new StringBuilder("\"");
        foreach (var ch in value)
            b.Append(ch switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\t' => "\\t",
                < ' ' or '\u007f' or '\u0085' or '\u2028' or '\u2029' => $"\\u{(int)ch:x4}",
                _ => ch.ToString(),
            });
        return b.Append('"').ToString();
    }
}

using System.Globalization;
using System.Text;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;
using YamlDotNet.RepresentationModel;

namespace Shirabe.Surveys;

/// <summary>
/// Rewrites only the `mail:` section of a survey.yaml text (the console's template editor): every other line stays as
/// it was, comments included. The section is the top-level `mail:` key's lines up to the next top-level line (a key at
/// column 1; comment and blank lines just before it stay with it); a survey without one gets it at the end. The result
/// goes through the loader (<see cref="SurveyCatalog.AddAsync"/>) like any other version.
/// </summary>
public static class MailYaml
{
    /// <summary><paramref name="yaml"/> with its `mail:` section holding <paramref name="templates"/> (kind → template; kinds left out use the defaults).</summary>
    public static string WithMail(string yaml, IReadOnlyDictionary<string, MailTemplate> templates)
    {
        yaml = SurveyCatalog.Canonical(yaml);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode { Style: not YamlDotNet.Core.Events.MappingStyle.Flow } root)
            throw new UserError("survey.yaml が 1 つのマッピング（キー: 値 の並び）ではないため、メール文面を書き換えられません。");
        var block = Emit(templates);
        var lines = yaml.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1] == "") lines.RemoveAt(lines.Count - 1);
        var key = root.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == "mail");
        if (key is null)
            return string.Join("\n", lines) + "\n" + block;
        if (key.Start.Column != 1)
            throw new UserError("survey.yaml の mail: が行の先頭にないため、メール文面を書き換えられません。");
        var start = (int)key.Start.Line - 1;
        var end = start + 1;
        while (end < lines.Count && (lines[end].Length == 0 || lines[end][0] is ' ' or '\t' or '#')) end++;
        // Blank and comment lines at the end belong to what follows (the next key, or the end of the file).
        while (end > start + 1 && (lines[end - 1].Trim().Length == 0 || lines[end - 1].StartsWith('#'))) end--;
        var before = string.Join("", lines.Take(start).Select(l => l + "\n"));
        var after = string.Join("", lines.Skip(end).Select(l => l + "\n"));
        return before + block + after;
    }

    /// <summary>The `mail:` block: subjects double-quoted, bodies as literal blocks (the loader trims them).</summary>
    public static string Emit(IReadOnlyDictionary<string, MailTemplate> templates)
    {
        var b = new StringBuilder("mail:\n");
        foreach (var kind in SurveyMail.Kinds)
        {
            if (!templates.TryGetValue(kind, out var t)) continue;
            var subject = t.Subject.Trim();
            var body = t.Body.ReplaceLineEndings("\n").Trim('\n', ' ', '\t', '\u3000');
            Refuse(kind, "件名", subject, allowLines: false);
            Refuse(kind, "本文", body, allowLines: true);
            b.Append("  ").Append(kind).Append(":\n");
            b.Append("    subject: ").Append(Quoted(subject)).Append('\n');
            b.Append("    body: |-\n");
            foreach (var line in body.Split('\n'))
                b.Append(line.Length == 0 ? "" : "      " + line.TrimEnd()).Append('\n');
        }
        return b.ToString();
    }

    private static void Refuse(string kind, string what, string text, bool allowLines)
    {
        var bad = text.FirstOrDefault(c => c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF'
                                           || char.IsControl(c) && c != '\t' && !(allowLines && c == '\n'));
        if (bad != default)
            throw new UserError($"{SurveyMail.KindName(kind)}の{what}に使えない文字（U+{(int)bad:X4}{(bad == '\n' ? "、改行" : "")}）が含まれています。");
    }

    private static string Quoted(string text)
    {
        var b = new StringBuilder("\"");
        foreach (var c in text)
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\t' => "\\t",
                _ => c.ToString(CultureInfo.InvariantCulture),
            });
        return b.Append('"').ToString();
    }
}

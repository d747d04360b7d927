using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shirabe.Core.Questionnaire;

public sealed partial class SurveyLoader
{
    /// <summary>The optional `mail:` block: invitation, reminder and receipt, each a subject and a body.</summary>
    private SurveyMail? ParseMail(YamlMappingNode root)
    {
        if (AsMapping(Child(root, "mail"), "mail") is not { } m) return null;
        Known(m, [.. SurveyMail.Kinds]);
        MailTemplate? Kind(string kind)
        {
            if (AsMapping(Child(m, kind), "mail." + kind) is not { } t) return null;
            Known(t, "subject", "body");
            var name = SurveyMail.KindName(kind);
            var subject = MailText(t, kind, "subject");
            var body = MailText(t, kind, "body");
            if (subject is null || body is null) return null;
            if (subject.Contains('\n'))
                Problem(t["subject"], $"mail.{kind}.subject（{name}の件名）は 1 行で書いてください。");
            if (MailTemplateText.Uses(subject, MailPlaceholder.Link))
                Problem(t["subject"], $"mail.{kind}.subject: 件名に {{{{回答URL}}}} は使えません（個人用のリンクは本文に書いてください）。");
            // APPI: every mail links to the notice on personal data; invitations and reminders carry the personal link.
            if (!MailTemplateText.Uses(body, MailPlaceholder.Privacy))
                Problem(t["body"], $"mail.{kind}.body: {name}の本文に {{{{個人情報の取扱い}}}}（個人情報の取扱いのページへのリンク）を入れてください。");
            if (kind != SurveyMail.ReceiptKind && !MailTemplateText.Uses(body, MailPlaceholder.Link))
                Problem(t["body"], $"mail.{kind}.body: {name}の本文に {{{{回答URL}}}}（回答用のリンク）を入れてください。");
            return new MailTemplate(subject, body);
        }
        return new SurveyMail(Kind(SurveyMail.InvitationKind), Kind(SurveyMail.ReminderKind), Kind(SurveyMail.ReceiptKind));
    }

    /// <summary>A required, non-blank subject or body (trimmed, line ends as \n), its placeholders checked where they are written.</summary>
    private string? MailText(YamlMappingNode t, string kind, string key)
    {
        var value = OptionalString(t, key);
        if (value is null)
        {
            if (Child(t, key) is null) Problem(t, $"mail.{kind} に {key} がありません。");
            return null;
        }
        if (string.IsNullOrWhiteSpace(value)) { Problem(t[key], $"mail.{kind}.{key} が空です。"); return null; }
        var text = value.ReplaceLineEndings("\n");
        // Located in the value as written (before trimming), whose line breaks are the file's.
        foreach (var p in MailTemplateText.Parse(text).Problems)
        {
            var (line, column) = Locate(t[key], text, p.Offset);
            _problems.Add(new(_file, line, column, $"mail.{kind}.{key}: {p.Message}"));
        }
        return text.Trim();
    }

    /// <summary>
    /// The line and column in the file of the placeholder at <paramref name="offset"/> of a scalar's value: found in the
    /// source lines the scalar spans (a block scalar's content starts on the line after its `|`), else the scalar's start.
    /// </summary>
    private (long Line, long Column) Locate(YamlNode node, string value, int offset)
    {
        var close = value.IndexOf("}}", offset, StringComparison.Ordinal);
        var fragment = close < 0 || value.AsSpan(offset, close - offset).Contains('\n') ? "{{" : value[offset..(close + 2)];
        var newlines = value.AsSpan(0, offset).Count('\n');
        var scalar = node as YamlScalarNode;
        var first = (int)node.Start.Line + (scalar?.Style is ScalarStyle.Literal or ScalarStyle.Folded ? 1 : 0);
        var guess = first + newlines;
        var last = Math.Min(_lines.Length, (int)node.End.Line);
        bool At(int line, out long column)
        {
            column = 0;
            if (line < 1 || line > _lines.Length) return false;
            var i = _lines[line - 1].IndexOf(fragment, StringComparison.Ordinal);
            column = i + 1;
            return i >= 0;
        }
        // A literal block's source line is its indentation and then the value's line: exact, even for a repeated placeholder.
        if (scalar?.Style is ScalarStyle.Literal && guess >= 1 && guess <= _lines.Length)
        {
            var start = value.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1;
            var end = value.IndexOf('\n', offset);
            var valueLine = value[start..(end < 0 ? value.Length : end)];
            var source = _lines[guess - 1].TrimEnd('\r');
            if (source.EndsWith(valueLine, StringComparison.Ordinal))
                return (guess, source.Length - valueLine.Length + offset - start + 1);
        }
        if (At(guess, out var c)) return (guess, c);
        for (var line = (int)node.Start.Line; line <= last; line++)
            if (At(line, out c)) return (line, c);
        return (node.Start.Line, node.Start.Column);
    }
}

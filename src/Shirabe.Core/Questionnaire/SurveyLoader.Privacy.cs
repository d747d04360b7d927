using YamlDotNet.RepresentationModel;

namespace Shirabe.Core.Questionnaire;

public sealed partial class SurveyLoader
{
    /// <summary>The optional `privacy:` block: purposes and contact are required, the rest optional.</summary>
    private PrivacyNotice? ParsePrivacy(YamlMappingNode root)
    {
        if (AsMapping(Child(root, "privacy"), "privacy") is not { } p) return null;
        Known(p, "title", "handler", "purposes", "retention", "sharing", "contact", "body");
        var title = NonEmpty(p, "title");
        var purposes = Paragraphs(p, "purposes");
        if (Child(p, "purposes") is not { } purposesNode) Problem(p, "privacy に purposes（利用目的のリスト）がありません。");
        else if (purposesNode is YamlSequenceNode { Children.Count: 0 }) Problem(purposesNode, "privacy.purposes に利用目的を 1 つ以上書いてください。");
        var contact = NonEmpty(p, "contact");
        if (contact is null && Child(p, "contact") is null)
            Problem(p, "privacy に contact（開示・訂正等の請求やお問い合わせの窓口）がありません。");
        return new PrivacyNotice(title ?? PrivacyNotice.DefaultTitle, NonEmpty(p, "handler"), purposes ?? [],
            NonEmpty(p, "retention"), NonEmpty(p, "sharing"), contact ?? "", Paragraphs(p, "body") ?? []);
    }

    /// <summary>An optional string that, when given, is not blank.</summary>
    private string? NonEmpty(YamlMappingNode node, string key)
    {
        var value = OptionalString(node, key);
        if (value is not null && string.IsNullOrWhiteSpace(value)) { Problem(node[key], $"privacy.{key} が空です。"); return null; }
        return value?.Trim();
    }

    /// <summary>A list of non-blank strings, or null when the key is absent or not a list.</summary>
    private List<string>? Paragraphs(YamlMappingNode node, string key)
    {
        if (Child(node, key) is not { } child) return null;
        if (child is not YamlSequenceNode seq)
        {
            Problem(child, $"privacy.{key} は文字列のリスト（- で始まる行）で書いてください。");
            return null;
        }
        var list = new List<string>();
        foreach (var entry in seq)
            if (entry is YamlScalarNode { Value: { } v } && !string.IsNullOrWhiteSpace(v)) list.Add(v.Trim());
            else Problem(entry, $"privacy.{key} の各行は空でない文字列で書いてください。");
        return list;
    }
}

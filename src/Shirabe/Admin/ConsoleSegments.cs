using Shirabe.Core.Questionnaire;
using Shirabe.Core.Tabulation;

namespace Shirabe.Admin;

/// <summary>Segment filters as the live results take them: ?f=1-6=5&amp;f=1-3=4 (all must match).</summary>
public static class ConsoleSegments
{
    /// <summary>The segment of the valid filters (null: everyone); a message per invalid filter in <paramref name="errors"/>.</summary>
    public static Segment? Parse(Survey survey, IEnumerable<string>? filters, List<string> errors)
    {
        var list = new List<SegmentFilter>();
        foreach (var f in (filters ?? []).Where(f => !string.IsNullOrWhiteSpace(f)).Take(10))
        {
            try { list.Add(SegmentFilter.Parse(survey, f.Trim())); }
            catch (Core.UserError e) { errors.Add(Explain(survey, f.Trim()) ?? e.Message); }
        }
        return list.Count > 0 ? new Segment(list) : null;
    }

    /// <summary>A wrong choice of a known item, said with the choices' wording (not bare numbers).</summary>
    private static string? Explain(Survey survey, string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || !survey.TryGetItem(text[..eq].Trim(), out var item) || item.Options.Count == 0) return null;
        var choices = string.Join("、", item.Options.Select(o => ConsoleNames.Option(item, o.Code)));
        return $"絞り込み「{text}」: {ConsoleNames.Name(survey, item)} の選択肢は {choices}、{SegmentFilter.NoAnswerWord} です。";
    }

    /// <summary>Every value the pick-lists offer: per choice item, each option and 無回答, as ITEM=CODE.</summary>
    public static IEnumerable<(Item Item, IReadOnlyList<(string Value, string Text)> Choices)> PickList(Survey survey) =>
        survey.Items.Where(i => i.Kind is ItemKind.Single or ItemKind.Multiple or ItemKind.Matrix)
            .Select(i => (i, (IReadOnlyList<(string, string)>)i.Options.Select(o => ($"{i.Code}={o.Code}", ConsoleNames.Option(i, o.Code)))
                .Append(($"{i.Code}={SegmentFilter.NoAnswerWord}", SegmentFilter.NoAnswerWord)).ToList()));
}

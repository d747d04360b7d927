using System.Globalization;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Responses;

/// <summary>How <see cref="SyntheticResponses"/> fills a form. Probabilities are per respondent or per item.</summary>
public sealed record SyntheticOptions
{
    /// <summary>Share of respondents who saved a draft and never submitted.</summary>
    public double Drafts { get; init; } = 0.01;
    /// <summary>Share of shown choice/matrix/split items left blank (無回答).</summary>
    public double NoAnswer { get; init; } = 0.05;
    /// <summary>Share of unconditional choice/matrix/split items missing from the respondent's form (NA), like 2-5-g for R01–R03.</summary>
    public double NotAsked { get; init; } = 0.01;
    /// <summary>Share of shown text items with a text.</summary>
    public double Text { get; init; } = 0.1;
    /// <summary>
    /// About how many characters each text has: 0 picks one short phrase; more joins phrases (now and then on a new
    /// line, now and then with a comma or a quote, as real comments have) up to that length. Never longer than the item allows.
    /// </summary>
    public int TextLength { get; init; }
    /// <summary>Makes a text; the default picks a short Japanese phrase (or several, <see cref="TextLength"/>).</summary>
    public Func<Random, string>? TextOf { get; init; }
}

/// <summary>
/// Random but rule-consistent responses to a survey (skip rules obeyed, exclusive options alone, splits summing to the
/// total): for property tests and benchmarks. Deterministic for a given <see cref="Random"/> seed.
/// </summary>
public static class SyntheticResponses
{
    private static readonly string[] Phrases =
        ["検討中", "特になし", "セミナーの開催", "会員へのメール配信", "人手不足のため", "IPAからの情報を会員へ提供", "現状では不明"];

    public static IEnumerable<Response> Generate(Survey survey, Random random, long count, SyntheticOptions? options = null)
    {
        options ??= new SyntheticOptions();
        var textOf = options.TextOf ?? (options.TextLength > 0 ? r => Joined(r, options.TextLength) : r => Phrases[r.Next(Phrases.Length)]);
        var start = survey.Period.OpensAt;
        var seconds = (long)(survey.Period.ClosesAt - start).TotalSeconds;
        var offset = survey.Period.TimeZone.GetUtcOffset(start.UtcDateTime);
        var digits = Math.Max(2, count.ToString(CultureInfo.InvariantCulture).Length);
        for (long i = 1; i <= count; i++)
        {
            var answers = new Answer[survey.Items.Count];
            var shown = new bool[survey.Items.Count];
            foreach (var item in survey.Items)
            {
                shown[item.Index] = item.ShowIf is null || item.ShowIf.IsMet(answers, shown);
                answers[item.Index] = shown[item.Index] ? One(item, random, options, textOf) : Answer.NotAsked;
            }
            DateTimeOffset? submitted = random.NextDouble() < options.Drafts
                ? null
                : start.AddSeconds(random.NextInt64(seconds)).ToOffset(offset);
            yield return new Response("R" + i.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0'), submitted, answers);
        }
    }

    private static Answer One(Item item, Random random, SyntheticOptions options, Func<Random, string> textOf)
    {
        if (item.Kind == ItemKind.Text)
        {
            if (random.NextDouble() >= options.Text) return Answer.NoAnswer;
            var text = textOf(random);
            return Answer.FromText(text.Length > item.MaxLength ? text[..item.MaxLength].TrimEnd() : text);
        }
        if (item.ShowIf is null && random.NextDouble() < options.NotAsked) return Answer.NotAsked;
        if (random.NextDouble() < options.NoAnswer) return Answer.NoAnswer;
        switch (item.Kind)
        {
            case ItemKind.Single or ItemKind.Matrix:
                return Answer.Single(item.Options[random.Next(item.Options.Count)].Code);
            case ItemKind.Multiple:
                var exclusive = item.Options.Where(o => o.Exclusive).ToArray();
                if (exclusive.Length > 0 && random.NextDouble() < 0.1)
                    return Answer.Multiple([exclusive[random.Next(exclusive.Length)].Code]);
                var chosen = item.Options.Where(o => !o.Exclusive && random.NextDouble() < 0.35).Select(o => o.Code).ToList();
                if (chosen.Count == 0) chosen.Add(item.Options.First(o => !o.Exclusive).Code);
                return Answer.Multiple(chosen);
            case ItemKind.Split:
                return Answer.Split(Split(item, random));
            default:
                return Answer.NoAnswer;
        }
    }

    private static readonly string[] Joints = ["、", "。", "。\n", ", ", "「", "」", "\""];

    private static string Joined(Random random, int length)
    {
        var text = new System.Text.StringBuilder(length + 20);
        while (text.Length < length)
        {
            if (text.Length > 0) text.Append(Joints[random.Next(Joints.Length)]);
            text.Append(Phrases[random.Next(Phrases.Length)]);
        }
        return text.ToString();
    }

    /// <summary>Parts summing exactly to the total; now and then a half (14.5) as in the SC3 data.</summary>
    private static decimal?[] Split(Item item, Random random)
    {
        var parts = new decimal?[item.Parts.Count];
        var left = item.Total;
        for (var p = 0; p < parts.Length - 1; p++)
        {
            var v = random.Next(4) == 0 ? 0 : Math.Floor((decimal)random.NextDouble() * left);
            if (v >= 1 && random.Next(10) == 0) v -= 0.5m;
            parts[p] = v;
            left -= v;
        }
        parts[^1] = left;
        return parts;
    }
}

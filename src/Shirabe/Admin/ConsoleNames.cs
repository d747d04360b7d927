using System.Runtime.CompilerServices;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Tabulation;

namespace Shirabe.Admin;

/// <summary>
/// How the console names items and options: by their wording, not only by their codes. Items of one question that
/// share a label (4-3-a and 4-4-a are both 活用意向) are told apart by the question's title (survey.yaml `title`).
/// </summary>
public static class ConsoleNames
{
    private const int MaxTitle = 40;
    private static readonly ConditionalWeakTable<Survey, Dictionary<string, Question>> QuestionOf = new();

    /// <summary>The item's wording in short form, e.g. 「業界ガイドライン策定支援の活用意向：活用意向」.</summary>
    public static string Title(Survey survey, Item item)
    {
        var questions = QuestionOf.GetValue(survey, s => s.Questions.SelectMany(q => q.Items.Select(i => (i.Code, q)))
            .ToDictionary(x => x.Code, x => x.q, StringComparer.Ordinal));
        var question = questions.GetValueOrDefault(item.Code);
        var title = question is null ? item.ReportLabel
            : question.Code == item.Code ? question.Title ?? item.ReportLabel
            : question.Title is { } t && t != item.ReportLabel ? $"{t}：{item.ReportLabel}" : item.ReportLabel;
        return title.Length > MaxTitle ? title[..(MaxTitle - 1)] + "…" : title;
    }

    /// <summary>「設問 4-3-a 業界ガイドライン策定支援の活用意向：活用意向」.</summary>
    public static string Name(Survey survey, Item item) => $"設問 {item.Code} {Title(survey, item)}";

    /// <summary>「2. 漁業」, or 無回答 for no code.</summary>
    public static string Option(Item item, int? code) => code is { } c
        ? item.FindOption(c) is { } o ? $"{c}. {o.ReportLabel}" : c.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : SegmentFilter.NoAnswerWord;

    /// <summary>A segment filter in words: 「設問 1-6 会員の業種 = 5. 製造業 または 6. …」.</summary>
    public static string Describe(Survey survey, SegmentFilter f)
    {
        var values = f.Codes.Select(c => Option(f.Item, c)).ToList();
        if (f.NoAnswer) values.Add(SegmentFilter.NoAnswerWord);
        return $"{Name(survey, f.Item)} = {string.Join(" または ", values)}";
    }

    public static string Describe(Survey survey, Segment segment) => string.Join(" かつ ", segment.Filters.Select(f => Describe(survey, f)));
}

/// <summary>How the console shows the report's tables.</summary>
public static class ConsoleTables
{
    /// <summary>Rows of one table shown on a console page; the rest are in the downloads.</summary>
    public const int MaxRows = 100;
}

using Shirabe.Core.Questionnaire;
using Shirabe.Data;

namespace Shirabe.Respond;

/// <summary>
/// One page of the web form: a section, or a part of a long one (split at questions with `pageBreak`).
/// <see cref="Number"/> counts pages across the whole questionnaire (1-based), for the progress line.
/// </summary>
public sealed record FormPage(Section Section, int Index, IReadOnlyList<Question> Questions, int Number)
{
    /// <summary>Under the personal link: /s/2 for a section's first page, /s/2/2 for its second.</summary>
    public string Path => Index == 0 ? $"/s/{Section.Id}" : $"/s/{Section.Id}/{Index + 1}";
    public IEnumerable<Item> Items => Questions.SelectMany(q => q.Items);

    /// <summary>
    /// How <paramref name="item"/>'s skip rule shows on this page, given the saved answers and what they show: not
    /// rendered when the rule looks only at earlier pages and is not met there; else rendered, with this page's items
    /// the rule looks at (column names) and its codes for respond.js, and whether it is met on the other pages already.
    /// </summary>
    public (bool Render, string? Items, string? Codes, bool MetBefore) Visibility(Item item, IReadOnlyList<Answer> saved, bool[] shown)
    {
        if (item.ShowIf is not { } c) return (true, null, null, false);
        var (items, codes) = ShowIfOnPage(item);
        var metBefore = c.Items.Where(i => !Items.Contains(i)).Any(i => c.IsMetBy(i, saved, shown));
        return items is null ? (metBefore, null, null, metBefore) : (true, items, codes, metBefore);
    }

    /// <summary>The items of <paramref name="item"/>'s skip rule that are on this page (column names) and the rule's
    /// codes, for respond.js; nulls when the rule looks only at other pages (or there is none).</summary>
    public (string? Items, string? Codes) ShowIfOnPage(Item item)
    {
        if (item.ShowIf is not { } c) return (null, null);
        var here = c.Items.Where(Items.Contains).ToList();
        return here.Count == 0 ? (null, null) : (string.Join(' ', here.Select(i => i.ColumnName)), string.Join(' ', c.AnyOf));
    }
}

/// <summary>How far a section is answered, from the draft: nothing given, given but pages unsaved, every page saved.</summary>
public enum SectionState { NotStarted, InProgress, Done }

public static class FormPages
{
    public static IReadOnlyList<FormPage> Of(Survey survey)
    {
        var pages = new List<FormPage>();
        foreach (var section in survey.Sections)
            for (var i = 0; i < section.Pages.Count; i++)
                pages.Add(new FormPage(section, i, section.Pages[i], pages.Count + 1));
        return pages;
    }

    public static FormPage PageOf(Survey survey, Item item) =>
        Of(survey).First(p => p.Section.Id == item.SectionId && p.Questions.Any(q => q.Code == item.QuestionCode));

    /// <summary>
    /// 未回答 while no asked item of the section has an answer; 済 once it has one and every page of the section was
    /// saved (blanks are valid answers: 無回答); 回答中 in between. Never by position.
    /// </summary>
    public static SectionState StateOf(Section section, IReadOnlyDictionary<string, string> cells, IReadOnlyList<Answer> answers)
    {
        var items = section.Questions.SelectMany(q => q.Items).ToList();
        if (!items.Any(i => answers[i.Index].State == AnswerState.Given)) return SectionState.NotStarted;
        return items.All(i => i.Columns.All(cells.ContainsKey)) ? SectionState.Done : SectionState.InProgress;
    }

    public static string Label(SectionState state) => state switch
    {
        SectionState.Done => "済",
        SectionState.InProgress => "回答中",
        _ => "未回答",
    };

    /// <summary>Items asked (skip rules applied) and left blank, in questionnaire order.</summary>
    public static List<Item> Unanswered(Survey survey, IReadOnlyList<Answer> answers) =>
        survey.Items.Where(i => answers[i.Index].State == AnswerState.NoAnswer).ToList();

    /// <summary>A section page's cells as answers, with the skip rules applied (as the review shows them).</summary>
    public static Answer[] Answers(Survey survey, IReadOnlyDictionary<string, string> cells) => StoredAnswers.ToAnswers(survey, cells);
}

/// <summary>What the step indicator needs: where the person is, and (on a section page) the form its buttons submit.</summary>
public sealed record ProgressView(Survey Survey, string BasePath, FormPage? Current, IReadOnlyDictionary<string, string> Cells, string? FormId)
{
    public IReadOnlyList<FormPage> Pages { get; } = FormPages.Of(Survey);
    public Answer[] Answers { get; } = FormPages.Answers(Survey, Cells);
}

/// <summary>
/// What SectionPage renders a form page's questions from: the respondent's section page (its answers and errors), or the
/// console's preview of a version (no answers, nothing saved).
/// </summary>
public interface IQuestionsView
{
    FormPage FormPage { get; }
    string Value(string column);
    bool IsChosen(string column, int code);
    string? ErrorOf(Item item);
    (bool Render, string? Items, string? Codes, bool MetBefore) Visibility(Item item);
}

namespace Shirabe.Core.Questionnaire;

/// <summary>A questionnaire as defined in a survey file (surveys/NAME/survey.yaml). Immutable once loaded.</summary>
public sealed class Survey
{
    private readonly Dictionary<string, Item> _byCode;

    public Survey(string id, string title, SurveyPeriod period, string? contact,
        IReadOnlyList<Scale> scales, IReadOnlyList<Section> sections)
    {
        Id = id;
        Title = title;
        Period = period;
        Contact = contact;
        Scales = scales;
        Sections = sections;
        // Each item learns its place here, however the survey was built (loader, tests, generated).
        var items = new List<Item>();
        foreach (var section in sections)
            foreach (var question in section.Questions)
                foreach (var item in question.Items)
                {
                    item.Index = items.Count;
                    item.QuestionCode = question.Code;
                    item.SectionId = section.Id;
                    items.Add(item);
                }
        Items = items.ToArray();
        _byCode = Items.ToDictionary(i => i.Code, StringComparer.Ordinal);
    }

    public string Id { get; }
    public string Title { get; }
    public SurveyPeriod Period { get; }
    /// <summary>The secretariat's contact, shown to respondents on error pages.</summary>
    public string? Contact { get; }
    /// <summary>The series this survey is a wave of (survey.yaml `series`), or null: a series of its own (the survey id).</summary>
    public string? Series { get; init; }
    /// <summary>Who runs the survey (survey.yaml `owner`), shown at the top of every respondent page.</summary>
    public string? Owner { get; init; }
    /// <summary>The notice on personal data (survey.yaml `privacy:`), or null: then respondents see none.</summary>
    public PrivacyNotice? Privacy { get; init; }
    /// <summary>The mail templates the survey defines (survey.yaml `mail:`); <see cref="SurveyMail.For"/> falls back to the defaults.</summary>
    public SurveyMail Mail { get; init; } = SurveyMail.None;
    public IReadOnlyList<Scale> Scales { get; }
    public IReadOnlyList<Section> Sections { get; }
    public IEnumerable<Question> Questions => Sections.SelectMany(s => s.Questions);

    /// <summary>Every answerable item in questionnaire order; <see cref="Item.Index"/> is its position here.</summary>
    public IReadOnlyList<Item> Items { get; }

    public Item this[string code] => _byCode.TryGetValue(code, out var item)
        ? item : throw new KeyNotFoundException($"設問 {code} はこの調査票にありません。");

    public bool TryGetItem(string code, out Item item) => _byCode.TryGetValue(code, out item!);

    /// <summary>The item with <paramref name="role"/> (the loader allows at most one), or null.</summary>
    public Item? ItemWith(ItemRole role) => role == ItemRole.None ? null : Items.FirstOrDefault(i => i.Role == role);

    /// <summary>Which items a respondent with these answers is asked (skip rules applied in questionnaire order).</summary>
    public bool[] Shown(IReadOnlyList<Answer> answers)
    {
        var shown = new bool[Items.Count];
        foreach (var item in Items)
            shown[item.Index] = item.ShowIf is null || item.ShowIf.IsMet(answers, shown);
        return shown;
    }
}

/// <summary>When the survey accepts answers. Dates are local to <see cref="TimeZone"/>; the close date is inclusive.</summary>
public sealed record SurveyPeriod(DateOnly Opens, DateOnly Closes, TimeZoneInfo TimeZone)
{
    public DateTimeOffset OpensAt => At(Opens);
    public DateTimeOffset ClosesAt => At(Closes.AddDays(1));

    private DateTimeOffset At(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, TimeZone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>A time stored in UTC (the database's timestamps) as it was in the survey's time zone.</summary>
    public DateTimeOffset ToLocal(DateTime utc) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), TimeZone);

    public SurveyPhase PhaseAt(DateTimeOffset now) =>
        now < OpensAt ? SurveyPhase.NotYetOpen : now < ClosesAt ? SurveyPhase.Open : SurveyPhase.Closed;
}

public enum SurveyPhase { NotYetOpen, Open, Closed }

public sealed record Section(string Id, string Title, IReadOnlyList<Question> Questions)
{
    /// <summary>
    /// The web form's pages of this section (one unless a question has <see cref="Question.PageBreak"/>): a long section
    /// is shown on several pages but stays one section in the data.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Question>> Pages { get; } = SplitPages(Questions);

    private static List<IReadOnlyList<Question>> SplitPages(IReadOnlyList<Question> questions)
    {
        var pages = new List<IReadOnlyList<Question>>();
        var page = new List<Question>();
        foreach (var q in questions)
        {
            if (q.PageBreak && page.Count > 0) { pages.Add(page); page = []; }
            page.Add(q);
        }
        pages.Add(page);
        return pages;
    }
}

/// <summary>A numbered question of the form (設問 2-1); it holds one or more answerable items (2-1-a … 2-1-e).</summary>
/// <param name="PageBreak">The web form starts a new page at this question.</param>
public sealed record Question(string Code, string Prompt, string? Note, IReadOnlyList<Item> Items, bool PageBreak = false)
{
    /// <summary>A short name of the question for menus and headings (survey.yaml `title`), when the prompt is too long.</summary>
    public string? Title { get; init; }
}

public enum ItemKind { Text, Single, Multiple, Matrix, Split }

/// <summary>A named answer scale shared by matrix rows, e.g. 未実施 / 一部実施 / 実施済み.</summary>
public sealed record Scale(string Id, IReadOnlyList<Option> Points);

/// <summary>A choice. <see cref="Code"/> is the number printed in the questionnaire.</summary>
public sealed record Option(int Code, string Label, string? Short = null, bool Exclusive = false)
{
    /// <summary>The wording used in tables and charts (本文やグラフ上の選択肢表記は簡略化).</summary>
    public string ReportLabel => Short ?? Label;
    /// <summary>The code this option had in the previous wave (survey.yaml `sameAs`), when it was renumbered.</summary>
    public int? SameAs { get; init; }
}

/// <summary>One part of a percentage split (1-4-a 大企業); its column is q + item code + _ + part code.</summary>
public sealed record SplitPart(string Code, string Label);

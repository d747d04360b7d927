using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shirabe.Reports;

/// <summary>
/// The secretariat's work on a report, kept beside it as JSON (surveys/NAME/report-edits.json): edited narratives,
/// the chosen free-text answers (主な回答) and anonymised answers, with a log of every change. Keys are the report
/// part keys of report.yaml (the item code, e.g. "2-2"). The numbers are never stored here: they come from the data.
/// </summary>
public sealed class ReportEdits
{
    public Dictionary<string, NarrativeEdit> Narratives { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, TextCuration> Curation { get; init; } = new(StringComparer.Ordinal);
    public List<EditLogEntry> Log { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static ReportEdits Load(string? path) =>
        path is not null && File.Exists(path) ? JsonSerializer.Deserialize<ReportEdits>(File.ReadAllText(path), Json) ?? new() : new();

    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static ReportEdits FromJson(string json) => JsonSerializer.Deserialize<ReportEdits>(json, Json) ?? new();
}

/// <summary>An edited narrative and the fingerprint of the numbers it was written against.</summary>
public sealed record NarrativeEdit(string Text, string Fingerprint, string Draft, DateTimeOffset At, string By);

/// <summary>
/// Which answers of a free-text table are printed (by respondent id, in response order), and anonymised versions
/// of some of them. Null <see cref="Selected"/> means every answer is printed (nothing chosen yet).
/// </summary>
public sealed class TextCuration
{
    public List<string>? Selected { get; set; }
    public Dictionary<string, AnswerEdit> Edits { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>An answer as printed, with the respondent's original kept.</summary>
public sealed record AnswerEdit(string Original, string Text, DateTimeOffset At, string By, string? Reason);

public sealed record EditLogEntry(DateTimeOffset At, string By, string Key, string Action, string? Respondent = null,
    string? Before = null, string? After = null);

/// <summary>A narrative as shown: <see cref="Stale"/> when it was edited against numbers that have since changed.</summary>
public sealed record NarrativeView(string Text, string Draft, string Fingerprint, bool Edited, bool Stale,
    DateTimeOffset? EditedAt = null, string? EditedBy = null);

/// <summary>One answer on the curation screen: the respondent's text, the text printed, and whether it is printed.</summary>
public sealed record AnswerChoice(string Respondent, string Original, string Printed, bool Selected, bool Edited, bool Stale, string? Reason);

/// <summary>A free-text answer as printed; <see cref="Stale"/> when the respondent's text changed after it was edited.</summary>
public sealed record CuratedAnswer(string Respondent, string Text, string Original, bool Edited, bool Stale);

/// <summary>
/// The operations the console calls on <see cref="ReportEdits"/>. Pure over the object (the caller loads and saves);
/// every change is logged with who and when.
/// </summary>
public sealed class ReportEditor(ReportEdits edits, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    public ReportEdits Edits { get; } = edits;

    /// <summary>The narrative to print for <paramref name="key"/>, given today's draft and numbers.</summary>
    public NarrativeView Narrative(string key, string draft, string fingerprint) =>
        Edits.Narratives.TryGetValue(key, out var e)
            ? new NarrativeView(e.Text, draft, fingerprint, true, e.Fingerprint != fingerprint, e.At, e.By)
            : new NarrativeView(draft, draft, fingerprint, false, false);

    /// <summary>Keeps the secretariat's text for a narrative; <paramref name="fingerprint"/> is that of the numbers shown while editing.</summary>
    public void EditNarrative(string key, string text, string draft, string fingerprint, string by)
    {
        Edits.Narratives.TryGetValue(key, out var before);
        Edits.Narratives[key] = new NarrativeEdit(text, fingerprint, draft, _clock.GetUtcNow(), by);
        Log(by, key, "narrative.edit", null, before?.Text ?? draft, text);
    }

    /// <summary>Drops the edit: the draft is printed again.</summary>
    public void RevertNarrative(string key, string by)
    {
        if (Edits.Narratives.Remove(key, out var before)) Log(by, key, "narrative.revert", null, before.Text, null);
    }

    /// <summary>Chooses the answers printed in a free-text table (主な回答); null prints all.</summary>
    public void SelectAnswers(string key, IEnumerable<string>? respondents, string by)
    {
        var c = Curation(key);
        var list = respondents?.Distinct(StringComparer.Ordinal).ToList();
        Log(by, key, "answers.select", null, c.Selected is null ? null : string.Join(",", c.Selected), list is null ? null : string.Join(",", list));
        c.Selected = list;
    }

    /// <summary>Prints <paramref name="text"/> instead of the respondent's answer (e.g. without the association's name); the original is kept.</summary>
    public void EditAnswer(string key, string respondent, string original, string text, string by, string? reason = null)
    {
        var c = Curation(key);
        c.Edits.TryGetValue(respondent, out var before);
        c.Edits[respondent] = new AnswerEdit(original, text, _clock.GetUtcNow(), by, reason);
        Log(by, key, "answer.edit", respondent, before?.Text ?? original, text);
    }

    public void RevertAnswer(string key, string respondent, string by)
    {
        if (Edits.Curation.TryGetValue(key, out var c) && c.Edits.Remove(respondent, out var before))
            Log(by, key, "answer.revert", respondent, before.Text, before.Original);
    }

    /// <summary>The answers to print, in response order: the chosen ones (all when none chosen), edited where edited.</summary>
    public IReadOnlyList<CuratedAnswer> Answers(string key, IEnumerable<(string Respondent, string Text)> answers)
    {
        Edits.Curation.TryGetValue(key, out var c);
        var selected = c?.Selected is { } s ? new HashSet<string>(s, StringComparer.Ordinal) : null;
        var list = new List<CuratedAnswer>();
        foreach (var (respondent, text) in answers)
        {
            if (selected is not null && !selected.Contains(respondent)) continue;
            if (c is not null && c.Edits.TryGetValue(respondent, out var e))
                list.Add(new CuratedAnswer(respondent, e.Text, text, true, e.Original != text));
            else list.Add(new CuratedAnswer(respondent, text, text, false, false));
        }
        return list;
    }

    /// <summary>
    /// Every answer of a free-text table for the console's curation screen: whether it is printed, and its edit.
    /// </summary>
    public IReadOnlyList<AnswerChoice> Choices(string key, IEnumerable<(string Respondent, string Text)> answers)
    {
        Edits.Curation.TryGetValue(key, out var c);
        var selected = c?.Selected is { } s ? new HashSet<string>(s, StringComparer.Ordinal) : null;
        return answers.Select(a =>
        {
            AnswerEdit? e = null;
            c?.Edits.TryGetValue(a.Respondent, out e);
            return new AnswerChoice(a.Respondent, a.Text, e?.Text ?? a.Text, selected is null || selected.Contains(a.Respondent),
                e is not null, e is not null && e.Original != a.Text, e?.Reason);
        }).ToList();
    }

    private TextCuration Curation(string key)
    {
        if (!Edits.Curation.TryGetValue(key, out var c)) Edits.Curation[key] = c = new TextCuration();
        return c;
    }

    private void Log(string by, string key, string action, string? respondent, string? before, string? after) =>
        Edits.Log.Add(new EditLogEntry(_clock.GetUtcNow(), by, key, action, respondent, before, after));
}

using System.Globalization;
using Microsoft.AspNetCore.Components;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Respond;

/// <summary>
/// The questionnaire as a printable sheet: with an association's answers (review page, printable view, PDF) or blank
/// (the paper questionnaire). The markup is AnswerSheet.razor; the renderer HTML-encodes everything shown.
/// </summary>
public sealed partial class AnswerSheet : ComponentBase
{
    [Parameter, EditorRequired] public Survey Survey { get; set; } = null!;
    /// <summary>Null for the blank questionnaire.</summary>
    [Parameter] public IReadOnlyList<Answer>? Answers { get; set; }
    /// <summary>Section → URL of the page to change it (review page), or null.</summary>
    [Parameter] public Func<Section, string>? EditLink { get; set; }

    /// <summary>The one wording for both everywhere (review, print, PDF, read-only view).</summary>
    public const string NotAskedText = "（対象外）", NoAnswerText = "（無回答）";

    /// <inheritdoc cref="AnswerSheet"/>
    public static Task<string> RenderAsync(Survey survey, IReadOnlyList<Answer>? answers, Func<Section, string>? editLink = null) =>
        HtmlTemplates.RenderAsync<AnswerSheet>(new Dictionary<string, object?>
        {
            [nameof(Survey)] = survey, [nameof(Answers)] = answers, [nameof(EditLink)] = editLink,
        });

    // 対象外 is decided by the skip rules, not by what was stored: a hidden text item is stored empty.
    private bool[]? _shown;

    protected override void OnParametersSet() => _shown = Answers is null ? null : Survey.Shown(Answers);

    private Answer AnswerOf(Item item) => _shown![item.Index] ? Answers![item.Index] : Answer.NotAsked;

    private static string Choice(Item item, int code) => $"{code}. {item.FindOption(code)?.Label ?? "?"}";

    private static string SplitAnswer(Item item, Answer a) => string.Join("、", item.Parts.Select((p, i) =>
        $"{p.Label} {a.Parts![i]?.ToString("0.##", CultureInfo.InvariantCulture) ?? "—"}%"));

    private static string SplitBlank(Item item) => string.Join("　", item.Parts.Select(p => $"{p.Label}（　　　）%"));
}

using System.Globalization;
using System.Net;
using System.Text;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Respond;

/// <summary>
/// The questionnaire as a printable sheet: with an association's answers (review page, printable view, PDF) or blank
/// (the paper questionnaire). Everything shown is HTML-encoded here.
/// </summary>
public static class AnswerSheet
{
    /// <param name="answers">Null for the blank questionnaire.</param>
    /// <param name="editLink">Section id → URL of the page to change it (review page), or null.</param>
    public static string Render(Survey survey, IReadOnlyList<Answer>? answers, Func<Section, string>? editLink = null)
    {
        var h = new StringBuilder();
        // 対象外 is decided by the skip rules, not by what was stored: a hidden text item is stored empty.
        var shown = answers is null ? null : survey.Shown(answers);
        foreach (var section in survey.Sections)
        {
            h.Append("<section class=\"sheet-section\" aria-labelledby=\"sheet-").Append(E(section.Id)).Append("\">");
            h.Append("<h2 id=\"sheet-").Append(E(section.Id)).Append("\">").Append(E(section.Id)).Append(' ').Append(E(section.Title)).Append("</h2>");
            if (editLink is not null)
                h.Append("<p class=\"edit\"><a href=\"").Append(E(editLink(section))).Append("\">「")
                 .Append(E(section.Title)).Append("」の回答を修正する</a></p>");
            foreach (var q in section.Questions)
            {
                h.Append("<div class=\"sheet-question\"><h3>設問 ").Append(E(q.Code)).Append(") ").Append(E(q.Prompt));
                if (q.Note is not null) h.Append(' ').Append(E(q.Note));
                h.Append("</h3><dl>");
                foreach (var item in q.Items)
                {
                    var own = q.Items.Count == 1 && item.Code == q.Code;
                    h.Append("<dt>").Append(own ? "回答" : E(item.Code) + ") " + E(item.Label));
                    if (item.ShowIf is not null && answers is null) h.Append("<br><small>※ ").Append(E(FormAnswers.Describe(item.ShowIf))).Append("</small>");
                    h.Append("</dt><dd>");
                    if (answers is null) Blank(h, item);
                    else Answered(h, item, shown![item.Index] ? answers[item.Index] : Answer.NotAsked);
                    h.Append("</dd>");
                }
                h.Append("</dl></div>");
            }
            h.Append("</section>");
        }
        return h.ToString();
    }

    /// <summary>The one wording for both everywhere (review, print, PDF, read-only view).</summary>
    public const string NotAskedText = "（対象外）", NoAnswerText = "（無回答）";

    private static void Answered(StringBuilder h, Item item, Answer a)
    {
        if (a.State == AnswerState.NotAsked) { h.Append("<span class=\"muted not-asked\">").Append(NotAskedText).Append("</span>"); return; }
        if (a.State == AnswerState.NoAnswer) { h.Append("<span class=\"muted no-answer\">").Append(NoAnswerText).Append("</span>"); return; }
        switch (item.Kind)
        {
            case ItemKind.Text:
                h.Append("<p class=\"text-answer\">").Append(E(a.Text!).Replace("\n", "<br>")).Append("</p>");
                break;
            case ItemKind.Single or ItemKind.Matrix:
                h.Append(Choice(item, a.Choice));
                break;
            case ItemKind.Multiple:
                h.Append("<ul>");
                foreach (var c in a.ChoiceCodes()) h.Append("<li>").Append(Choice(item, c)).Append("</li>");
                h.Append("</ul>");
                break;
            case ItemKind.Split:
                h.Append(string.Join("、", item.Parts.Select((p, i) =>
                    $"{E(p.Label)} {a.Parts![i]?.ToString("0.##", CultureInfo.InvariantCulture) ?? "—"}%")));
                break;
        }
    }

    private static string Choice(Item item, int code) => $"{code}. {E(item.FindOption(code)?.Label ?? "?")}";

    private static void Blank(StringBuilder h, Item item)
    {
        switch (item.Kind)
        {
            case ItemKind.Text:
                h.Append("<div class=\"blank-box\"></div>");
                break;
            case ItemKind.Single or ItemKind.Matrix or ItemKind.Multiple:
                h.Append("<ul class=\"blank-options\">");
                foreach (var o in item.Options)
                    h.Append("<li>").Append(item.Kind == ItemKind.Multiple ? "□ " : "○ ").Append(o.Code).Append(". ").Append(E(o.Label)).Append("</li>");
                h.Append("</ul>");
                h.Append(item.Kind == ItemKind.Multiple ? "<small>（当てはまるものを全て）</small>" : "<small>（1 つ選択）</small>");
                break;
            case ItemKind.Split:
                h.Append(string.Join("　", item.Parts.Select(p => $"{E(p.Label)}（　　　）%"))).Append($"<small>（合計 {item.Total:0.##}%）</small>");
                break;
        }
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}

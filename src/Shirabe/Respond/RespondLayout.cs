using Shirabe.Core.Questionnaire;

namespace Shirabe.Respond;

/// <summary>
/// The respondent pages' frame (head, site header, footer) and step indicator, written once here: Shared/_Layout and
/// Shared/_Progress render them for the Razor pages, and the section page's template (<see cref="SectionPage"/>) holds
/// them pre-encoded.
/// </summary>
public static class RespondLayout
{
    /// <summary>From the document's start to the opening of &lt;main&gt;.</summary>
    public static void Open<T>(HtmlTemplateBuilder<T> b, Survey survey, string? title, bool print)
    {
        b.Markup("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n    <meta charset=\"utf-8\">\n")
            .Markup("    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Markup("    <meta name=\"referrer\" content=\"no-referrer\">\n")
            .Markup("    <title>").Text(title is null ? survey.Title : title + " | " + survey.Title).Markup("</title>\n")
            .Markup("    <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n")
            .Markup("    <link rel=\"stylesheet\" href=\"/css/site.css\">\n");
        // Print only: on screen its .no-print rule would hide the print button, the PDF link and the way back.
        if (print) b.Markup("    <link rel=\"stylesheet\" href=\"/css/print.css\" media=\"print\">\n");
        b.Markup("    <script src=\"/js/respond.js\" defer></script>\n</head>\n<body>\n")
            .Markup("    <a class=\"skip-link\" href=\"#main\">本文へ移動</a>\n    <header class=\"site-header\">\n")
            .Markup("        <p class=\"site-title\">").Text(survey.Title).Markup("</p>\n");
        if (survey.Owner is { } owner) b.Markup("        <p class=\"site-owner\">").Text(owner).Markup("</p>\n");
        b.Markup("    </header>\n    <main id=\"main\" tabindex=\"-1\">\n");
    }

    /// <summary>From the closing of &lt;main&gt; to the document's end.</summary>
    public static void Close<T>(HtmlTemplateBuilder<T> b, Survey survey)
    {
        b.Markup("\n    </main>\n    <footer class=\"site-footer\">\n        <p>お問い合わせ: ").Text(survey.Contact ?? "調査の事務局").Markup("</p>\n");
        if (survey.Privacy is { } privacy)
            b.Markup("        <p><a").Attribute("href", PrivacyModel.PathFor(survey)).Markup(" id=\"privacy-link\">").Text(privacy.Title).Markup("</a></p>\n");
        b.Markup("    </footer>\n</body>\n</html>\n");
    }

    /// <summary>
    /// Staff entry of paper or mail answers (docs/decisions/050): said on every page, with the way back to the console
    /// (Shared/_StaffEntry; the section page's template writes it as a hole).
    /// </summary>
    public static void StaffEntry(int? staffEntry, Data.Organisation organisation, string homePath, HtmlOutput o)
    {
        if (staffEntry is null) return;
        o.Markup("<div class=\"staff-entry\" role=\"note\" id=\"staff-entry\">\n    <p><strong>職員による代理入力（紙・郵送の回答）</strong>: ");
        o.Text(organisation.Name);
        o.Markup("（");
        o.Text(organisation.Code);
        o.Markup("）</p>\n    <p>団体が紙や郵送で寄せた回答を、団体の代わりに入力しています。検証と設問の分岐は回答者の画面と同じです。提出すると「紙」の回答として記録され、操作記録に残ります。</p>\n    <p><a href=\"");
        o.Text(homePath);
        o.Markup("\">入力をやめて団体の詳細に戻る</a>（保存した内容は下書きに残ります）</p>\n</div>\n");
    }

    public static string StaffEntryHtml(RespondPageModel m) => HtmlOutput.ToHtml(o => StaffEntry(m.StaffEntry, m.Organisation, m.HomePath, o));

    public static string OpenHtml(Survey survey, string? title, bool print) => Static(b => Open(b, survey, title, print));
    public static string CloseHtml(Survey survey) => Static(b => Close(b, survey));

    /// <summary>
    /// The step indicator. On a section page (<paramref name="formId"/> set) each step is a submit button of the page's
    /// form, so going elsewhere saves what was typed; elsewhere a link under the personal link's path.
    /// </summary>
    public static void Progress<T>(HtmlTemplateBuilder<T> b, Survey survey, FormPage? current, string? formId,
        Func<T, string> basePath, Func<T, Section, SectionState> stateOf)
    {
        var onReview = current is null;
        var pages = FormPages.Of(survey);
        b.Markup("<nav class=\"progress\" aria-label=\"回答の進み具合\">\n    <p class=\"progress-text\">")
            .Text(onReview ? "最後に、回答内容を確認して送信してください" : $"ページ {current!.Number} / {pages.Count}").Markup("</p>\n    <ol>\n");
        foreach (var s in survey.Sections)
        {
            var here = current?.Section == s;
            var parts = here && s.Pages.Count > 1 ? $"（{current!.Index + 1}/{s.Pages.Count}）" : "";
            b.Markup("        <li class=\"").Hole((v, o) => o.Markup(StateClass(stateOf(v, s)))).Markup(here ? " current\">\n" : " \">\n");
            if (formId is not null)
                b.Markup("            <button type=\"submit\"").Attribute("form", formId).Markup(" name=\"action\"").Attribute("value", "go:" + s.Id)
                    .Markup(" class=\"step\"").Attribute("aria-current", here ? "step" : null).Markup(">");
            else
                b.Markup("            <a class=\"step\" href=\"").Hole((v, o) => o.Text(basePath(v))).Text("/s/" + s.Id).Markup("\"")
                    .Attribute("aria-current", here ? "step" : null).Markup(">");
            b.Text(s.Id).Markup(" ").Text(s.Title).Text(formId is null ? "" : parts).Markup(" <span class=\"step-state\">")
                .Hole((v, o) => o.Markup(FormPages.Label(stateOf(v, s)))).Markup(formId is null ? "</span></a>\n" : "</span></button>\n")
                .Markup("        </li>\n");
        }
        b.Markup(onReview ? "        <li class=\"current\">\n" : "        <li class=\"\">\n");
        if (formId is not null)
            b.Markup("            <button type=\"submit\"").Attribute("form", formId).Markup(" name=\"action\" value=\"review\" class=\"step\">確認・送信</button>\n");
        else
            b.Markup("            <a class=\"step\" href=\"").Hole((v, o) => o.Text(basePath(v))).Markup("/review\"")
                .Attribute("aria-current", onReview ? "step" : null).Markup(">確認・送信</a>\n");
        b.Markup("        </li>\n    </ol>\n</nav>\n");
    }

    /// <summary>Shared/_Progress: the step indicator of a page other than a section page (the review page).</summary>
    public static string ProgressHtml(ProgressView view)
    {
        var b = new HtmlTemplateBuilder<ProgressView>();
        Progress(b, view.Survey, view.Current, view.FormId, v => v.BasePath, (v, s) => FormPages.StateOf(s, v.Cells, v.Answers));
        return b.Build().RenderToString(view);
    }

    private static string StateClass(SectionState state) => state switch
    {
        SectionState.Done => "state-done",
        SectionState.InProgress => "state-inprogress",
        _ => "state-notstarted",
    };

    private static string Static(Action<HtmlTemplateBuilder<object?>> build)
    {
        var b = new HtmlTemplateBuilder<object?>();
        build(b);
        return b.Build().RenderToString(null);
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Respond;

/// <summary>
/// The section page as a template (docs/decisions/067): everything that is the same for every respondent — the frame,
/// the steps, headings, question texts, options, notes, conditions, buttons — is built and encoded once per survey
/// version and form page; a request fills in the answers, the skip rules' outcome, messages and the form token.
/// The console's preview renders the same questions (<see cref="QuestionsHtml"/>).
/// </summary>
public static class SectionPage
{
    // Keyed by the parsed survey: one object per stored version (Surveys.SurveyCatalog), so a new version gets new
    // templates and the old ones go with their survey. A preview's edited survey is never cached.
    private static readonly ConditionalWeakTable<Survey, ConcurrentDictionary<int, HtmlTemplate<SectionView>>> Cache = new();

    public static HtmlTemplate<SectionView> For(Survey survey, FormPage page) =>
        Cache.GetOrCreateValue(survey).GetOrAdd(page.Number, _ => Build(survey, page));

    /// <summary>The questions of a form page, as the console's preview shows them (nothing cached: an edit is previewed once).</summary>
    public static string QuestionsHtml(IQuestionsView view)
    {
        var b = new HtmlTemplateBuilder<IQuestionsView>();
        Questions(b, view.FormPage);
        return b.Build().RenderToString(view);
    }

    private static HtmlTemplate<SectionView> Build(Survey survey, FormPage page)
    {
        var section = page.Section;
        var parts = section.Pages.Count;
        var isLast = page.Number == FormPages.Of(survey).Count;
        var b = new HtmlTemplateBuilder<SectionView>();
        RespondLayout.Open(b, survey, $"{section.Id} {section.Title}{(parts > 1 ? $"（{page.Index + 1}/{parts}）" : "")}", print: false);
        b.When(m => m.StaffEntry is not null, x => x.Hole((m, o) => RespondLayout.StaffEntry(m.StaffEntry, m.Organisation, m.HomePath, o)));
        RespondLayout.Progress(b, survey, page, "answers", m => m.BasePath, (m, s) => m.StateOf(s));
        b.When(m => m.FormError is not null || m.Errors.Count > 0, x => x.Hole(ErrorSummary));
        b.When(m => m.FormError is null && m.Errors.Count == 0 && m.JustSaved, x => x.Markup(
            "<p class=\"notice\" role=\"status\">一時保存しました。このページのリンクから、いつでも続きを回答できます。</p>\n"));
        b.Markup("\n<h1>").Text($"{section.Id} {section.Title}").Markup("</h1>\n");
        if (parts > 1) b.Markup("<p class=\"page-part\">").Text($"このセクションの {page.Index + 1} / {parts} ページ目です。").Markup("</p>\n");
        b.Markup("<p class=\"lead\">").Hole((m, o) => o.Text(m.Organisation.Name))
            .Text($" 様　回答の締切: {survey.Period.Closes:yyyy年M月d日}").Markup("</p>\n\n")
            .Markup("<form method=\"post\" action=\"").Hole((m, o) => o.Text(m.BasePath)).Text(page.Path)
            .Markup("\" novalidate class=\"questionnaire\" id=\"answers\">\n    ")
            .Hole((m, o) =>
            {
                o.Markup("<input name=\"");
                o.Text(m.FormToken.FormFieldName);
                o.Markup("\" type=\"hidden\" value=\"");
                o.Text(m.FormToken.RequestToken);
                o.Markup("\" />");
            })
            .Markup("\n");
        Questions(b, page);
        var forward = isLast ? "確認画面へ" : "次へ";
        b.Markup("\n    <div class=\"buttons\">\n")
            .Markup("        <button type=\"submit\" name=\"action\" value=\"back\" class=\"secondary\">戻る</button>\n")
            .Markup("        <button type=\"submit\" name=\"action\" value=\"save\" class=\"secondary\">一時保存</button>\n")
            .Markup(isLast
                ? "        <button type=\"submit\" name=\"action\" value=\"review\" class=\"primary\">確認画面へ</button>\n"
                : "        <button type=\"submit\" name=\"action\" value=\"next\" class=\"primary\">次へ</button>\n")
            .Markup("    </div>\n    <p class=\"hint\">「戻る」「一時保存」「").Markup(forward)
            .Markup("」や上のページ一覧のどれを押しても、このページの回答は保存されます。</p>\n</form>\n");
        RespondLayout.Close(b, survey);
        return b.Build();
    }

    private static void ErrorSummary(SectionView m, HtmlOutput o)
    {
        var errorItems = m.FormPage.Items.Where(i => m.ErrorOf(i) is not null).ToList();
        var n = errorItems.Count.ToString(CultureInfo.InvariantCulture);
        o.Markup("<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" id=\"error-summary\">\n    <h2>入力内容を確認してください</h2>\n");
        if (m.FormError is not null)
        {
            o.Markup("    <p>");
            o.Text(m.FormError);
            o.Markup("</p>\n");
        }
        if (m.SavedDespiteErrors is { } saved)
        {
            o.Markup("    <p id=\"save-result\">");
            o.Text((saved > 0 ? $"このページの回答のうち、下の {n} 件以外（{saved} 件）は保存しました。" : "")
                   + $"下の {n} 件は保存されていません。\n修正して、もう一度ボタンを押してください（修正しないままこのページを離れると、この {n} 件の入力は失われます）。");
            o.Markup("</p>\n");
        }
        if (errorItems.Count > 0)
        {
            o.Markup("    <ul>\n");
            foreach (var item in errorItems)
            {
                o.Markup("        <li><a href=\"#");
                o.Text(SectionView.FirstInputId(item));
                o.Markup("\">");
                o.Text($"設問 {item.Code}: {m.ErrorOf(item)}");
                o.Markup("</a></li>\n");
            }
            o.Markup("    </ul>\n");
        }
        o.Markup("</div>\n");
    }

    /// <summary>
    /// The questions of one form page. A question whose every item is hidden by its skip rule is not shown at all (no
    /// heading with nothing under it); a hidden item is not rendered; a rule on this page is left to respond.js.
    /// </summary>
    private static void Questions<T>(HtmlTemplateBuilder<T> b, FormPage page) where T : IQuestionsView
    {
        foreach (var q in page.Questions)
        {
            var own = q.Items.Count == 1 && q.Items[0].Code == q.Code;
            var questionItems = q.Items;
            b.When(v => questionItems.Any(item => v.Visibility(item).Render), x =>
            {
                x.Markup("    <section class=\"question\"").Attribute("id", "question-" + q.Code).Markup(">\n");
                if (!own)
                {
                    x.Markup("        <h2 class=\"question-title\"><span class=\"qno\">").Text($"設問 {q.Code}").Markup("</span> ").Text(q.Prompt).Markup("</h2>\n");
                    if (q.Note is not null) x.Markup("        <p class=\"note\">").Text(q.Note).Markup("</p>\n");
                }
                var items = q.Items;
                var i = 0;
                while (i < items.Count)
                {
                    var item = items[i];
                    if (item.Kind == ItemKind.Matrix)
                    {
                        var rows = new List<Item>();
                        while (i < items.Count && items[i].Kind == ItemKind.Matrix && items[i].Scale == item.Scale) { rows.Add(items[i]); i++; }
                        Matrix(x, page, q, item, rows);
                        continue;
                    }
                    i++;
                    Single(x, page, q, item, own);
                }
                x.Markup("    </section>\n");
            });
        }
    }

    private static void Matrix<T>(HtmlTemplateBuilder<T> b, FormPage page, Question q, Item first, List<Item> rows) where T : IQuestionsView
    {
        b.Markup("        <div class=\"matrix\" role=\"group\"").Attribute("aria-label", $"設問 {q.Code} の各項目").Markup(">\n")
            .Markup("            <div class=\"matrix-head\" aria-hidden=\"true\">\n                <span></span>\n");
        foreach (var p in first.Options) b.Markup("                <span>").Text(p.Label).Markup("</span>\n");
        b.Markup("            </div>\n");
        foreach (var row in rows)
        {
            var column = row.ColumnName;
            var errorId = column + "-error";
            b.When(v => v.Visibility(row).Render, x =>
            {
                x.Markup("            <fieldset class=\"matrix-row ").Hole((v, o) => HasError(v, row, o)).Markup("\"").Attribute("id", "item-" + column);
                ShowIf(x, page, row);
                x.Markup(">\n                <legend><span class=\"code\">").Text(row.Code + ")").Markup("</span> ").Text(row.Label).Markup("</legend>\n");
                x.Hole((v, o) => FieldError(v, row, errorId, o));
                x.Markup("                <div class=\"matrix-options\">\n");
                foreach (var p in row.Options)
                {
                    var id = $"{column}-{p.Code}";
                    var code = p.Code;
                    x.Markup("                    <span class=\"matrix-option\">\n                        <input type=\"radio\"")
                        .Attribute("name", column).Attribute("id", id).Attribute("value", Code(code))
                        .Hole((v, o) => Checked(v, column, code, o)).Hole((v, o) => DescribedBy(v, row, errorId, o, invalid: false)).Markup(">\n")
                        .Markup("                        <label").Attribute("for", id).Markup("><span class=\"scale-label\">").Text(p.Label).Markup("</span></label>\n")
                        .Markup("                    </span>\n");
                }
                x.Markup("                </div>\n            </fieldset>\n");
            });
        }
        b.Markup("        </div>\n");
    }

    private static void Single<T>(HtmlTemplateBuilder<T> b, FormPage page, Question q, Item item, bool own) where T : IQuestionsView
    {
        var column = item.ColumnName;
        var errorId = column + "-error";
        var titleClass = own ? "question-title" : "item-title";
        b.When(v => v.Visibility(item).Render, x =>
        {
            x.Markup("        <div class=\"item item-").Text(item.Kind.ToString().ToLowerInvariant()).Markup(" ").Hole((v, o) => HasError(v, item, o))
                .Markup("\"").Attribute("id", "item-" + column);
            ShowIf(x, page, item);
            x.Markup(">\n");
            void Heading(HtmlTemplateBuilder<T> h)
            {
                h.Markup("<span class=\"qno\">").Text(own ? $"設問 {q.Code}" : $"{item.Code})").Markup("</span> ").Text(own ? q.Prompt : item.Label);
            }
            void Notes(HtmlTemplateBuilder<T> h)
            {
                if (own && q.Note is not null) h.Markup("            <p class=\"note\">").Text(q.Note).Markup("</p>\n");
                if (item.ShowIf is not null) h.Markup("            <p class=\"condition\">").Text($"※ {FormAnswers.Describe(item.ShowIf)}。").Markup("</p>\n");
                if (item.Kind == ItemKind.Multiple) h.Markup("            <p class=\"hint\">当てはまるものを全てお選びください。</p>\n");
                h.Hole((v, o) => FieldError(v, item, errorId, o));
            }
            if (item.Kind == ItemKind.Text)
            {
                x.Markup("            <label").Attribute("for", column).Attribute("class", titleClass).Markup(">");
                Heading(x);
                x.Markup("</label>\n");
                Notes(x);
                var maxLength = item.MaxLength.ToString(CultureInfo.InvariantCulture);
                if (item.Input == TextInput.Line)
                    x.Markup("            <input type=\"text\"").Attribute("name", column).Attribute("id", column)
                        .Markup(" value=\"").Hole((v, o) => o.Text(v.Value(column))).Markup("\"")
                        .Attribute("maxlength", maxLength).Markup(" class=\"short-text\"")
                        .Hole((v, o) => DescribedBy(v, item, errorId, o, invalid: true)).Markup(">\n");
                else
                    x.Markup("            <textarea").Attribute("name", column).Attribute("id", column).Markup(" rows=\"3\"").Attribute("maxlength", maxLength)
                        .Hole((v, o) => DescribedBy(v, item, errorId, o, invalid: true)).Markup(">")
                        .Hole((v, o) => o.Text(v.Value(column))).Markup("</textarea>\n");
            }
            else
            {
                x.Markup("            <fieldset>\n                <legend").Attribute("class", titleClass).Markup(">");
                Heading(x);
                x.Markup("</legend>\n");
                Notes(x);
                if (item.Kind == ItemKind.Split)
                {
                    x.Markup("                <div class=\"split\"").Attribute("data-total", item.Total.ToString(CultureInfo.InvariantCulture)).Markup(">\n");
                    foreach (var part in item.Parts)
                    {
                        var col = column + "_" + part.Code;
                        x.Markup("                    <div class=\"split-part\">\n                        <label").Attribute("for", col).Markup(">").Text(part.Label).Markup("</label>\n")
                            .Markup("                        <input type=\"text\" inputmode=\"decimal\"").Attribute("name", col).Attribute("id", col)
                            .Markup(" value=\"").Hole((v, o) => o.Text(v.Value(col))).Markup("\" size=\"5\" maxlength=\"20\" autocomplete=\"off\"")
                            .Hole((v, o) => DescribedBy(v, item, errorId, o, invalid: true)).Markup("><span aria-hidden=\"true\"> %</span>\n")
                            .Markup("                    </div>\n");
                    }
                    x.Markup("                    <p class=\"split-sum\">合計 <output").Attribute("id", column + "-sum").Attribute("for", string.Join(' ', item.Columns))
                        .Markup(" aria-live=\"polite\">—</output> %").Text($"（{item.Total.ToString("0.##", CultureInfo.CurrentCulture)}% になるように）").Markup("</p>\n")
                        .Markup("                </div>\n");
                }
                else
                {
                    var type = item.Kind == ItemKind.Multiple ? "checkbox" : "radio";
                    x.Markup("                <div class=\"options\">\n");
                    foreach (var option in item.Options)
                    {
                        var id = $"{column}-{option.Code}";
                        var code = option.Code;
                        x.Markup("                    <div class=\"option\">\n                        <input").Attribute("type", type)
                            .Attribute("name", column).Attribute("id", id).Attribute("value", Code(code))
                            .Hole((v, o) => Checked(v, column, code, o)).Attribute("data-exclusive", option.Exclusive ? "1" : null)
                            .Hole((v, o) => DescribedBy(v, item, errorId, o, invalid: false)).Markup(">\n")
                            .Markup("                        <label").Attribute("for", id).Markup(">").Text($"{Code(code)}. {option.Label}").Markup("</label>\n")
                            .Markup("                    </div>\n");
                    }
                    x.Markup("                </div>\n");
                }
                x.Markup("            </fieldset>\n");
            }
            x.Markup("        </div>\n");
        });
    }

    /// <summary>The skip rule's attributes for respond.js: the rule's items on this page and its codes (the same for
    /// everyone), and whether it is already met on the other pages (this respondent's answers).</summary>
    private static void ShowIf<T>(HtmlTemplateBuilder<T> b, FormPage page, Item item) where T : IQuestionsView
    {
        if (item.ShowIf is null) return;
        var (items, codes) = page.ShowIfOnPage(item);
        b.Attribute("data-showif-items", items).Attribute("data-showif-codes", codes)
            .Hole((v, o) => { if (v.Visibility(item).MetBefore) o.Markup(" data-showif-met=\"1\""); });
    }

    private static void HasError(IQuestionsView v, Item item, HtmlOutput o)
    {
        if (v.ErrorOf(item) is not null) o.Markup("has-error");
    }

    private static void FieldError(IQuestionsView v, Item item, string errorId, HtmlOutput o)
    {
        if (v.ErrorOf(item) is not { } error) return;
        o.Markup("            <p class=\"field-error\" id=\"");
        o.Text(errorId);
        o.Markup("\">");
        o.Text(error);
        o.Markup("</p>\n");
    }

    private static void DescribedBy(IQuestionsView v, Item item, string errorId, HtmlOutput o, bool invalid)
    {
        if (v.ErrorOf(item) is null) return;
        o.Markup(" aria-describedby=\"");
        o.Text(errorId);
        o.Markup(invalid ? "\" aria-invalid=\"true\"" : "\"");
    }

    private static void Checked(IQuestionsView v, string column, int code, HtmlOutput o)
    {
        if (v.IsChosen(column, code)) o.Markup(" checked=\"checked\"");
    }

    private static string Code(int code) => code.ToString(CultureInfo.InvariantCulture);
}

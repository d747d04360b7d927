using Microsoft.AspNetCore.Mvc;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Respond;

/// <summary>The association's own answers, printable (for internal approval): the submission, or the draft with ?draft=true.</summary>
public sealed class PrintModel(InvitationLookup lookup, ShirabeDb db, Survey survey, TimeProvider clock)
    : RespondPageModel(lookup, db, survey, clock)
{
    public PrintDocument Document { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(bool draft = false)
    {
        if (await LoadAsync() is { } fail) return fail;
        Document = PrintDocument.ForAssociation(this, draft);
        return Page();
    }
}

/// <summary>What a printout shows: a heading, a status line and the sheet. Shared by the print pages and the PDFs.</summary>
public sealed record PrintDocument(string Title, string Subtitle, string Status, string SheetHtml)
{
    public static PrintDocument ForAssociation(RespondPageModel page, bool draft) => For(page.Survey, page.Association,
        page.Draft, page.Submission, draft);

    public static PrintDocument For(Survey survey, Association association, Draft? d, Submission? s, bool draft)
    {
        string localTime(DateTime utc) => RespondPageModel.LocalTime(survey, utc);
        var useDraft = draft || s is null;
        var cells = useDraft ? (d is null ? [] : StoredAnswers.Parse(d.Answers)) : StoredAnswers.Parse(s!.Answers);
        var answers = StoredAnswers.ToAnswers(survey, cells, asStored: !useDraft);
        var status = useDraft
            ? $"未提出の回答内容（{(d is null ? "未回答" : localTime(d.UpdatedAt) + " 時点")}）"
            : $"提出済み（受付番号 {RespondPageModel.ReceiptNumber(association, s!)}、{localTime(s!.SubmittedAt)}）";
        return new PrintDocument(survey.Title, association.Name + " 様の回答", status, AnswerSheet.Render(survey, answers));
    }

    public static PrintDocument Blank(Survey survey) => new(survey.Title, "調査票（記入用）",
        $"回答期間: {survey.Period.Opens:yyyy年M月d日} ～ {survey.Period.Closes:yyyy年M月d日}", AnswerSheet.Render(survey, null));

    /// <summary>A whole HTML document for the PDF renderer (styles inline: the document is rendered from a string).</summary>
    public string ToHtml(string css) =>
        $"<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{E(Title)}</title><style>{css}</style></head>" +
        $"<body class=\"print\"><h1>{E(Title)}</h1><p class=\"subtitle\">{E(Subtitle)}</p><p class=\"status\">{E(Status)}</p>" +
        $"<div class=\"sheet\">{SheetHtml}</div></body></html>";

    private static string E(string s) => System.Net.WebUtility.HtmlEncode(s);
}

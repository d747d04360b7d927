using Shirabe.Core.Questionnaire;
using Shirabe.Data;

namespace Shirabe.Respond;

/// <summary>
/// What a printout shows: a heading, a status line, the sheet and the survey's notice on personal data (null when it
/// has none). Shared by the print pages and the PDFs.
/// </summary>
public sealed record PrintDocument(string Title, string Subtitle, string Status, string SheetHtml, string? PrivacyHtml)
{
    public static Task<PrintDocument> ForOrganisationAsync(RespondPageModel page, bool draft) => ForAsync(page.Survey, page.Organisation,
        page.Draft, page.Submission, draft);

    public static async Task<PrintDocument> ForAsync(Survey survey, Organisation organisation, Draft? d, Submission? s, bool draft)
    {
        string localTime(DateTime utc) => RespondPageModel.LocalTime(survey, utc);
        var useDraft = draft || s is null;
        var cells = useDraft ? (d is null ? [] : StoredAnswers.Parse(d.Answers)) : StoredAnswers.Parse(s!.Answers);
        var answers = StoredAnswers.ToAnswers(survey, cells, asStored: !useDraft);
        var status = useDraft
            ? $"未提出の回答内容（{(d is null ? "未回答" : localTime(d.UpdatedAt) + " 時点")}）"
            : $"提出済み（受付番号 {RespondPageModel.ReceiptNumber(organisation, s!)}、{localTime(s!.SubmittedAt)}）";
        return new PrintDocument(survey.Title, organisation.Name + " 様の回答", status, await AnswerSheet.RenderAsync(survey, answers),
            await PrivacyNoticeView.RenderAsync(survey, withTitle: true));
    }

    public static async Task<PrintDocument> BlankAsync(Survey survey) => new(survey.Title, "調査票（記入用）",
        $"回答期間: {survey.Period.Opens:yyyy年M月d日} ～ {survey.Period.Closes:yyyy年M月d日}", await AnswerSheet.RenderAsync(survey, null),
        await PrivacyNoticeView.RenderAsync(survey, withTitle: true));

    /// <summary>A whole HTML document for the PDF renderer (PrintPdf.razor).</summary>
    public Task<string> ToHtmlAsync(string css) =>
        HtmlTemplates.RenderAsync<PrintPdf>(new Dictionary<string, object?> { [nameof(PrintPdf.Document)] = this, [nameof(PrintPdf.Css)] = css });
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork.Mail;
using Shirabe.Surveys;

namespace Shirabe.Admin.Mail;

/// <summary>
/// Editing one mail template (管理者 only): the subject and body in a form, a preview filled with a real invitee's data
/// (text and HTML; the HTML in a sandboxed frame), and saving as a new survey version whose survey.yaml differs only in
/// its `mail:` section (<see cref="MailYaml"/>), through the loader (<see cref="SurveyCatalog.AddAsync"/>).
/// </summary>
public sealed class TemplatesModel(ShirabeDb db, SurveyCatalog catalog, MailCampaigns campaigns, ConsoleSurvey console, PublicSite site)
    : PageModel
{
    public string Kind { get; private set; } = "";
    [BindProperty] public string Subject { get; set; } = "";
    [BindProperty] public string Body { get; set; } = "";
    /// <summary>Whether the survey defines this template (else the default wording is shown).</summary>
    public bool Defined { get; private set; }
    public int VersionNumber { get; private set; }
    public string? SampleName { get; private set; }
    public RenderedMail? Preview { get; private set; }
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    public async Task<IActionResult> OnGetAsync(string kind)
    {
        if (!SurveyMail.Kinds.Contains(kind)) return NotFound();
        Kind = kind;
        var stored = await campaigns.SurveyAsync(console.Survey.Id, HttpContext.RequestAborted);
        var template = stored.Survey.Mail.For(kind);
        (Subject, Body) = (template.Subject, template.Body);
        await PreviewAsync(stored);
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(string kind)
    {
        if (!SurveyMail.Kinds.Contains(kind)) return NotFound();
        Kind = kind;
        await PreviewAsync(await campaigns.SurveyAsync(console.Survey.Id, HttpContext.RequestAborted));
        if (Error is not null) Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string kind)
    {
        if (!SurveyMail.Kinds.Contains(kind)) return NotFound();
        Kind = kind;
        var cancel = HttpContext.RequestAborted;
        var stored = await campaigns.SurveyAsync(console.Survey.Id, cancel);
        try
        {
            var templates = SurveyMail.Kinds.Where(k => stored.Survey.Mail.Defined(k) is not null)
                .ToDictionary(k => k, k => stored.Survey.Mail.Defined(k)!);
            templates[kind] = new MailTemplate(Subject, Body);
            var yaml = MailYaml.WithMail(stored.Version.SurveyYaml, templates);
            var (added, change) = await catalog.AddAsync(yaml, stored.Version.ReportYaml, AdminAuth.UserId(User),
                $"{SurveyMail.KindName(kind)}の文面を管理画面で編集", cancel);
            if (change == CatalogChange.Unchanged) Done = "文面は変わっていません（新しい版は作っていません）。";
            else
            {
                await HttpContext.AuditAsync(AuditAction.MailTemplateEdited, "survey:" + added.Record.Id,
                    new { kind, version = added.Version.Number, versionId = added.Version.Id });
                Done = $"{SurveyMail.KindName(kind)}の文面を保存しました（調査票の第 {added.Version.Number} 版）。これから作成するメールに使います。";
            }
            stored = added;
        }
        catch (Core.UserError e)
        {
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        await PreviewAsync(stored, keepError: true);
        return Page();
    }

    /// <summary>Fills the edited text with the first invitee (by code) that has an address; the link is a sample, never a real one.</summary>
    private async Task PreviewAsync(StoredSurvey stored, bool keepError = false)
    {
        Defined = stored.Survey.Mail.Defined(Kind) is not null;
        VersionNumber = stored.Version.Number;
        var sample = await db.Invitations.AsNoTracking().Where(i => i.SurveyId == stored.Record.Id && i.ContactEmail != null && i.ContactEmail != "")
            .OrderBy(i => i.Organisation.Code)
            .Select(i => new { i.Organisation.Name, i.ContactName, i.ContactEmail, i.Cc }).FirstOrDefaultAsync(HttpContext.RequestAborted);
        var recipient = sample is null
            ? new MailRecipient("一般社団法人サンプル協会", "見本 太郎", "sample@example.jp")
            : new MailRecipient(sample.Name, sample.ContactName, sample.ContactEmail!, sample.Cc);
        SampleName = sample?.Name;
        try
        {
            Preview = MailTemplates.Preview(stored.Survey, Kind, new MailTemplate(Subject, Body), recipient, null, site.Url);
        }
        catch (Core.UserError e)
        {
            if (!keepError || Error is null) Error = e.Message;
        }
    }
}

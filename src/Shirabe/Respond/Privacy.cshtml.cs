using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Respond;

/// <summary>
/// The survey's notice on personal data (APPI 利用目的), public and without a token so that pages, printouts and mails
/// can all link to one stable address. 404 when survey.yaml has no `privacy:`.
/// </summary>
public sealed class PrivacyModel(Survey survey) : PageModel
{
    public PrivacyNotice Notice { get; private set; } = null!;
    public string Html { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        if (survey.Privacy is not { } notice) return NotFound();
        Notice = notice;
        Html = (await PrivacyNoticeView.RenderAsync(survey, withTitle: false))!;
        return Page();
    }

    /// <summary>The notice's address, for links from pages and mails.</summary>
    public const string Path = "/survey/privacy";

    /// <summary>The notice of one survey (several are served at once: docs/web.md "Several surveys").</summary>
    public static string PathFor(Survey survey) => $"{Path}?survey={Uri.EscapeDataString(survey.Id)}";
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Admin.Mail;

/// <summary>
/// 「バウンスを確認」 (管理者 only, by the page convention): reads the bounce mailbox now for the console's survey and
/// says what it found; lists this survey's recorded bounces. docs/decisions/063.
/// </summary>
public sealed class BouncesModel(Database database, ShirabeDb db, BounceSettings settings, ConsoleSurvey console, TimeProvider clock,
    ILogger<BouncesModel> log) : PageModel
{
    public const int Shown = 100;

    public BounceSettings Settings => settings;
    public string? Error { get; private set; }
    public BounceSummary? Result { get; private set; }
    public List<(MailBounce Bounce, Organisation Organisation)> Recent { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        try
        {
            Result = await new BounceCheck(database, settings, clock, log)
                .RunAsync(console.Survey.Id, AdminAuth.UserId(User), audit: true, cancel: HttpContext.RequestAborted);
        }
        catch (Core.UserError e)
        {
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var surveyId = console.Survey.Id;
        var rows = await (from b in db.MailBounces.AsNoTracking()
                          join i in db.Invitations on b.InvitationId equals i.Id
                          where i.SurveyId == surveyId
                          orderby b.Id descending
                          select new { Bounce = b, i.Organisation }).Take(Shown).ToListAsync(HttpContext.RequestAborted);
        Recent = rows.Select(r => (r.Bounce, r.Organisation)).ToList();
    }
}

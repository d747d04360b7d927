using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Core;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Admin.Invitees;

/// <summary>
/// 「依頼メールを送る」 for one invitee (管理者 only, by the page convention): GET says what will be sent (the invitation,
/// or a reminder when it was already invited) or why nothing may be; POST, with the kind that was confirmed, queues it in
/// the outbox by the campaigns' rules (<see cref="MailCampaigns.QueueOneAsync"/>, which writes the audit entry).
/// </summary>
public sealed class SendMailModel(MailCampaigns campaigns, Roster roster) : PageModel
{
    public RosterRow? Invitee { get; private set; }
    /// <summary>The mail that would be sent (<see cref="MailKind"/>), null when refused.</summary>
    public string? Kind { get; private set; }
    public string? Refusal { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<string> Problems { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(int id, string? kind)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (kind is not (MailKind.Invitation or MailKind.Reminder))
            return Fail("送るメール（依頼または督促）を確認してから「送る」を押してください。");
        try
        {
            var result = await campaigns.QueueOneAsync(Invitee!.InvitationId, kind, AdminAuth.UserId(User), HttpContext.RequestAborted);
            if (result.Queued == 0)
            {
                Problems = result.Problems;
                return Fail("メールを作成できませんでした。");
            }
        }
        catch (UserError e)
        {
            return Fail(e.Message);
        }
        return Redirect($"/admin/invitees/{id}?done=mail-{kind}");
    }

    private async Task<bool> LoadAsync(int id)
    {
        Invitee = await roster.FindAsync(id, HttpContext.RequestAborted);
        if (Invitee is null) return false;
        (Kind, Refusal) = await campaigns.PlanOneAsync(Invitee.InvitationId, HttpContext.RequestAborted);
        return true;
    }

    private PageResult Fail(string message)
    {
        Error = message;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Shirabe.Fieldwork;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Admin.Mail;

/// <summary>
/// The mail page (管理者 only, by the page convention): invitations to those not yet invited and reminders by status,
/// now or scheduled, each confirmed with its count first; the reminder rounds with their counts (a scheduled one can be
/// cancelled); the outbox by status and where mail goes; the bounce mailbox (063); links to the template editor. docs/decisions/052.
/// </summary>
public sealed class IndexModel(MailCampaigns campaigns, Outbox outbox, MailSettings settings, ConsoleSurvey console, LinkKeys keys,
    PublicSite site, TimeProvider clock, BounceSettings bounces) : PageModel
{
    public BounceSettings Bounces => bounces;
    public string SurveyId => console.Survey.Id;
    public MailSettings Settings => settings;
    public bool CanRecoverLinks => keys.CanRecover;
    public Uri SiteUrl => site.Url;
    public bool SiteConfigured => site.IsConfigured;
    public Dictionary<string, int> Outbox { get; private set; } = [];
    public int Uninvited { get; private set; }
    public Dictionary<string, int> ReminderCounts { get; private set; } = [];
    public List<Reminder> Reminders { get; private set; } = [];

    public string? Error { get; private set; }
    public string? Done { get; private set; }
    public IReadOnlyList<string> Problems { get; private set; } = [];
    /// <summary>The question before an action: what, to how many, and the form fields to send again with confirmed=true.</summary>
    public (string Handler, string Text, List<(string Name, string Value)> Fields)? Confirm { get; private set; }

    // The reminder form as posted (kept on an error or a confirmation).
    [BindProperty] public List<string> Status { get; set; } = [];
    [BindProperty] public string When { get; set; } = "now";
    [BindProperty] public string? At { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public Task<IActionResult> OnPostInviteAsync(bool confirmed) => RunAsync(async cancel =>
    {
        var count = await campaigns.CountInvitationsAsync(SurveyId, onlyUninvited: true, cancel);
        if (count == 0)
        {
            Error = "依頼メールを送っていない団体（回答済み・宛先不明・メールアドレスなしを除く）はありません。";
            return;
        }
        if (!confirmed)
        {
            Confirm = ("invite", $"依頼メールをまだ送っていない {count} 団体に依頼メールを送ります。よろしいですか。", []);
            return;
        }
        var result = await campaigns.QueueInvitationsAsync(SurveyId, onlyUninvited: true, AdminAuth.UserId(User), cancel: cancel);
        Done = $"依頼メールを {result.Queued} 通作成し、送信待ちにしました。順に送信されます（下の「送信状況」）。";
        Problems = result.Problems;
    });

    public Task<IActionResult> OnPostRemindAsync(bool confirmed) => RunAsync(async cancel =>
    {
        var targets = ReminderTargets.FromText(string.Join(",", Status));
        var names = string.Join("・", targets.Select(ReminderTargets.Label));
        if (When == "later")
        {
            if (string.IsNullOrWhiteSpace(At)) throw new Core.UserError("予約する送信日時を入力してください。");
            var at = ReminderTargets.ParseLocal(At, console.Survey.Period.TimeZone);
            if (at <= clock.GetUtcNow().UtcDateTime)
                throw new Core.UserError($"送信日時 {At.Replace('T', ' ')} は過去の時刻です。今すぐ送るなら「今すぐ」を選んでください。");
            var scheduled = await campaigns.QueueRemindersAsync(SurveyId, targets, at, AdminAuth.UserId(User), cancel: cancel);
            Done = $"督促メール（{names}）を {console.Local(scheduled.Reminder!.ScheduledAt)} に予約しました。その時刻の状況で送り先を決めます（提出済みの団体には送りません）。";
            return;
        }
        var count = await campaigns.CountRemindersAsync(SurveyId, targets, cancel);
        if (count == 0)
        {
            Error = $"督促メールの送り先（{names}で、宛先不明・メールアドレスなしを除く）はありません。";
            return;
        }
        if (!confirmed)
        {
            var fields = new List<(string, string)> { ("When", "now") };
            fields.AddRange(targets.Select(t => ("Status", t.ToString().ToLowerInvariant())));
            Confirm = ("remind", $"{names}の {count} 団体に督促メールを今すぐ送ります。よろしいですか。", fields);
            return;
        }
        var result = await campaigns.QueueRemindersAsync(SurveyId, targets, null, AdminAuth.UserId(User), cancel: cancel);
        Done = $"督促メール（{names}）を {result.Queued} 通作成し、送信待ちにしました。" +
               (result.WithoutLink > 0 ? $"うち {result.WithoutLink} 通はリンクを再現できないため、最初のメールのリンクを案内する文にしました。" : "");
        Problems = result.Problems;
    });

    public Task<IActionResult> OnPostCancelAsync(int id) => RunAsync(async cancel =>
    {
        if (!await campaigns.CancelAsync(SurveyId, id, AdminAuth.UserId(User), cancel))
            throw new Core.UserError("この予約は送信済みか、取り消し済みです。");
        Done = "督促メールの予約を取り消しました。";
    });

    private async Task<IActionResult> RunAsync(Func<CancellationToken, Task> action)
    {
        var cancel = HttpContext.RequestAborted;
        try
        {
            await action(cancel);
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
        var cancel = HttpContext.RequestAborted;
        Outbox = await outbox.CountsAsync(cancel);
        Uninvited = await campaigns.CountInvitationsAsync(SurveyId, onlyUninvited: true, cancel);
        ReminderCounts["unopened"] = await campaigns.CountRemindersAsync(SurveyId, [ReminderTarget.Unopened], cancel);
        ReminderCounts["draft"] = await campaigns.CountRemindersAsync(SurveyId, [ReminderTarget.Draft], cancel);
        Reminders = await campaigns.RemindersAsync(SurveyId, cancel);
    }

    public string Local(DateTime utc) => console.Local(utc);

    public int Count(string status) => Outbox.GetValueOrDefault(status);

    /// <summary>Mails still to go now (queued or being sent; a temporary failure waits for its retry and is not counted).</summary>
    public int Remaining => Count(MailStatus.Queued) + Count(MailStatus.Sending);

    /// <summary>While mail is being sent, the delivery table refreshes itself (admin.js) until the queue is empty.</summary>
    public bool Busy => Remaining > 0;

    public const int RefreshSeconds = 2;
}

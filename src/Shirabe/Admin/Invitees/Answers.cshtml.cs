using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Admin.Invitees;

/// <summary>
/// One organisation on the fieldwork page: its status, the submitted version (or an earlier one, ?v=N, or the unsent
/// draft, ?v=draft) with the list of submitted versions and what each changed, and the submission's validity and
/// channel. For a 管理者 also the contact, the link history (created/revoked, never a token) and the mail history with
/// every attempt, and the actions (reissue, validity, address, paper entry).
/// </summary>
public sealed class AnswersModel(ShirabeDb db, Roster roster, Survey survey, Outbox outbox) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "v")] public string? VersionText { get; set; }
    [BindProperty(SupportsGet = true, Name = "done")] public string? Done { get; set; }

    public sealed record Link(int Id, DateTime CreatedAt, DateTime? RevokedAt);

    public sealed record Version(int Number, DateTime SubmittedAt, int Changed);

    public RosterRow? Invitee { get; private set; }
    public List<Version> Versions { get; } = [];
    public DateTime? DraftSavedAt { get; private set; }
    /// <summary>The draft has changes that were not submitted.</summary>
    public bool DraftDiffers { get; private set; }
    /// <summary>What is shown: a version number, 0 for the draft, null when there is nothing to show.</summary>
    public int? Shown { get; private set; }
    public Answer[]? ShownAnswers { get; private set; }
    /// <summary>Items whose answer differs from the version before the one shown.</summary>
    public HashSet<string> Changed { get; } = [];
    /// <summary>The current submission (null: none): validity, reason, channel.</summary>
    public Submission? Submission { get; private set; }
    public string? ValidityChangedByName { get; private set; }
    /// <summary>For a 管理者 only (personal data and fieldwork records); null for a 集計担当.</summary>
    public Invitation? Invitation { get; private set; }
    public List<Link> Links { get; } = [];
    public List<MailHistory> Mails { get; } = [];

    public async Task<IActionResult> OnGetAsync(int id)
    {
        var cancel = HttpContext.RequestAborted;
        Invitee = await roster.FindAsync(id, cancel);
        if (Invitee is null) return NotFound();
        var invitation = Invitee.InvitationId;
        var history = await db.AnswerHistory.AsNoTracking().Where(h => h.InvitationId == invitation)
            .OrderBy(h => h.Version).ToListAsync(cancel);
        var submission = await db.Submissions.AsNoTracking().FirstOrDefaultAsync(s => s.InvitationId == invitation, cancel);
        var draft = await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.InvitationId == invitation, cancel);
        Submission = submission;
        if (submission?.ValidityChangedBy is { } by)
            ValidityChangedByName = await db.AdminUsers.Where(u => u.Id == by).Select(u => u.Name).FirstOrDefaultAsync(cancel);
        if (User.IsInRole(StaffRoles.Admin))
        {
            Invitation = await db.Invitations.AsNoTracking().FirstAsync(i => i.Id == invitation, cancel);
            Links.AddRange(await db.AccessLinks.AsNoTracking().Where(l => l.InvitationId == invitation).OrderBy(l => l.Id)
                .Select(l => new Link(l.Id, l.CreatedAt, l.RevokedAt)).ToListAsync(cancel));
            Mails.AddRange(await outbox.HistoryAsync(invitation, cancel));
        }

        // The submission is the latest version even where history rows are missing (it is what is tabulated).
        var versions = history.Select(h => (h.Version, h.SubmittedAt, h.Answers)).ToList();
        if (submission is not null && versions.All(v => v.Version != submission.Version))
            versions.Add((submission.Version, submission.SubmittedAt, submission.Answers));
        var parsed = versions.Select(v => Read(v.Answers, asStored: true)).ToList();
        for (var i = 0; i < versions.Count; i++)
            Versions.Add(new Version(versions[i].Version, versions[i].SubmittedAt, i == 0 ? 0 : Diff(parsed[i - 1], parsed[i]).Count()));

        Answer[]? draftAnswers = null;
        if (draft is not null)
        {
            DraftSavedAt = draft.UpdatedAt;
            DraftDiffers = submission is null || draft.Version != submission.DraftVersion;
            draftAnswers = Read(draft.Answers, asStored: false);
        }

        if (VersionText == "draft" && draftAnswers is not null)
        {
            Shown = 0;
            ShownAnswers = draftAnswers;
            if (parsed.Count > 0) Changed.UnionWith(Diff(parsed[^1], draftAnswers));
        }
        else if (versions.Count > 0)
        {
            var index = int.TryParse(VersionText, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? versions.FindIndex(v => v.Version == n) : -1;
            if (index < 0) index = versions.Count - 1;
            Shown = versions[index].Version;
            ShownAnswers = parsed[index];
            if (index > 0) Changed.UnionWith(Diff(parsed[index - 1], parsed[index]));
        }
        else if (draftAnswers is not null)
        {
            Shown = 0;
            ShownAnswers = draftAnswers;
        }
        return Page();
    }

    private Answer[] Read(string json, bool asStored) => StoredAnswers.ToAnswers(survey, StoredAnswers.Parse(json), asStored);

    private IEnumerable<string> Diff(Answer[] before, Answer[] after) =>
        survey.Items.Where(i => Text(i, before[i.Index]) != Text(i, after[i.Index])).Select(i => i.Code);

    /// <summary>An answer in words, as the secretariat reads it.</summary>
    public static string Text(Item item, Answer a) => a.State switch
    {
        AnswerState.NotAsked => "（対象外）",
        AnswerState.NoAnswer => "（無回答）",
        _ => item.Kind switch
        {
            ItemKind.Text => a.Text!,
            ItemKind.Single or ItemKind.Matrix => ConsoleNames.Option(item, a.Choice),
            ItemKind.Multiple => string.Join("、", a.ChoiceCodes().Select(c => ConsoleNames.Option(item, c))),
            _ => string.Join("、", item.Parts.Select((p, i) =>
                $"{p.Label} {a.Parts![i]?.ToString("0.##", CultureInfo.InvariantCulture) ?? "—"}%")),
        },
    };
}

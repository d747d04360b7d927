using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Admin.Invitees;

/// <summary>
/// Editing one invitee's contact fields for the served survey (管理者 only, by the page convention), under the roster
/// file's rules (docs/roster-format.md). The audit entry names the fields changed, never their values.
/// </summary>
public sealed class EditModel(ShirabeDb db, ConsoleSurvey console) : PageModel
{
    public Invitation? Invitee { get; private set; }
    /// <summary>Field (form name) → message, for the fields that break a rule.</summary>
    public Dictionary<string, string> Errors { get; } = [];
    public bool Saved { get; private set; }

    [BindProperty] public string? ContactName { get; set; }
    [BindProperty] public string? ContactEmail { get; set; }
    [BindProperty] public string? Cc { get; set; }
    [BindProperty] public string? Category { get; set; }

    private Task<Invitation?> FindAsync(int id) => db.Invitations.Include(i => i.Organisation)
        .FirstOrDefaultAsync(i => i.SurveyId == console.Survey.Id && i.OrganisationId == id, HttpContext.RequestAborted);

    public async Task<IActionResult> OnGetAsync(int id)
    {
        Invitee = await FindAsync(id);
        if (Invitee is null) return NotFound();
        (ContactName, ContactEmail, Cc, Category) = (Invitee.ContactName, Invitee.ContactEmail, Invitee.Cc, Invitee.Category);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        Invitee = await FindAsync(id);
        if (Invitee is null) return NotFound();
        var contact = Check(nameof(ContactName), ContactName, RosterFile.Field.Contact);
        var email = Check(nameof(ContactEmail), ContactEmail, RosterFile.Field.Email);
        if (email is not null && RosterFile.EmailProblem(email) is { } badEmail) Errors[nameof(ContactEmail)] = badEmail;
        var ccText = Check(nameof(Cc), Cc, RosterFile.Field.Cc);
        var cc = (ccText ?? "").Split([';', ',', '；', '，', '、'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var address in cc)
            if (RosterFile.EmailProblem(address) is { } bad) Errors.TryAdd(nameof(Cc), bad);
        if (cc.Length > RosterFile.MaxCcAddresses) Errors.TryAdd(nameof(Cc), $"CC のアドレスが多すぎます（{cc.Length} 件。{RosterFile.MaxCcAddresses} 件まで）。");
        // a survey without a category item shows no category field: the stored value stays as it is
        var category = console.HasCategory ? Check(nameof(Category), Category, RosterFile.Field.Category) : Invitee.Category;
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var values = new (string Field, string? Old, string? New)[]
        {
            ("ContactName", Invitee.ContactName, contact), ("ContactEmail", Invitee.ContactEmail, email),
            ("Cc", Invitee.Cc, cc.Length == 0 ? null : string.Join("; ", cc)), ("Category", Invitee.Category, category),
        };
        var changed = values.Where(v => v.Old != v.New).Select(v => v.Field).ToList();
        if (changed.Count > 0)
        {
            (Invitee.ContactName, Invitee.ContactEmail, Invitee.Cc, Invitee.Category) = (contact, email, values[2].New, category);
            await using var tx = await db.Database.BeginTransactionAsync(HttpContext.RequestAborted);
            await db.SaveChangesAsync(HttpContext.RequestAborted);
            await HttpContext.AuditAsync(AuditAction.InviteeEdited, $"organisation:{id}", new { invitation = Invitee.Id, fields = changed });
            await tx.CommitAsync(HttpContext.RequestAborted);
        }
        (ContactName, ContactEmail, Cc, Category) = (Invitee.ContactName, Invitee.ContactEmail, Invitee.Cc, Invitee.Category);
        Saved = true;
        return Page();
    }

    /// <summary>The trimmed value (null when blank), or null with an error when it breaks the roster file's rules.</summary>
    private string? Check(string name, string? value, RosterFile.Field field)
    {
        var v = value?.Trim(' ', '\u3000', '\u00A0', '\t');
        if (string.IsNullOrEmpty(v)) return null;
        if (RosterFile.Invalid(v) is { } bad) Errors[name] = bad;
        else if (v.Length > RosterFile.MaxLengths[field])
            Errors[name] = $"長すぎます（{v.Length:#,0} 文字。{RosterFile.MaxLengths[field]:#,0} 文字まで）。";
        return v;
    }
}

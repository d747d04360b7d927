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
        Document = await PrintDocument.ForOrganisationAsync(this, draft);
        return Page();
    }
}

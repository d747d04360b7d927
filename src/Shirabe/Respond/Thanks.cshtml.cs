using Microsoft.AspNetCore.Mvc;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Respond;

/// <summary>The receipt: shown only once the submission is committed.</summary>
public sealed class ThanksModel(InvitationLookup lookup, ShirabeDb db, Survey survey, TimeProvider clock)
    : RespondPageModel(lookup, db, survey, clock)
{
    public async Task<IActionResult> OnGetAsync()
    {
        if (await LoadAsync() is { } fail) return fail;
        if (Submission is null) return Redirect(BasePath);
        return Page();
    }
}

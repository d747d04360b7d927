using Microsoft.AspNetCore.Mvc;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Respond;

/// <summary>The personal link's landing page: where the association stands, and the way in (or, once closed, its answers read-only).</summary>
public sealed class StartModel(InvitationLookup lookup, ShirabeDb db, Survey survey, TimeProvider clock)
    : RespondPageModel(lookup, db, survey, clock)
{
    public string? SheetHtml { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await LoadAsync() is { } fail) return fail;
        if (Phase == SurveyPhase.Closed && Submission is not null)
            SheetHtml = await AnswerSheet.RenderAsync(Survey, StoredAnswers.ToAnswers(Survey, StoredAnswers.Parse(Submission.Answers), asStored: true));
        return Page();
    }
}

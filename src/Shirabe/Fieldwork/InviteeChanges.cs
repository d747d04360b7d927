using Microsoft.EntityFrameworkCore;
using Shirabe.Core;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// What a 管理者 changes on one invitee from the fieldwork page: a submission's validity (only valid submissions are
/// tabulated) and a failed address marked or cleared by hand (docs/decisions/050). Each change and its audit entry
/// (<paramref name="audit"/>, given the before/after) are committed together.
/// </summary>
public static class InviteeChanges
{
    public const int MaxNote = 500;

    /// <summary>
    /// Marks the invitation's submission valid or invalid with a required reason. Throws <see cref="UserError"/> when
    /// there is no submission or the reason is missing or too long.
    /// </summary>
    public static async Task<(bool Before, bool After)> SetValidityAsync(ShirabeDb db, int invitationId, bool valid, string? reason,
        int? userId, Func<object, Task> audit, CancellationToken cancel)
    {
        var text = Note(reason, "理由");
        if (text is null) throw new UserError("理由を入力してください（有効・無効のどちらにする場合も必要です）。");
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        var submission = await db.Submissions.FirstOrDefaultAsync(s => s.InvitationId == invitationId, cancel)
                         ?? throw new UserError("この団体の提出済みの回答がありません。有効・無効は提出された回答にだけ設定できます。");
        var before = submission.Valid;
        submission.Valid = valid;
        submission.ValidityReason = text;
        submission.ValidityChangedBy = userId;
        await db.SaveChangesAsync(cancel);
        // The reason is kept on the submission; the log names the field, so erasing it erases it everywhere.
        await audit(new
        {
            invitation = invitationId, submission = submission.Id, version = submission.Version,
            field = "Submissions.Valid", before, after = valid, reason = "Submissions.ValidityReason",
        });
        await tx.CommitAsync(cancel);
        return (before, valid);
    }

    /// <summary>Marks the invitation's address as failed (a bounce that arrived later as mail) or clears it.</summary>
    public static async Task SetAddressFailedAsync(ShirabeDb db, int invitationId, bool failed, string? note, DateTime now,
        Func<object, Task> audit, CancellationToken cancel)
    {
        var text = Note(note, "メモ");
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        var invitation = await db.Invitations.FirstAsync(i => i.Id == invitationId, cancel);
        var before = invitation.AddressFailedAt is not null;
        invitation.AddressFailedAt = failed ? now : null;
        invitation.AddressFailure = failed ? "手作業で設定" + (text is null ? "" : ": " + text) : null;
        await db.SaveChangesAsync(cancel);
        await audit(new
        {
            invitation = invitationId, field = "Invitations.AddressFailedAt", before, after = failed,
            failure = failed ? "Invitations.AddressFailure" : null,
        });
        await tx.CommitAsync(cancel);
    }

    /// <summary>A staff note: trimmed, at most <see cref="MaxNote"/> characters, no control characters but line breaks.</summary>
    private static string? Note(string? text, string what)
    {
        text = text?.Replace("\r\n", "\n").Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length > MaxNote) throw new UserError($"{what}は {MaxNote} 文字以内で入力してください（いま {text.Length} 文字）。");
        if (text.Any(c => char.IsControl(c) && c != '\n'))
            throw new UserError($"{what}に使えない制御文字が含まれています。");
        return text;
    }
}

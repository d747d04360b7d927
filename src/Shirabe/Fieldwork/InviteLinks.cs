using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Core;
using Shirabe.Core.Responses;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// Personal links for every invitation of a survey that has no live one (`shirabe invite create`): a new
/// <see cref="AccessLink"/> each, written as <c>code,name,email,link</c> for a mail merge outside Shirabe. Only the
/// tokens' hashes are stored, so the written list is the only copy of the links (docs/decisions/005).
/// </summary>
public static class InviteLinks
{
    public const int BatchSize = 1000;

    /// <summary>A public base URL (<c>https://survey.example.jp</c>) without a trailing slash, or a <see cref="UserError"/>.</summary>
    public static string BaseUrl(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new UserError($"--base-url「{RosterFile.Shorten(text)}」は回答者が開く公開アドレス（例: https://survey.example.jp）で指定してください。");
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>
    /// Creates the links in one transaction, batch by batch, writing each line to <paramref name="output"/> as it goes;
    /// commits (with the audit entry, counts only) only after the last line has been written and flushed, so a failure
    /// leaves no link that nobody has. Returns how many links were made.
    /// </summary>
    public static async Task<int> CreateAsync(ShirabeDb db, string surveyId, string baseUrl, TextWriter output, TimeProvider clock,
        int? userId, IProgress<ResponsesTransfer.ImportProgress>? progress = null, CancellationToken cancel = default)
    {
        var survey = await RosterImport.FindSurveyAsync(db, surveyId, cancel);
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        await RosterImport.LockAsync(db, "links:" + survey.Id, cancel); // two runs at once would give one invitation two links
        var pending = db.Invitations.AsNoTracking()
            .Where(i => i.SurveyId == survey.Id && !db.AccessLinks.Any(l => l.InvitationId == i.Id && l.RevokedAt == null));
        var total = await pending.CountAsync(cancel);
        await output.WriteLineAsync(Line(["code", "name", "email", "link"]));
        var made = 0;
        var last = 0;
        while (made < total)
        {
            var batch = await pending.Where(i => i.Id > last).OrderBy(i => i.Id).Take(BatchSize)
                .Select(i => new { i.Id, i.Organisation.Code, i.Organisation.Name, i.ContactEmail }).ToListAsync(cancel);
            if (batch.Count == 0) break;
            var now = clock.GetUtcNow().UtcDateTime;
            var tokens = batch.Select(_ => InvitationTokens.NewToken()).ToList();
            db.AccessLinks.AddRange(batch.Select((i, n) => new AccessLink { InvitationId = i.Id, TokenHash = InvitationTokens.Hash(tokens[n]), CreatedAt = now }));
            await db.SaveChangesAsync(cancel);
            db.ChangeTracker.Clear();
            for (var n = 0; n < batch.Count; n++)
                await output.WriteLineAsync(Line([batch[n].Code, batch[n].Name, batch[n].ContactEmail ?? "", baseUrl + InvitationTokens.Path(tokens[n])]));
            made += batch.Count;
            last = batch[^1].Id;
            progress?.Report(new(made, (double)made / total));
        }
        await output.FlushAsync(cancel);
        await new AuditLog(db, clock).WriteAsync(userId, AuditAction.LinksCreated, "survey:" + survey.Id, new { links = made }, cancel);
        await tx.CommitAsync(cancel);
        return made;
    }

    private static string Line(IEnumerable<string> fields) =>
        string.Join(",", fields.Select(f => "\"" + ResponsesCsv.SpreadsheetSafe(f).Replace("\"", "\"\"") + "\""));
}

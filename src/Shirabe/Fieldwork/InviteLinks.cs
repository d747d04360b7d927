using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Core;
using Shirabe.Core.Responses;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// Personal links for every invitation of a survey that has no live one (`shirabe invite create`): a new
/// <see cref="AccessLink"/> each, made by <see cref="PersonalLinks"/> (derived under the link key when there is one, as
/// `mail invite` makes them, so Shirabe's reminders carry the same link; else random), written as
/// <c>code,name,email,link</c> for a mail merge outside Shirabe. Only the tokens' hashes are stored, so the written list
/// is the only place a link is shown (docs/decisions/005, 065).
/// </summary>
public static class InviteLinks
{
    public const int BatchSize = 2000;

    /// <summary>A public base URL (<c>https://survey.example.jp</c>) ending in '/', or a <see cref="UserError"/>.</summary>
    public static Uri BaseUrl(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new UserError($"--base-url「{RosterFile.Shorten(text)}」は回答者が開く公開アドレス（例: https://survey.example.jp）で指定してください。");
        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    /// <summary>
    /// Creates the links in one transaction, batch by batch (ids reserved, rows written in bulk, no round trip per link),
    /// writing each line to <paramref name="output"/> as it goes; commits (with the audit entry, counts only) only after
    /// the last line has been written and flushed, so a failure leaves no link that nobody has. Invitations that already
    /// have a live link are left as they are. Returns how many links were made.
    /// </summary>
    public static async Task<int> CreateAsync(ShirabeDb db, string surveyId, Uri site, LinkKeys keys, TextWriter output,
        TimeProvider clock, int? userId, IProgress<ResponsesTransfer.ImportProgress>? progress = null, CancellationToken cancel = default)
    {
        var survey = await RosterImport.FindSurveyAsync(db, surveyId, cancel);
        await using var tx = await db.Database.BeginTransactionAsync(cancel);
        await LockAsync(db, survey.Id, cancel);
        var pending = Unlinked(db, survey.Id);
        var total = await pending.CountAsync(cancel);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var links = PersonalLinks.For(db, keys, now);
        await output.WriteLineAsync(Line(["code", "name", "email", "link"]));
        var made = 0;
        var last = 0;
        while (made < total)
        {
            var batch = await pending.Where(i => i.Id > last).OrderBy(i => i.Id).Take(BatchSize)
                .Select(i => new { i.Id, i.Organisation.Code, i.Organisation.Name, i.ContactEmail }).ToListAsync(cancel);
            if (batch.Count == 0) break;
            var tokens = await links.AddAsync(batch.Select(i => i.Id).ToList(), cancel);
            for (var n = 0; n < batch.Count; n++)
                await output.WriteLineAsync(Line([batch[n].Code, batch[n].Name, batch[n].ContactEmail ?? "", InvitationTokens.Url(site, tokens[n].Token)]));
            made += batch.Count;
            last = batch[^1].Id;
            progress?.Report(new(made, (double)made / total));
        }
        await output.FlushAsync(cancel);
        await new AuditLog(db, clock).WriteAsync(userId, AuditAction.LinksCreated, "survey:" + survey.Id,
            new { links = made, derived = links.Derived }, cancel);
        await tx.CommitAsync(cancel);
        return made;
    }

    /// <summary>The survey's invitations without a live link (none yet, or only revoked ones).</summary>
    public static IQueryable<Invitation> Unlinked(ShirabeDb db, string surveyId) => db.Invitations.AsNoTracking()
        .Where(i => i.SurveyId == surveyId && !db.AccessLinks.Any(l => l.InvitationId == i.Id && l.RevokedAt == null));

    /// <summary>
    /// Serialises the runs that make links for one survey (`invite create`, `mail invite`) until the transaction ends:
    /// two at once would give one invitation two live links.
    /// </summary>
    public static Task LockAsync(ShirabeDb db, string surveyId, CancellationToken cancel) =>
        RosterImport.LockAsync(db, "links:" + surveyId, cancel);

    private static string Line(IEnumerable<string> fields) =>
        string.Join(",", fields.Select(f => "\"" + ResponsesCsv.SpreadsheetSafe(f).Replace("\"", "\"\"") + "\""));
}

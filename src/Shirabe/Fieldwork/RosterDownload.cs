using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Fieldwork;

/// <summary>
/// A survey's roster from the database as a roster file (CSV or XLSX, docs/roster-format.md), so that export → edit
/// in Excel → import round trips. Read twice, streamed: once for the attribute columns, once for the rows.
/// </summary>
public static class RosterDownload
{
    /// <summary>"csv" or "xlsx" from a file name or a format, else null.</summary>
    public static string? Format(string nameOrFormat)
    {
        var ext = Path.GetExtension(nameOrFormat) is { Length: > 0 } e ? e[1..] : nameOrFormat;
        return ext.ToLowerInvariant() switch { "csv" => "csv", "xlsx" => "xlsx", _ => null };
    }

    /// <summary>
    /// Writes every invitation of the survey, by code, and logs the export (a personal-data export) by
    /// <paramref name="userId"/> (null: the command line). <paramref name="output"/> must be seekable for XLSX.
    /// Returns the number of invitees written.
    /// </summary>
    public static async Task<int> WriteAsync(ShirabeDb db, string surveyId, string format, Stream output, TimeProvider clock,
        int? userId, CancellationToken cancel = default)
    {
        var survey = await RosterImport.FindSurveyAsync(db, surveyId, cancel);
        var category = await RosterImport.CategoryHeadingAsync(db, survey, cancel);
        var rows = db.Invitations.AsNoTracking().Where(i => i.SurveyId == survey.Id).OrderBy(i => i.Organisation.Code);
        var attributes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var json in rows.Where(i => i.Attributes != null).Select(i => i.Attributes!).AsAsyncEnumerable().WithCancellation(cancel))
            foreach (var key in Parse(json).Keys)
                if (seen.Add(key)) attributes.Add(key);
        var count = 0;
        var entries = rows.Select(i => new { i.Organisation.Code, i.Organisation.Name, i.ContactName, i.ContactEmail, i.Cc, i.Category, i.Attributes })
            .AsEnumerable()
            .Select(i =>
            {
                count++;
                return new RosterEntry(count + 1, i.Code, i.Name, i.ContactName, i.ContactEmail,
                    i.Cc is null ? [] : i.Cc.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                    i.Category, i.Attributes is null ? new Dictionary<string, string>() : Parse(i.Attributes));
            });
        if (format == "xlsx") RosterFile.WriteXlsx(output, category, attributes, entries);
        else RosterFile.WriteCsv(output, category, attributes, entries);
        await new AuditLog(db, clock).WriteAsync(userId, AuditAction.RosterDownloaded, "survey:" + survey.Id,
            new { format, invitees = count }, cancel);
        return count;
    }

    private static Dictionary<string, string> Parse(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
}

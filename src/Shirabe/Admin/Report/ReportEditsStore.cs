using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Reports;

namespace Shirabe.Admin;

/// <summary>
/// The secretariat's report edits, kept in the database (<see cref="StoredReportEdits"/>, one row per survey). Until the
/// first edit in the console, the CLI's report-edits.json (if any) is the starting point.
/// </summary>
public sealed class ReportEditsStore(ShirabeDb db, ConsoleSurvey console, TimeProvider clock)
{
    public async Task<ReportEdits> LoadAsync(CancellationToken cancel)
    {
        var row = await db.ReportEdits.AsNoTracking().FirstOrDefaultAsync(r => r.SurveyId == console.Survey.Id, cancel);
        return row is not null ? ReportEdits.FromJson(row.Json) : ReportEdits.Load(console.EditsFile);
    }

    /// <summary>Applies <paramref name="change"/> and saves; retried when another save came in between.</summary>
    public async Task UpdateAsync(Action<ReportEditor> change, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var row = await db.ReportEdits.FirstOrDefaultAsync(r => r.SurveyId == console.Survey.Id, cancel);
            var edits = row is not null ? ReportEdits.FromJson(row.Json) : ReportEdits.Load(console.EditsFile);
            change(new ReportEditor(edits, clock));
            if (row is null) db.ReportEdits.Add(row = new StoredReportEdits { SurveyId = console.Survey.Id });
            row.Json = edits.ToJson();
            row.Version++;
            row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            try
            {
                await db.SaveChangesAsync(cancel);
                return;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // a concurrent save (version or first insert): read again and reapply
            }
        }
    }
}

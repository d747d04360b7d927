using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Reports;
using Shirabe.Core.Responses;
using Shirabe.Core.Tabulation;
using Shirabe.Data;
using Shirabe.Pdf;
using Shirabe.Reports;

namespace Shirabe.Admin;

/// <summary>The report layout of the survey being served (report.yaml beside survey.yaml).</summary>
public sealed record ConsoleSurvey(Survey Survey, ReportDefinition Definition, string Folder)
{
    public static ConsoleSurvey Load(ShirabeSettings settings, Survey survey)
    {
        var folder = Directory.Exists(settings.SurveyPath) ? settings.SurveyPath : Path.GetDirectoryName(settings.SurveyPath)!;
        return new ConsoleSurvey(survey, ReportDefinitionLoader.LoadFile(folder, survey), folder);
    }

    /// <summary>
    /// The heading of the invitees' category column: the short wording of the survey's `role: category` item (業種 in
    /// SC3), else its title; 区分 when the survey has none.
    /// </summary>
    public string CategoryLabel => Survey.ItemWith(ItemRole.Category) is { } item ? item.Short ?? ConsoleNames.Title(Survey, item) : "区分";

    /// <summary>report-edits.json of the CLI: the starting point when the database has no edits yet.</summary>
    public string EditsFile => Path.Combine(Folder, ReportRun.EditsFileName);

    /// <summary>A time stored in UTC, as shown in the console (the survey's time zone, Asia/Tokyo).</summary>
    public string Local(DateTime utc) => Survey.Period.ToLocal(utc).ToString("yyyy-MM-dd HH:mm");

    public string Local(DateTimeOffset t) => Local(t.UtcDateTime);
}

/// <summary>Segment filters as the live results take them: ?f=1-6=5&amp;f=1-3=4 (all must match).</summary>
public static class ConsoleSegments
{
    /// <summary>The segment of the valid filters (null: everyone); a message per invalid filter in <paramref name="errors"/>.</summary>
    public static Segment? Parse(Survey survey, IEnumerable<string>? filters, List<string> errors)
    {
        var list = new List<SegmentFilter>();
        foreach (var f in (filters ?? []).Where(f => !string.IsNullOrWhiteSpace(f)).Take(10))
        {
            try { list.Add(SegmentFilter.Parse(survey, f.Trim())); }
            catch (Core.UserError e) { errors.Add(Explain(survey, f.Trim()) ?? e.Message); }
        }
        return list.Count > 0 ? new Segment(list) : null;
    }

    /// <summary>A wrong choice of a known item, said with the choices' wording (not bare numbers).</summary>
    private static string? Explain(Survey survey, string text)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0 || !survey.TryGetItem(text[..eq].Trim(), out var item) || item.Options.Count == 0) return null;
        var choices = string.Join("、", item.Options.Select(o => ConsoleNames.Option(item, o.Code)));
        return $"絞り込み「{text}」: {ConsoleNames.Name(survey, item)} の選択肢は {choices}、{SegmentFilter.NoAnswerWord} です。";
    }

    /// <summary>Every value the pick-lists offer: per choice item, each option and 無回答, as ITEM=CODE.</summary>
    public static IEnumerable<(Item Item, IReadOnlyList<(string Value, string Text)> Choices)> PickList(Survey survey) =>
        survey.Items.Where(i => i.Kind is ItemKind.Single or ItemKind.Multiple or ItemKind.Matrix)
            .Select(i => (i, (IReadOnlyList<(string, string)>)i.Options.Select(o => ($"{i.Code}={o.Code}", ConsoleNames.Option(i, o.Code)))
                .Append(($"{i.Code}={SegmentFilter.NoAnswerWord}", SegmentFilter.NoAnswerWord)).ToList()));
}

/// <summary>The submitted responses in the database, as the tabulator and the report read them.</summary>
public static class SubmittedResponses
{
    /// <summary>Every submission of the survey in submission order (as `shirabe export` writes them). Drafts are not responses.</summary>
    public static async Task<List<Response>> LoadAsync(ShirabeDb db, Survey survey, CancellationToken cancel)
    {
        var rows = await db.Submissions.AsNoTracking()
            .Where(s => s.Invitation.SurveyId == survey.Id)
            .Select(s => new { s.Invitation.Association.Code, s.SubmittedAt, s.Answers })
            .ToListAsync(cancel);
        return rows
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Code, StringComparer.Ordinal)
            .Select(r => new Response(r.Code,
                TimeZoneInfo.ConvertTime(new DateTimeOffset(r.SubmittedAt, TimeSpan.Zero), survey.Period.TimeZone),
                StoredAnswers.ToAnswers(survey, StoredAnswers.Parse(r.Answers), asStored: true)))
            .ToList();
    }

    /// <summary>Drafts of invitations that have not submitted: counted, never tabulated.</summary>
    public static Task<int> DraftsAsync(ShirabeDb db, Survey survey, CancellationToken cancel) =>
        db.Drafts.CountAsync(d => d.Invitation.SurveyId == survey.Id && d.Invitation.RevokedAt == null
                                  && !db.Submissions.Any(s => s.InvitationId == d.InvitationId), cancel);
}

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

/// <summary>Builds the report (or the live tables) from the database: submitted responses, the layout and the edits.</summary>
public sealed class ConsoleReport(ShirabeDb db, ConsoleSurvey console, ReportEditsStore store)
{
    public sealed record Built(ReportDocument Document, SurveyTabulation Tabulation, List<Response> Responses, ReportEdits Edits);

    public async Task<Built> BuildAsync(Segment? segment, CancellationToken cancel)
    {
        var all = await SubmittedResponses.LoadAsync(db, console.Survey, cancel);
        var responses = segment is null ? all : all.Where(segment.Matches).ToList();
        var edits = await store.LoadAsync(cancel);
        var tab = Core.Tabulation.Tabulate.Survey(console.Survey, responses);
        var doc = ReportBuilder.Build(new ReportInput(console.Definition, tab, () => responses, edits));
        return new Built(doc, tab, responses, edits);
    }

    /// <summary>The report in <paramref name="format"/>, as `shirabe report` writes it, from the database's responses.</summary>
    public static async Task<byte[]> RenderAsync(Built built, ReportFormat format, Survey survey, ChromiumPdf chromium,
        IProgress<string>? progress, CancellationToken cancel)
    {
        using var ms = new MemoryStream();
        switch (format)
        {
            case ReportFormat.Html:
                return System.Text.Encoding.UTF8.GetBytes(HtmlReport.Render(built.Document, progress));
            case ReportFormat.Pdf:
                return await ReportPdf.RenderAsync(built.Document, chromium, progress, cancel, TimeSpan.FromMinutes(10));
            case ReportFormat.Docx:
                DocxReport.Write(built.Document, ms, progress);
                break;
            case ReportFormat.Xlsx:
                XlsxReport.Write(built.Document, survey, built.Responses, ms, progress);
                break;
        }
        return ms.ToArray();
    }
}

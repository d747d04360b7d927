using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shirabe.Core.Questionnaire;
using Shirabe.Data;

namespace Shirabe.Fieldwork.Mail;

/// <summary>
/// The mails of one queuing run of one kind (an invitation run, a reminder round, one invitee's mail; decision 077): the
/// survey's template and the values every mail shares are checked once and stored once, as a <see cref="MailSnapshot"/>;
/// each mail keeps its subject (rendered and checked), its addresses and its own values. Its body is rendered when it is
/// sent or shown (<see cref="OutboxContent"/>), by the same code as <see cref="MailTemplates.Render"/>.
/// </summary>
public sealed class MailRun
{
    private readonly string _kind;
    private readonly MailTemplate _template;
    private readonly MailTemplates.ParsedTemplate? _parsed;
    private readonly Dictionary<string, string?> _shared = [];
    private readonly Core.UserError? _error;

    private MailRun(Survey survey, string kind, Uri siteUrl)
    {
        _kind = kind;
        _template = survey.Mail.For(kind);
        try
        {
            _parsed = MailTemplates.Checked(_template, kind);
            _shared = MailTemplates.SharedValues(survey, _parsed, siteUrl);
        }
        catch (Core.UserError e)
        {
            _error = e; // said for each invitee, as MailTemplates.Content says it
        }
    }

    /// <summary>The run for <paramref name="survey"/>'s template of <paramref name="kind"/>.</summary>
    public static MailRun For(Survey survey, string kind, Uri siteUrl) => new(survey, kind, siteUrl);

    /// <summary>The stored snapshot's id, once <see cref="SaveAsync"/> has written it.</summary>
    public long? SnapshotId { get; private set; }

    /// <summary>
    /// One invitee's mail of this run, for <see cref="Outbox.Make(int, string, MailContent)"/>: its To and Cc, its subject, and its
    /// values. Throws what <see cref="MailTemplates.Content"/> throws for the same invitee (<see cref="MailTemplateError"/>,
    /// <see cref="MailHeaderError"/>).
    /// </summary>
    public MailContent Content(MailRecipient to, string? answerUrl)
    {
        if (_error is not null) throw _error;
        var own = MailTemplates.RowValues(_kind, _parsed!, to, answerUrl);
        var all = new Dictionary<string, string?>(_shared, StringComparer.Ordinal);
        foreach (var (name, value) in own) all[name] = value;
        var subject = MailTemplates.Subject(_parsed!, all);
        return new MailContent(MailTemplates.Recipients(to), subject, null, null, string.IsNullOrWhiteSpace(to.Cc) ? null : to.Cc,
            new MailValues(SnapshotId ?? throw new InvalidOperationException("The run's snapshot is saved before its mails are made."),
                OutboxContent.Serialize(own)));
    }

    /// <summary>Writes the run's snapshot (once; a later call does nothing) in the caller's transaction.</summary>
    public async Task SaveAsync(ShirabeDb db, DateTime now, CancellationToken cancel)
    {
        if (SnapshotId is not null || _error is not null) return;
        var snapshot = new MailSnapshot
        {
            Format = MailSnapshot.CurrentFormat, Kind = _kind, Subject = _template.Subject, Body = _template.Body,
            Values = OutboxContent.Serialize(_shared), CreatedAt = now,
        };
        db.MailSnapshots.Add(snapshot);
        await db.SaveChangesAsync(cancel);
        db.Entry(snapshot).State = EntityState.Detached;
        SnapshotId = snapshot.Id;
    }
}

/// <summary>A mail's part of a run: its snapshot and its own placeholder values (JSON).</summary>
public sealed record MailValues(long SnapshotId, string Values);

/// <summary>
/// The text and HTML of an outbox row: as stored, or rendered from its run's snapshot and its own values (decision 077),
/// the same bytes on every attempt and in the console.
/// </summary>
public static class OutboxContent
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A snapshot read back: its template and shared values, parsed once for all its mails.</summary>
    public sealed record Run(string Kind, MailTemplate Template, IReadOnlyDictionary<string, string?> Shared);

    internal static string Serialize(Dictionary<string, string?> values) => JsonSerializer.Serialize(values, Json);

    private static Dictionary<string, string?> Deserialize(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string?>>(json, Json) ?? [];

    /// <summary>The snapshots <paramref name="mails"/> are rendered from, by id.</summary>
    public static async Task<Dictionary<long, Run>> RunsAsync(ShirabeDb db, IEnumerable<OutboxMail> mails, CancellationToken cancel)
    {
        var ids = mails.Where(m => m.SnapshotId is not null).Select(m => m.SnapshotId!.Value).Distinct().ToList();
        if (ids.Count == 0) return [];
        var snapshots = await db.MailSnapshots.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancel);
        return snapshots.ToDictionary(s => s.Id, s => s.Format == MailSnapshot.CurrentFormat
            ? new Run(s.Kind, new MailTemplate(s.Subject, s.Body), Deserialize(s.Values))
            : throw new InvalidOperationException($"Mail snapshot {s.Id} has format {s.Format}, which this version cannot render."));
    }

    /// <summary>The text and HTML bodies of <paramref name="mail"/>. Throws <see cref="MailHeaderError"/> for a row edited by hand.</summary>
    public static (string Text, string? Html) Body(OutboxMail mail, IReadOnlyDictionary<long, Run> runs)
    {
        if (mail.SnapshotId is not { } id) return (mail.TextBody ?? "", mail.HtmlBody);
        var run = runs[id];
        var values = new Dictionary<string, string?>(run.Shared, StringComparer.Ordinal);
        foreach (var (name, value) in Deserialize(mail.Values ?? "{}")) values[name] = value;
        var rendered = MailTemplates.Fill(run.Template, run.Kind, values);
        return (rendered.Text, rendered.Html);
    }

    /// <summary>As <see cref="Body(OutboxMail, IReadOnlyDictionary{long, Run})"/> for one mail, reading its snapshot.</summary>
    public static async Task<(string Text, string? Html)> BodyAsync(ShirabeDb db, OutboxMail mail, CancellationToken cancel = default) =>
        Body(mail, await RunsAsync(db, [mail], cancel));
}

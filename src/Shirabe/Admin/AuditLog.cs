using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;

namespace Shirabe.Admin;

/// <summary>
/// The audited actions (docs/decisions/036-audit-log.md): a stable code stored in the log, and its Japanese name for
/// the console. A new audited feature adds a code here and one <see cref="AuditHttp.AuditAsync"/> line where it acts.
/// </summary>
public static class AuditAction
{
    public const string SignIn = "signin";
    public const string SignOut = "signout";
    public const string LinkReissued = "link.reissue";
    public const string NarrativeEdited = "narrative.edit";
    public const string NarrativeReverted = "narrative.revert";
    public const string CurationSelected = "curation.select";
    public const string CurationEdited = "curation.edit";
    public const string CurationReverted = "curation.revert";
    public const string ReportDownloaded = "report.download";
    public const string RosterExported = "roster.export";
    public const string RosterImported = "roster.import";
    public const string RosterDownloaded = "roster.download";
    public const string InviteeEdited = "invitee.edit";
    public const string LinksCreated = "links.create";
    public const string UserAdded = "user.add";
    public const string UserRoleChanged = "user.role";
    public const string UserPasswordReset = "user.password";
    public const string UserDisabled = "user.disable";
    public const string UserEnabled = "user.enable";
    public const string AuditExported = "audit.export";
    public const string PaperSaved = "paper.save";
    public const string PaperSubmitted = "paper.submit";
    public const string ValidityChanged = "submission.validity";
    public const string AddressFailed = "address.fail";
    public const string AddressCleared = "address.clear";
    public const string MailInvitationsQueued = "mail.invite";
    public const string MailReminderQueued = "mail.remind";
    public const string MailReminderScheduled = "mail.remind.schedule";
    public const string MailReminderCancelled = "mail.remind.cancel";
    public const string MailReminderSent = "mail.remind.queued";
    public const string MailTemplateEdited = "mail.template";
    public const string MailToInvitee = "mail.invitee";
    public const string MailBouncesRead = "mail.bounces";
    public const string SurveyUploaded = "survey.upload";
    public const string SurveyNextWave = "survey.next-wave";
    public const string SurveyWordingSaved = "survey.wording";
    public const string SurveyPublished = "survey.publish";

    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        [SignIn] = "ログイン",
        [SignOut] = "ログアウト",
        [LinkReissued] = "回答用リンクの再発行",
        [NarrativeEdited] = "所見の編集",
        [NarrativeReverted] = "所見を下書きに戻す",
        [CurationSelected] = "掲載する回答の選択",
        [CurationEdited] = "回答の編集（匿名化）",
        [CurationReverted] = "回答の編集を元に戻す",
        [ReportDownloaded] = "報告書のダウンロード",
        [RosterExported] = "回収状況の書き出し",
        [RosterImported] = "名簿の取り込み",
        [RosterDownloaded] = "名簿の書き出し",
        [InviteeEdited] = "連絡先の編集",
        [LinksCreated] = "回答用リンクの作成",
        [UserAdded] = "ユーザーの追加",
        [UserRoleChanged] = "役割の変更",
        [UserPasswordReset] = "パスワードの再設定",
        [UserDisabled] = "ユーザーの無効化",
        [UserEnabled] = "ユーザーの有効化",
        [AuditExported] = "操作記録の書き出し",
        [PaperSaved] = "紙・郵送の回答の入力（保存）",
        [PaperSubmitted] = "紙・郵送の回答の入力（提出）",
        [ValidityChanged] = "回答の有効・無効の変更",
        [AddressFailed] = "宛先エラーの設定",
        [AddressCleared] = "宛先エラーの解除",
        [MailInvitationsQueued] = "依頼メールの送信",
        [MailReminderQueued] = "督促メールの送信",
        [MailReminderScheduled] = "督促メールの予約",
        [MailReminderCancelled] = "督促メールの予約の取り消し",
        [MailReminderSent] = "督促メールの作成（送信キューへ）",
        [MailTemplateEdited] = "メール文面の編集",
        [MailToInvitee] = "1 団体への依頼・督促メールの送信",
        [MailBouncesRead] = "不達通知（バウンス）の確認",
        [SurveyUploaded] = "調査票のアップロード",
        [SurveyNextWave] = "次回調査の作成",
        [SurveyWordingSaved] = "調査票の文言の変更",
        [SurveyPublished] = "調査票の公開",
    };

    public static string Label(string action) => Labels.TryGetValue(action, out var l) ? l : action;
}

/// <summary>A page of the log as the console shows it (user names resolved).</summary>
public sealed record AuditRow(long Id, DateTime At, int? UserId, string? UserName, string Action, string? Target, string? Detail);

/// <summary>Filters of the audit page and its CSV export; dates are days in Japan, inclusive.</summary>
public sealed record AuditQuery(int? UserId, string? Action, DateOnly? From, DateOnly? To, int Page)
{
    public const int PageSize = 50;
}

/// <summary>
/// Writes and reads the insert-only audit log. Entries name things by reference (ids, field names, codes), never by a
/// personal value, so erasing a person never needs to touch the log.
/// </summary>
public sealed class AuditLog(ShirabeDb db, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    public static string User(int id) => "user:" + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Adds one entry and saves at once (inside the caller's transaction, if one is open on this context).</summary>
    public async Task WriteAsync(int? userId, string action, string? target, object? detail, CancellationToken cancel)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime, UserId = userId, Action = action, Target = target,
            Detail = detail is null ? null : JsonSerializer.Serialize(detail, Json),
        });
        await db.SaveChangesAsync(cancel);
    }

    private IQueryable<AuditEntry> Filtered(AuditQuery q)
    {
        var rows = db.AuditEntries.AsNoTracking();
        if (q.UserId is { } u) rows = rows.Where(e => e.UserId == u);
        if (q.Action is { } a) rows = rows.Where(e => e.Action == a);
        if (q.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), Japan).UtcDateTime;
            rows = rows.Where(e => e.At >= start);
        }
        if (q.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), Japan).UtcDateTime;
            rows = rows.Where(e => e.At < end);
        }
        return rows;
    }

    private IQueryable<AuditRow> Rows(IQueryable<AuditEntry> entries) =>
        from e in entries
        join u in db.AdminUsers on e.UserId equals u.Id into users
        from u in users.DefaultIfEmpty()
        orderby e.Id descending
        select new AuditRow(e.Id, e.At, e.UserId, u == null ? null : u.Name, e.Action, e.Target, e.Detail);

    /// <summary>One page, newest first, and the number of matching entries.</summary>
    public async Task<(List<AuditRow> Rows, int Total)> PageAsync(AuditQuery q, CancellationToken cancel)
    {
        var filtered = Filtered(q);
        var total = await filtered.CountAsync(cancel);
        var rows = await Rows(filtered).Skip((q.Page - 1) * AuditQuery.PageSize).Take(AuditQuery.PageSize).ToListAsync(cancel);
        return (rows, total);
    }

    /// <summary>Every matching entry as CSV (UTF-8 with a BOM, CRLF, quoted, formula-like text neutralised).</summary>
    public async Task WriteCsvAsync(AuditQuery q, Stream output, CancellationToken cancel)
    {
        await using var w = new StreamWriter(output, new UTF8Encoding(true), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await w.WriteLineAsync(Line(["番号", "日時（日本時間）", "ユーザーID", "ユーザー名", "操作コード", "操作", "対象", "詳細"]));
        await foreach (var r in Rows(Filtered(q)).AsAsyncEnumerable().WithCancellation(cancel))
            await w.WriteLineAsync(Line([r.Id.ToString(CultureInfo.InvariantCulture), Local(r.At),
                r.UserId?.ToString(CultureInfo.InvariantCulture) ?? "", r.UserName ?? "（コマンドライン）", r.Action,
                AuditAction.Label(r.Action), r.Target ?? "", r.Detail ?? ""]));
    }

    public static string Local(DateTime utc) =>
        new DateTimeOffset(utc, TimeSpan.Zero).ToOffset(Japan).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Line(IEnumerable<string> fields) =>
        string.Join(",", fields.Select(f => "\"" + Core.Responses.ResponsesCsv.SpreadsheetSafe(f).Replace("\"", "\"\"") + "\""));
}

/// <summary>The one line an audited feature adds: <c>await HttpContext.AuditAsync(AuditAction.X, target, new { … })</c>.</summary>
public static class AuditHttp
{
    /// <summary>Logs an action of the signed-in user (or of <paramref name="userId"/>, e.g. at sign-in).</summary>
    public static Task AuditAsync(this HttpContext http, string action, string? target = null, object? detail = null, int? userId = null) =>
        http.RequestServices.GetRequiredService<AuditLog>()
            .WriteAsync(userId ?? AdminAuth.UserId(http.User), action, target, detail, http.RequestAborted);
}

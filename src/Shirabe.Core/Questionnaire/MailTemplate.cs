namespace Shirabe.Core.Questionnaire;

/// <summary>
/// One mail's wording (survey.yaml `mail:`, docs/survey-format.md): a one-line subject and a plain-text body with
/// <c>{{placeholders}}</c> (<see cref="MailPlaceholder"/>). The app fills them in, once and without looking again at what it
/// put in, so a value holding <c>{{</c> stays text.
/// </summary>
public sealed record MailTemplate(string Subject, string Body);

/// <summary>The placeholders a mail template may use; anything else between <c>{{</c> and <c>}}</c> is an error.</summary>
public static class MailPlaceholder
{
    public const string Organisation = "団体名";
    public const string Contact = "担当者名";
    public const string Link = "回答URL";
    public const string Deadline = "回答期限";
    public const string Secretariat = "事務局連絡先";
    public const string SurveyTitle = "調査名";
    public const string Privacy = "個人情報の取扱い";

    public static readonly IReadOnlyList<string> All = [Organisation, Contact, Link, Deadline, Secretariat, SurveyTitle, Privacy];

    /// <summary>Placeholders that stand for an address (rendered as a link in HTML).</summary>
    public static bool IsUrl(string name) => name is Link or Privacy;

    public static string Written(string name) => "{{" + name + "}}";
}

/// <summary>A piece of a template: literal text, or a placeholder's name (at <see cref="Offset"/> in the template).</summary>
public readonly record struct MailSegment(string Text, bool IsPlaceholder, int Offset);

/// <summary>A problem in a template's text, at a character offset of it.</summary>
public readonly record struct MailTemplateProblem(int Offset, string Message);

/// <summary>Splits template text into literal text and placeholders (the loader's check and the renderer share it).</summary>
public static class MailTemplateText
{
    /// <summary>The segments of <paramref name="text"/>, and every problem (unknown placeholder, <c>{{</c> not closed).</summary>
    public static (List<MailSegment> Segments, List<MailTemplateProblem> Problems) Parse(string text)
    {
        var segments = new List<MailSegment>();
        var problems = new List<MailTemplateProblem>();
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0) break;
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            var nextOpen = text.IndexOf("{{", open + 2, StringComparison.Ordinal);
            if (close < 0 || nextOpen >= 0 && nextOpen < close || text.AsSpan(open, close - open).Contains('\n'))
            {
                problems.Add(new(open, "「{{」が「}}」で閉じていません（差し込み項目は {{団体名}} のように書きます）。"));
                if (open > at) segments.Add(new(text[at..open], false, at));
                segments.Add(new("{{", false, open));
                at = open + 2;
                continue;
            }
            if (open > at) segments.Add(new(text[at..open], false, at));
            var name = text[(open + 2)..close].Trim();
            if (!MailPlaceholder.All.Contains(name))
                problems.Add(new(open, $"差し込み項目「{text[open..(close + 2)]}」は使えません（使える項目: {string.Join("、", MailPlaceholder.All.Select(MailPlaceholder.Written))}）。"));
            segments.Add(new(name, true, open));
            at = close + 2;
        }
        if (at < text.Length) segments.Add(new(text[at..], false, at));
        return (segments, problems);
    }

    public static bool Uses(string text, string placeholder) =>
        Parse(text).Segments.Any(s => s.IsPlaceholder && s.Text == placeholder);
}

/// <summary>
/// The survey's mail templates (survey.yaml `mail:`). A kind the survey does not define uses <see cref="Defaults"/>:
/// generic Japanese wording that names no particular survey or organisation.
/// </summary>
public sealed record SurveyMail(MailTemplate? Invitation, MailTemplate? Reminder, MailTemplate? Receipt)
{
    public const string InvitationKind = "invitation", ReminderKind = "reminder", ReceiptKind = "receipt";
    public static readonly IReadOnlyList<string> Kinds = [InvitationKind, ReminderKind, ReceiptKind];

    /// <summary>The Japanese name of a kind, for messages and the console.</summary>
    public static string KindName(string kind) => kind switch
    {
        InvitationKind => "依頼メール",
        ReminderKind => "督促メール",
        ReceiptKind => "受付メール",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown mail kind"),
    };

    public static readonly SurveyMail None = new(null, null, null);

    /// <summary>The survey's own template of <paramref name="kind"/>, or null.</summary>
    public MailTemplate? Defined(string kind) => kind switch
    {
        InvitationKind => Invitation,
        ReminderKind => Reminder,
        ReceiptKind => Receipt,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown mail kind"),
    };

    /// <summary>The template used for <paramref name="kind"/>: the survey's, else the default.</summary>
    public MailTemplate For(string kind) => Defined(kind) ?? Default(kind);

    public static MailTemplate Default(string kind) => kind switch
    {
        InvitationKind => DefaultInvitation,
        ReminderKind => DefaultReminder,
        ReceiptKind => DefaultReceipt,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown mail kind"),
    };

    public static readonly MailTemplate DefaultInvitation = new("【ご協力のお願い】{{調査名}}", """
        {{団体名}}
        {{担当者名}} 様

        平素より大変お世話になっております。
        このたび「{{調査名}}」を実施いたします。ご多忙のところ恐縮ですが、ご協力をお願い申し上げます。

        下記のリンクから回答画面を開き、{{回答期限}}までにご回答ください。
        {{回答URL}}

        このリンクは{{団体名}}様専用です。回答は途中で保存し、後から続きを入力できます。
        社内でご確認いただく場合を除き、リンクの転送はお控えください。

        ご回答内容を含む個人情報の取扱いについては、次のページをご覧ください。
        {{個人情報の取扱い}}

        本調査に関するお問い合わせ先:
        {{事務局連絡先}}
        """);

    public static readonly MailTemplate DefaultReminder = new("【ご回答のお願い】{{調査名}}", """
        {{団体名}}
        {{担当者名}} 様

        先日ご案内いたしました「{{調査名}}」について、現時点でご回答の送信が確認できておりませんので、
        あらためてご案内いたします。回答期限は{{回答期限}}です。

        下記のリンクから回答画面を開いてください（途中まで入力した内容は保存されています）。
        {{回答URL}}

        本メールと行き違いにご回答いただいている場合は、ご容赦ください。

        ご回答内容を含む個人情報の取扱いについては、次のページをご覧ください。
        {{個人情報の取扱い}}

        本調査に関するお問い合わせ先:
        {{事務局連絡先}}
        """);

    public static readonly MailTemplate DefaultReceipt = new("【回答受付】{{調査名}}", """
        {{団体名}}
        {{担当者名}} 様

        「{{調査名}}」にご回答いただき、誠にありがとうございました。
        ご回答を受け付けましたので、お知らせいたします。

        ご回答内容を含む個人情報の取扱いについては、次のページをご覧ください。
        {{個人情報の取扱い}}

        本調査に関するお問い合わせ先:
        {{事務局連絡先}}
        """);
}

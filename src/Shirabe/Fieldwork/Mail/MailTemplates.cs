using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using Shirabe.Core.Questionnaire;
using Shirabe.Respond;

namespace Shirabe.Fieldwork.Mail;

/// <summary>Who a mail is for, as the roster has it: the organisation, its contact person, the address(es) and cc.</summary>
public sealed record MailRecipient(string Organisation, string? Contact, string Email, string? Cc = null);

/// <summary>A template filled in: the subject, the plain-text body and the HTML body made from the same template.</summary>
public sealed record RenderedMail(string Subject, string Text, string Html);

/// <summary>A template that cannot be filled in (unknown placeholder, no privacy notice to link to, no link for an invitation).</summary>
public sealed class MailTemplateError(string message) : Core.UserError(message);

/// <summary>
/// Fills a survey's mail templates (survey.yaml `mail:`, else <see cref="SurveyMail"/>'s defaults) for one invitee
/// (docs/decisions/042-recoverable-links-and-mail-templates.md). Each placeholder is filled once, in one pass, and encoded
/// for where it lands: as it is in the text body, HTML-escaped in the HTML body (addresses as links), and refused in the
/// subject or a recipient's name when it holds a line break or another control character.
/// </summary>
public static partial class MailTemplates
{
    /// <summary>What a reminder says in place of <c>{{回答URL}}</c> when the link cannot be made again (no link key, or an old random link).</summary>
    public const string NoLinkText = "（回答用のリンクは最初のご案内メールに記載しています。お手元にない場合は、お手数ですが事務局までご連絡ください。新しいリンクを発行してお送りします。）";

    /// <summary>The mail of <paramref name="kind"/> for <paramref name="to"/>, ready for <see cref="Outbox.Add(int, string, MailContent)"/>.</summary>
    /// <param name="answerUrl">The invitee's personal link (absolute), or null when it cannot be mailed again (refused for an invitation).</param>
    /// <param name="siteUrl">The public address of the site (<c>https://survey.example.jp/</c>): the privacy notice's link is made from it.</param>
    public static MailContent Content(Survey survey, string kind, MailRecipient to, string? answerUrl, Uri siteUrl)
    {
        var mail = Render(survey, kind, survey.Mail.For(kind), to, answerUrl, siteUrl);
        return new MailContent(Recipients(to), mail.Subject, mail.Text, mail.Html, string.IsNullOrWhiteSpace(to.Cc) ? null : to.Cc);
    }

    /// <summary>
    /// The console's preview: <paramref name="template"/> (the text being edited; null: the survey's own or the default)
    /// filled with a real invitee's data. Without a link, a sample address shows where the personal link goes.
    /// </summary>
    public static RenderedMail Preview(Survey survey, string kind, MailTemplate? template, MailRecipient sample, string? answerUrl, Uri siteUrl) =>
        Render(survey, kind, template ?? survey.Mail.For(kind), sample,
            answerUrl ?? new Uri(siteUrl, InvitationTokens.Path(new string('x', InvitationTokens.Length))).AbsoluteUri, siteUrl);

    /// <summary>Fills <paramref name="template"/>. Throws <see cref="MailTemplateError"/> or <see cref="MailHeaderError"/>.</summary>
    public static RenderedMail Render(Survey survey, string kind, MailTemplate template, MailRecipient to, string? answerUrl, Uri siteUrl)
    {
        var parsed = Checked(template, kind);
        var values = SharedValues(survey, parsed, siteUrl);
        foreach (var (name, value) in RowValues(kind, parsed, to, answerUrl)) values[name] = value;
        return Fill(parsed, values);
    }

    /// <summary>
    /// Fills <paramref name="template"/> with every placeholder's value (null for <c>{{回答URL}}</c>: <see cref="NoLinkText"/>):
    /// what <see cref="Render"/> does after its checks, and what a queued mail of a run is rendered with when it is sent
    /// or shown (decision 077), so both give the same bytes. Throws <see cref="MailTemplateError"/> or <see cref="MailHeaderError"/>.
    /// </summary>
    public static RenderedMail Fill(MailTemplate template, string kind, IReadOnlyDictionary<string, string?> values) =>
        Fill(Checked(template, kind), values);

    internal static RenderedMail Fill(ParsedTemplate template, IReadOnlyDictionary<string, string?> values)
    {
        var subject = Subject(template, values);
        var text = new StringBuilder();
        var html = new StringBuilder(); // '\n' marks a line break; markup and encoded text never hold one
        foreach (var s in template.Body.Segments)
        {
            if (!s.IsPlaceholder)
            {
                text.Append(s.Text);
                html.Append(WebUtility.HtmlEncode(s.Text));
                continue;
            }
            var value = values.GetValueOrDefault(s.Text);
            if (value is null)
            {
                text.Append(NoLinkText);
                html.Append(WebUtility.HtmlEncode(NoLinkText));
                continue;
            }
            value = value.ReplaceLineEndings("\n");
            text.Append(value);
            html.Append(MailPlaceholder.IsUrl(s.Text)
                ? $"<a href=\"{WebUtility.HtmlEncode(value)}\">{WebUtility.HtmlEncode(value)}</a>"
                : WebUtility.HtmlEncode(value));
        }
        var paragraphs = Paragraphs().Split(html.ToString().Trim('\n'))
            .Select(p => "<p>" + p.Replace("\n", "<br>\n", StringComparison.Ordinal) + "</p>");
        var document = $"""
            <!DOCTYPE html>
            <html lang="ja">
            <head><meta charset="utf-8"><title>{WebUtility.HtmlEncode(subject)}</title></head>
            <body style="font-family: sans-serif; line-height: 1.7;">
            {string.Join("\n", paragraphs)}
            </body>
            </html>
            """;
        return new RenderedMail(subject, text.ToString(), document);
    }

    /// <summary>The subject filled in, refused when a value would put a line break or a control character into the header.</summary>
    internal static string Subject(ParsedTemplate template, IReadOnlyDictionary<string, string?> values)
    {
        var subject = new StringBuilder();
        foreach (var s in template.Subject.Segments)
        {
            if (!s.IsPlaceholder) { subject.Append(s.Text); continue; }
            var value = values.GetValueOrDefault(s.Text) ?? NoLinkText;
            if (HasControl(value))
                throw new MailHeaderError($"{MailPlaceholder.Written(s.Text)} の値「{Shown(value)}」に改行や制御文字が含まれているため、件名に差し込めません。名簿や調査票の値を直してください。メールは作成していません。");
            subject.Append(value);
        }
        var text = subject.ToString();
        MailHeaders.RefuseLineBreaks("Subject", text);
        return text;
    }

    /// <summary>A template parsed (once per instance), or the <see cref="MailTemplateError"/> listing its problems.</summary>
    internal static ParsedTemplate Checked(MailTemplate template, string kind)
    {
        var parsed = ParsedTemplates.GetValue(template, Parse);
        if (parsed.Problems.Count > 0)
            throw new MailTemplateError($"{SurveyMail.KindName(kind)}のテンプレートに誤りがあります:\n" + string.Join("\n", parsed.Problems));
        return parsed;
    }

    /// <summary>A template split into text and placeholders, with its problems.</summary>
    internal sealed record ParsedTemplate(
        (List<MailSegment> Segments, List<MailTemplateProblem> Problems) Subject,
        (List<MailSegment> Segments, List<MailTemplateProblem> Problems) Body,
        List<string> Problems)
    {
        public bool Uses(string placeholder) =>
            Body.Segments.Any(s => s.IsPlaceholder && s.Text == placeholder) || Subject.Segments.Any(s => s.IsPlaceholder && s.Text == placeholder);
    }

    /// <summary>
    /// Each template parsed once (a survey's templates are the same instances for every mail of a run of tens of
    /// thousands); an edited template in the preview is a new instance, dropped with it.
    /// </summary>
    private static readonly ConditionalWeakTable<MailTemplate, ParsedTemplate> ParsedTemplates = new();

    private static ParsedTemplate Parse(MailTemplate template)
    {
        var subject = MailTemplateText.Parse(template.Subject);
        var body = MailTemplateText.Parse(template.Body);
        var problems = subject.Problems.Select(p => "件名: " + p.Message).Concat(body.Problems.Select(p => "本文: " + p.Message)).ToList();
        if (template.Subject.Contains('\n')) problems.Add("件名は 1 行で書いてください。");
        return new ParsedTemplate(subject, body, problems);
    }

    /// <summary>The closing date as a Japanese reader writes it: 2023年12月15日（金）.</summary>
    public static string Deadline(SurveyPeriod period)
    {
        // The last moment answers are accepted, in the survey's time zone (the close date is inclusive).
        var last = TimeZoneInfo.ConvertTime(period.ClosesAt.AddTicks(-1), period.TimeZone);
        return string.Create(CultureInfo.InvariantCulture, $"{last.Year}年{last.Month}月{last.Day}日（{"日月火水木金土"[(int)last.DayOfWeek]}）");
    }

    /// <summary>The To header: the roster's address(es), with the contact's name when there is one address.</summary>
    public static string Recipients(MailRecipient to)
    {
        var list = MailHeaders.Addresses("To", to.Email);
        if (list.Count == 0) throw new MailHeaderError("宛先のメールアドレスがありません。メールは作成していません。");
        if (list.Count == 1 && list[0] is MailboxAddress only && !string.IsNullOrWhiteSpace(to.Contact))
        {
            if (HasControl(to.Contact))
                throw new MailHeaderError($"担当者名「{Shown(to.Contact)}」に改行や制御文字が含まれているため、宛先に使えません。名簿の値を直してください。メールは作成していません。");
            return new InternetAddressList { new MailboxAddress(to.Contact.Trim(), only.Address) }.ToString();
        }
        return list.ToString();
    }

    /// <summary>The values every mail of a survey and kind shares (a run's snapshot stores them). Throws <see cref="MailTemplateError"/>.</summary>
    internal static Dictionary<string, string?> SharedValues(Survey survey, ParsedTemplate template, Uri siteUrl)
    {
        string? privacy = null;
        if (template.Uses(MailPlaceholder.Privacy))
        {
            if (survey.Privacy is null)
                throw new MailTemplateError("調査票に privacy（個人情報の取扱い）がないため、メールに載せる {{個人情報の取扱い}} のリンク先がありません。survey.yaml に privacy を書いてください。メールは作成していません。");
            privacy = Absolute(new Uri(siteUrl, PrivacyModel.PathFor(survey)).AbsoluteUri, "サイトのアドレス"); // this survey's notice
        }
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [MailPlaceholder.Deadline] = Deadline(survey.Period),
            [MailPlaceholder.Secretariat] = survey.Contact ?? survey.Owner ?? "事務局",
            [MailPlaceholder.SurveyTitle] = survey.Title,
            [MailPlaceholder.Privacy] = privacy,
        };
    }

    /// <summary>The values that differ from invitee to invitee (a queued mail stores them). Throws <see cref="MailTemplateError"/>.</summary>
    internal static Dictionary<string, string?> RowValues(string kind, ParsedTemplate template, MailRecipient to, string? answerUrl)
    {
        if (answerUrl is not null) answerUrl = Absolute(answerUrl, "回答用のリンク");
        else if (kind == SurveyMail.InvitationKind && template.Uses(MailPlaceholder.Link))
            throw new MailTemplateError("依頼メールには回答用のリンクが必要です。リンクを発行してから送ってください。メールは作成していません。");
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [MailPlaceholder.Organisation] = to.Organisation.Trim(),
            [MailPlaceholder.Contact] = string.IsNullOrWhiteSpace(to.Contact) ? "ご担当者" : to.Contact.Trim(),
            [MailPlaceholder.Link] = answerUrl,
        };
    }

    /// <summary>An absolute http(s) address without spaces or control characters (what goes into href).</summary>
    private static string Absolute(string url, string what) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && !url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? url : throw new MailTemplateError($"{what}「{Shown(url)}」は http:// か https:// で始まるアドレスではありません。メールは作成していません。");

    private static bool HasControl(string value) =>
        value.Any(c => c is '\u0085' or '\u2028' or '\u2029' || char.IsControl(c));

    /// <summary>A value in a message, its control characters made visible.</summary>
    private static string Shown(string value) =>
        string.Concat(value.Take(80).Select(c => c switch { '\r' => "\\r", '\n' => "\\n", _ when char.IsControl(c) => $"\\u{(int)c:x4}", _ => c.ToString() }));

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex Paragraphs();
}

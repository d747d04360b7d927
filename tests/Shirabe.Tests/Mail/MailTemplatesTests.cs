using System.Text.RegularExpressions;
using MimeKit;
using Shirabe.Core.Questionnaire;
using Shirabe.Fieldwork.Mail;

namespace Shirabe.Tests.Mail;

/// <summary>Filling the mail templates (docs/decisions/042): the defaults, encoding per context, refusals, the preview.</summary>
public sealed class MailTemplatesTests
{
    private static readonly Uri Site = new("https://survey.example.jp/");
    private const string Link = "https://survey.example.jp/a/AbCdEfGhIjKlMnOpQrStUv_-";
    private static readonly Survey Sc3 = SurveyLoader.LoadFile(ReportFixtures.SurveyDir);
    private static readonly MailRecipient Yamada = new("一般社団法人テスト工業会", "山田 太郎", "yamada@example.jp", "sato@example.jp");

    private static Survey WithMail(string mail) => SurveyLoader.Load(
        File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "survey.yaml")) + "\nmail:\n" + mail);

    [Fact]
    public void TheDefaultInvitation_CarriesEveryValue_InTextAndHtml()
    {
        var mail = MailTemplates.Content(Sc3, MailKind.Invitation, Yamada, Link, Site);

        Assert.Equal("【ご協力のお願い】" + Sc3.Title, mail.Subject);
        Assert.StartsWith("一般社団法人テスト工業会\n山田 太郎 様\n\n", mail.Text, StringComparison.Ordinal);
        Assert.Contains("2023年12月15日（金）までにご回答ください。\n" + Link + "\n", mail.Text, StringComparison.Ordinal);
        Assert.Contains("https://survey.example.jp/survey/privacy?survey=sc3-2023\n", mail.Text, StringComparison.Ordinal); // this survey's notice
        Assert.EndsWith(Sc3.Contact!, mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", mail.Text, StringComparison.Ordinal);

        Assert.Contains($"<a href=\"{Link}\">{Link}</a>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://survey.example.jp/survey/privacy?survey=sc3-2023\">https://survey.example.jp/survey/privacy?survey=sc3-2023</a>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("<p>一般社団法人テスト工業会<br>\n山田 太郎 様</p>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"ja\">", mail.Html, StringComparison.Ordinal);
        Assert.Equal(6, Regex.Matches(mail.Html!, "<p>").Count); // the default's six paragraphs

        // The outbox's own checks accept it: the contact's name rides on the address, the cc as typed.
        var to = MailHeaders.Addresses("To", mail.To).Mailboxes.Single();
        Assert.Equal(("山田 太郎", "yamada@example.jp"), (to.Name, to.Address));
        Assert.Equal("sato@example.jp", mail.Cc);
    }

    [Fact]
    public void HostileValues_AreTextInTheTextBody_EscapedInHtml_AndNeverReadAsPlaceholders()
    {
        var org = "<script>alert('x')</script> & \"{{回答URL}}\" {{個人情報の取扱い}}";
        var mail = MailTemplates.Content(Sc3, MailKind.Invitation, Yamada with { Organisation = org, Contact = "<b>山田</b>" }, Link, Site);

        Assert.StartsWith(org + "\n<b>山田</b> 様", mail.Text, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(mail.Text!, Regex.Escape(Link))); // the organisation's {{回答URL}} stayed text
        Assert.DoesNotContain("<script>", mail.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", mail.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;{{回答URL}}&quot; {{個人情報の取扱い}}", mail.Html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(mail.Html!, "href=\"" + Regex.Escape(Link)));

        // The name is quoted by MimeKit, never able to add a header or a second address.
        var to = MailHeaders.Addresses("To", mail.To).Mailboxes.Single();
        Assert.Equal(("<b>山田</b>", "yamada@example.jp"), (to.Name, to.Address));
    }

    [Fact]
    public void ALineBreakInAValue_IsKeptInTheBody_ButRefusedInTheSubjectAndTheRecipientName()
    {
        var survey = WithMail("""
              invitation:
                subject: "{{団体名}} 御中: ご協力のお願い"
                body: "{{回答URL}} {{個人情報の取扱い}}"
            """);
        var e = Assert.Throws<MailHeaderError>(() => MailTemplates.Content(survey, MailKind.Invitation,
            Yamada with { Organisation = "テスト工業会\r\nBcc: everyone@example.jp" }, Link, Site));
        Assert.Equal("{{団体名}} の値「テスト工業会\\r\\nBcc: everyone@example.jp」に改行や制御文字が含まれているため、件名に差し込めません。"
                     + "名簿や調査票の値を直してください。メールは作成していません。", e.Message);

        var name = Assert.Throws<MailHeaderError>(() => MailTemplates.Content(Sc3, MailKind.Invitation, Yamada with { Contact = "山田\n太郎" }, Link, Site));
        Assert.Contains("担当者名「山田\\n太郎」に改行や制御文字", name.Message, StringComparison.Ordinal);

        // In the default (whose subject has only the survey title), the body keeps the value's lines.
        var mail = MailTemplates.Content(Sc3, MailKind.Invitation, Yamada with { Organisation = "テスト工業会\r\n情報部会" }, Link, Site);
        Assert.StartsWith("テスト工業会\n情報部会\n山田 太郎 様", mail.Text, StringComparison.Ordinal);
        Assert.StartsWith("<p>テスト工業会<br>\n情報部会<br>\n山田 太郎 様", mail.Html![mail.Html!.IndexOf("<p>", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralAddresses_GoAsTyped_WithoutAName_AndABrokenAddressIsRefused()
    {
        var mail = MailTemplates.Content(Sc3, MailKind.Reminder, Yamada with { Email = "a@example.jp; b@example.jp" }, Link, Site);
        Assert.Equal([("", "a@example.jp"), ("", "b@example.jp")],
            MailHeaders.Addresses("To", mail.To).Mailboxes.Select(m => (m.Name ?? "", m.Address)));
        Assert.Throws<MailHeaderError>(() => MailTemplates.Content(Sc3, MailKind.Reminder, Yamada with { Email = "a@example.jp\r\nBcc: c@example.jp" }, Link, Site));
        Assert.Throws<MailHeaderError>(() => MailTemplates.Content(Sc3, MailKind.Reminder, Yamada with { Email = " " }, Link, Site));
    }

    [Fact]
    public void AReminderWithoutALink_SaysHowToGetOne_AndAnInvitationWithoutOneIsRefused()
    {
        var reminder = MailTemplates.Content(Sc3, MailKind.Reminder, Yamada, answerUrl: null, Site);
        Assert.Contains(MailTemplates.NoLinkText, reminder.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/a/", reminder.Text, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(reminder.Html!, "<a href=")); // only the privacy notice

        var e = Assert.Throws<MailTemplateError>(() => MailTemplates.Content(Sc3, MailKind.Invitation, Yamada, answerUrl: null, Site));
        Assert.StartsWith("依頼メールには回答用のリンクが必要です", e.Message, StringComparison.Ordinal);

        // A receipt's default has no link at all.
        var receipt = MailTemplates.Content(Sc3, MailKind.Receipt, Yamada, answerUrl: null, Site);
        Assert.DoesNotContain(MailTemplates.NoLinkText, receipt.Text, StringComparison.Ordinal);
        Assert.StartsWith("【回答受付】", receipt.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void ASurveyWithoutAPrivacyNotice_CannotMail_BecauseEveryMailLinksToIt()
    {
        var other = SurveyLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "test-surveys", "member-self-assessment"));
        Assert.Null(other.Privacy);
        var e = Assert.Throws<MailTemplateError>(() => MailTemplates.Content(other, MailKind.Invitation, Yamada, Link, Site));
        Assert.Contains("privacy（個人情報の取扱い）がない", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/a/relative")]
    [InlineData("https://survey.example.jp/a/x\" onmouseover=\"x")]
    public void ALinkThatIsNotAnHttpAddress_IsRefused(string url)
    {
        var e = Assert.Throws<MailTemplateError>(() => MailTemplates.Content(Sc3, MailKind.Invitation, Yamada, url, Site));
        Assert.Contains("http:// か https:// で始まるアドレスではありません", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Preview_FillsTheTemplateBeingEdited_WithARealInvitee_AndReportsItsMistakes()
    {
        var edited = new MailTemplate("{{調査名}}（{{団体名}}）", "{{担当者名}} 様\n{{回答URL}}\n{{個人情報の取扱い}}");
        var preview = MailTemplates.Preview(Sc3, MailKind.Invitation, edited, Yamada with { Contact = null }, answerUrl: null, Site);
        Assert.Equal($"{Sc3.Title}（一般社団法人テスト工業会）", preview.Subject);
        Assert.Equal("ご担当者 様\nhttps://survey.example.jp/a/xxxxxxxxxxxxxxxxxxxxxxxx\nhttps://survey.example.jp/survey/privacy?survey=sc3-2023", preview.Text);

        var bad = new MailTemplate("{{会社名}}", "{{回答URL}} {{個人情報の取扱い\n");
        var e = Assert.Throws<MailTemplateError>(() => MailTemplates.Preview(Sc3, MailKind.Reminder, bad, Yamada, Link, Site));
        Assert.StartsWith("督促メールのテンプレートに誤りがあります:\n件名: 差し込み項目「{{会社名}}」は使えません", e.Message, StringComparison.Ordinal);
        Assert.Contains("本文: 「{{」が「}}」で閉じていません", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDeadline_IsTheLastDayInTheSurveysTimeZone()
    {
        Assert.Equal("2023年12月15日（金）", MailTemplates.Deadline(Sc3.Period));
        var honolulu = new SurveyPeriod(new DateOnly(2024, 6, 1), new DateOnly(2024, 6, 30), TimeZoneInfo.FindSystemTimeZoneById("Pacific/Honolulu"));
        Assert.Equal("2024年6月30日（日）", MailTemplates.Deadline(honolulu));
    }

    [Fact]
    public void AMimeMessage_MadeFromTheContent_KeepsSubjectNameAndBothBodies()
    {
        var content = MailTemplates.Content(Sc3, MailKind.Reminder, Yamada, Link, Site);
        var message = new MimeMessage { Subject = content.Subject, Body = new BodyBuilder { TextBody = content.Text, HtmlBody = content.Html }.ToMessageBody() };
        message.To.AddRange(InternetAddressList.Parse(content.To));
        MailHeaders.Check(message);
        Assert.Equal("山田 太郎", message.To.Mailboxes.Single().Name);
        Assert.Equal(content.Text, message.TextBody);
    }
}

using Shirabe.Core.Questionnaire;

namespace Shirabe.Core.Tests;

/// <summary>survey.yaml `mail:` (docs/survey-format.md, Mail templates): defaults, placeholders checked where written.</summary>
public class MailTemplateLoaderTests
{
    private const string Head = """
        id: m
        title: テスト調査
        period: { opens: 2024-06-01, closes: 2024-06-30, timeZone: Asia/Tokyo }
        sections:
          - id: A
            title: 基本
            questions:
              - { code: Q1, kind: text, prompt: ご意見 }

        """;

    private static Survey Load(string mail) => SurveyLoader.Load(Head + mail);

    [Fact]
    public void WithoutAMailSection_EveryKindUsesTheGenericDefault_WhichLinksToTheNoticeAndNamesNoSurvey()
    {
        var s = Load("");
        Assert.Same(SurveyMail.None, s.Mail);
        foreach (var kind in SurveyMail.Kinds)
        {
            var t = s.Mail.For(kind);
            Assert.Same(SurveyMail.Default(kind), t);
            Assert.True(MailTemplateText.Uses(t.Body, MailPlaceholder.Privacy), kind);
            Assert.Empty(MailTemplateText.Parse(t.Subject).Problems);
            Assert.Empty(MailTemplateText.Parse(t.Body).Problems);
            Assert.DoesNotContain("SC3", t.Subject + t.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("IPA", t.Subject + t.Body, StringComparison.Ordinal);
        }
        Assert.True(MailTemplateText.Uses(SurveyMail.DefaultInvitation.Body, MailPlaceholder.Link));
        Assert.True(MailTemplateText.Uses(SurveyMail.DefaultReminder.Body, MailPlaceholder.Link));
    }

    [Fact]
    public void ADefinedTemplate_IsUsed_AndTheOthersFallBackToTheDefaults()
    {
        var s = Load("""
            mail:
              reminder:
                subject: "【再送】{{調査名}}"
                body: |
                  {{団体名}} {{担当者名}} 様
                  期限は {{ 回答期限 }} です。
                  {{回答URL}}
                  {{個人情報の取扱い}}

            """);
        Assert.Equal("【再送】{{調査名}}", s.Mail.For(SurveyMail.ReminderKind).Subject);
        // Trimmed, line ends as \n; spaces inside the braces are allowed.
        Assert.Equal("{{団体名}} {{担当者名}} 様\n期限は {{ 回答期限 }} です。\n{{回答URL}}\n{{個人情報の取扱い}}", s.Mail.For(SurveyMail.ReminderKind).Body);
        Assert.True(MailTemplateText.Uses(s.Mail.Reminder!.Body, MailPlaceholder.Deadline));
        Assert.Null(s.Mail.Invitation);
        Assert.Same(SurveyMail.DefaultInvitation, s.Mail.For(SurveyMail.InvitationKind));
        Assert.Same(SurveyMail.DefaultReceipt, s.Mail.For(SurveyMail.ReceiptKind));
    }

    [Fact]
    public void AnUnknownPlaceholderInABlockBody_IsReportedAtItsOwnLineAndColumn()
    {
        // Head is 8 lines: mail: is line 9.
        var e = Assert.Throws<SurveyDefinitionException>(() => Load("""
            mail:
              invitation:
                subject: ご案内
                body: |
                  {{団体名}} 様
                  リンク: {{回答URL}}
                  締切: {{締切日}}
                  {{個人情報の取扱い}}

            """));
        var p = Assert.Single(e.Problems);
        Assert.Equal(15, p.Line);
        Assert.Equal(11, p.Column); // after "      締切: "
        Assert.Contains("差し込み項目「{{締切日}}」は使えません", p.Message, StringComparison.Ordinal);
        Assert.Contains("{{団体名}}", p.Message, StringComparison.Ordinal); // lists the ones that exist
        Assert.StartsWith("mail.invitation.body:", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABodyStartingWithBlankLines_StillPlacesEachProblemOnItsLine()
    {
        var e = Assert.Throws<SurveyDefinitionException>(() => Load("mail:\n  receipt:\n    subject: a\n    body: |\n\n\n      {{個人情報の取扱い}}\n      {{x}} {{x}}\n      {{y}}\n"));
        Assert.Equal([(16L, 7L), (16L, 13L), (17L, 7L)], e.Problems.Select(p => (p.Line, p.Column)));
    }

    [Fact]
    public void AnUnknownPlaceholderInAQuotedSubject_IsReportedAtItsColumn()
    {
        var e = Assert.Throws<SurveyDefinitionException>(() => Load("""
            mail:
              receipt:
                subject: "受付 {{会社名}}"
                body: "{{個人情報の取扱い}}"

            """));
        var p = Assert.Single(e.Problems);
        Assert.Equal((11L, 18L), (p.Line, p.Column)); // after '    subject: "受付 '
        Assert.Contains("{{会社名}}", p.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  invitation:\n    subject: a\n    body: \"{{回答URL}} {{個人情報の取扱い}}\"\n    footer: x\n", "不明なキー「footer」")]
    [InlineData("  thanks:\n    subject: a\n    body: b\n", "不明なキー「thanks」")]
    [InlineData("  invitation:\n    subject: a\n", "mail.invitation に body がありません")]
    [InlineData("  invitation:\n    subject: \" \"\n    body: \"{{回答URL}} {{個人情報の取扱い}}\"\n", "mail.invitation.subject が空です")]
    [InlineData("  invitation:\n    subject: \"a\\nBcc: x@example.jp\"\n    body: \"{{回答URL}} {{個人情報の取扱い}}\"\n", "1 行で書いてください")]
    [InlineData("  invitation:\n    subject: \"{{回答URL}}\"\n    body: \"{{回答URL}} {{個人情報の取扱い}}\"\n", "件名に {{回答URL}} は使えません")]
    [InlineData("  invitation:\n    subject: a\n    body: \"{{回答URL}}\"\n", "{{個人情報の取扱い}}（個人情報の取扱いのページへのリンク）を入れてください")]
    [InlineData("  reminder:\n    subject: a\n    body: \"{{個人情報の取扱い}}\"\n", "{{回答URL}}（回答用のリンク）を入れてください")]
    [InlineData("  receipt:\n    subject: a\n    body: \"{{個人情報の取扱い}} {{団体名\"\n", "「{{」が「}}」で閉じていません")]
    [InlineData("  receipt: hello\n", "mail.receipt は「キー: 値」のマッピングで")]
    public void BrokenTemplates_AreReportedWithALine(string mail, string message)
    {
        var e = Assert.Throws<SurveyDefinitionException>(() => Load("mail:\n" + mail));
        Assert.Contains(e.Problems, p => p.Message.Contains(message, StringComparison.Ordinal) && p.Line >= 9);
    }

    [Fact]
    public void AReceiptNeedsNoLink()
    {
        var s = Load("mail:\n  receipt:\n    subject: ありがとうございました\n    body: \"{{個人情報の取扱い}}\"\n");
        Assert.Equal("ありがとうございました", s.Mail.Receipt!.Subject);
    }

    [Fact]
    public void Parse_SplitsTextAndPlaceholders_AndLeavesALoneClosingBraceAlone()
    {
        var (segments, problems) = MailTemplateText.Parse("A{{団体名}}B}}C{{ 調査名 }}");
        Assert.Empty(problems);
        Assert.Equal([("A", false), ("団体名", true), ("B}}C", false), ("調査名", true)], segments.Select(s => (s.Text, s.IsPlaceholder)));
        Assert.Equal([0, 1, 8, 12], segments.Select(s => s.Offset));
    }
}

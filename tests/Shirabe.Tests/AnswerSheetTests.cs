using Shirabe.Core.Questionnaire;
using Shirabe.Respond;

namespace Shirabe.Tests;

/// <summary>The answer sheet template (Respond/AnswerSheet.razor) on its own: what it encodes and how it lays answers out.</summary>
public class AnswerSheetTests
{
    private static readonly Survey Survey = ReportFixtures.Survey();

    private static Answer[] NoAnswers() => Enumerable.Repeat(Answer.NoAnswer, Survey.Items.Count).ToArray();

    [Fact]
    public async Task ATextAnswer_IsEncoded_WithItsLineBreaksKept()
    {
        var answers = NoAnswers();
        answers[Survey["1-2-a"].Index] = Answer.FromText("一行目\n<b>二行目</b> & \"三\"");

        var html = await AnswerSheet.RenderAsync(Survey, answers);

        Assert.Contains("<dt>1-2-a) 団体名・協会名</dt><dd><p class=\"text-answer\">一行目<br>&lt;b&gt;二行目&lt;/b&gt; &amp; &quot;三&quot;</p></dd>", html);
        Assert.DoesNotContain("<b>", html);
    }

    [Fact]
    public async Task TheReviewSheet_LinksEachSection_AndSaysWhatWasNotAsked()
    {
        var answers = NoAnswers();
        answers[Survey["4-1-a"].Index] = Answer.Single(1);

        var html = await AnswerSheet.RenderAsync(Survey, answers, s => $"/a/t/s/{s.Id}");

        Assert.Contains("<section class=\"sheet-section\" aria-labelledby=\"sheet-4\"><h2 id=\"sheet-4\">4 ", html);
        Assert.Contains("<p class=\"edit\"><a href=\"/a/t/s/4\">「", html);
        Assert.Contains("<dt>4-1-b) 意向無しの場合の理由</dt><dd><span class=\"muted not-asked\">（対象外）</span></dd>", html);
        Assert.Equal(Survey.Sections.Count, html.Split("<p class=\"edit\">").Length - 1);
    }

    [Fact]
    public async Task TheBlankSheet_ListsTheChoices_TheSplitsTotal_AndWhenToAnswer()
    {
        var html = await AnswerSheet.RenderAsync(Survey, null);

        Assert.Contains("<dt>4-1-b) 意向無しの場合の理由<br><small>※ 設問 4-1-a で「作成/改訂の意向無し」を選んだ場合にお答えください</small></dt><dd><div class=\"blank-box\"></div></dd>", html);
        Assert.Matches("<ul class=\"blank-options\"><li>○ 1\\. [^<]+</li>", html);
        Assert.Contains("<small>（合計 100%）</small>", html);
        Assert.DoesNotContain("class=\"edit\"", html);
    }
}

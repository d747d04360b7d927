using Shirabe.Core.Questionnaire;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>The secretariat's edits: narratives kept and flagged when the numbers change; free text chosen and anonymised.</summary>
public class ReportEditsTests
{
    private static NarrativeBlock NarrativeOf(ReportDocument doc, string key) => doc.Blocks.OfType<NarrativeBlock>().Single(n => n.Key == key);

    [Fact]
    public void EditedNarrative_IsPrintedInsteadOfTheDraft()
    {
        var draft = NarrativeOf(ReportFixtures.Run().Build(), "1-3").View;
        var edits = new ReportEdits();
        new ReportEditor(edits).EditNarrative("1-3", "会員数は 100 社～500 社未満が半数を占める。", draft.Draft, draft.Fingerprint, "事務局 佐藤");

        var view = NarrativeOf(ReportFixtures.Run(edits: edits).Build(), "1-3").View;
        Assert.Equal("会員数は 100 社～500 社未満が半数を占める。", view.Text);
        Assert.True(view.Edited);
        Assert.False(view.Stale);
        Assert.Equal(draft.Draft, view.Draft);
    }

    [Fact]
    public void EditedNarrative_IsFlaggedStale_WhenTheDataUnderItChanges()
    {
        var draft = NarrativeOf(ReportFixtures.Run().Build(), "1-3").View;
        var edits = new ReportEdits();
        new ReportEditor(edits).EditNarrative("1-3", "編集した本文", draft.Draft, draft.Fingerprint, "事務局");

        // One respondent answers 1-3 differently: the table's numbers change.
        var changed = ReportFixtures.ResponsesWith((r, s) =>
        {
            if (r.Id != "R01") return r;
            var a = (Answer[])r.Answers.Clone();
            a[s["1-3"].Index] = Answer.Single(6);
            return r with { Answers = a };
        });
        try
        {
            var doc = ReportFixtures.Run(changed, ReportEdits.FromJson(edits.ToJson())).Build();
            var view = NarrativeOf(doc, "1-3").View;
            Assert.True(view.Stale);
            Assert.Equal("編集した本文", view.Text);
            Assert.NotEqual(draft.Draft, view.Draft); // the new draft is at hand for comparison
            Assert.False(NarrativeOf(doc, "1-6").View.Stale);
            Assert.Contains("narrative stale", HtmlReport.Render(doc));
        }
        finally { File.Delete(changed); }
    }

    [Fact]
    public void RevertedNarrative_PrintsTheDraftAgain_AndEveryChangeIsLogged()
    {
        var clock = new ManualClock(new DateTimeOffset(2024, 1, 10, 9, 0, 0, TimeSpan.Zero));
        var edits = new ReportEdits();
        var editor = new ReportEditor(edits, clock);
        editor.EditNarrative("1-3", "A", "draft", "f1", "佐藤");
        clock.Advance(TimeSpan.FromMinutes(5));
        editor.RevertNarrative("1-3", "鈴木");
        Assert.Equal("draft", editor.Narrative("1-3", "draft", "f1").Text);
        Assert.Equal(["narrative.edit", "narrative.revert"], edits.Log.Select(l => l.Action));
        Assert.Equal("鈴木", edits.Log[1].By);
        Assert.Equal(clock.GetUtcNow(), edits.Log[1].At);
    }

    [Fact]
    public void ChosenAnswers_AreTheOnlyOnesPrinted_InResponseOrder()
    {
        var edits = new ReportEdits();
        new ReportEditor(edits).SelectAnswers("2-2", ["R07", "R01"], "事務局");
        var table = ReportFixtures.Run(edits: edits).Build().Tables.Single(t => t.Key == "2-2");
        Assert.Equal(2, table.Rows.Count);
        Assert.StartsWith("化学工業分野で J-CSIPに参加している", table.Rows[0].Cells[0].Text); // R01 first
    }

    [Fact]
    public void AnonymisedAnswer_IsPrinted_TheOriginalIsKept_AndTheEditLogged()
    {
        var edits = new ReportEdits();
        var editor = new ReportEditor(edits);
        const string original = "日本電気協会の電力制御システムセキュリティガイドライン、スマートメーターシステムセキュリティガイドラインとして公表済";
        var respondent = ReportFixtures.Run().Build().Tables.Single(t => t.Key == "2-11-f").Rows.Count > 0
            ? FindRespondent("2-11-f", original) : throw new InvalidOperationException();
        editor.EditAnswer("2-11-f", respondent, original, "〇〇協会の電力制御システムセキュリティガイドライン等として公表済", "事務局", "団体名の削除");

        var texts = ReportFixtures.Run(edits: ReportEdits.FromJson(edits.ToJson())).Build()
            .Tables.Single(t => t.Key == "2-11-f").Rows.Select(r => r.Cells[0].Text).ToList();
        Assert.Contains("〇〇協会の電力制御システムセキュリティガイドライン等として公表済", texts);
        Assert.DoesNotContain(original, texts);
        Assert.Equal(original, edits.Curation["2-11-f"].Edits[respondent].Original);
        var log = Assert.Single(edits.Log);
        Assert.Equal(("answer.edit", original), (log.Action, log.Before));
    }

    [Fact]
    public void EditsFile_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), "shirabe-edits-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            var edits = new ReportEdits();
            var editor = new ReportEditor(edits);
            editor.EditNarrative("1-3", "本文", "draft", "abc", "佐藤");
            editor.SelectAnswers("2-2", ["R01"], "佐藤");
            editor.EditAnswer("2-2", "R01", "元の回答", "編集後", "佐藤", "匿名化");
            File.WriteAllText(path, edits.ToJson());
            var back = ReportEdits.Load(path);
            Assert.Equal("本文", back.Narratives["1-3"].Text);
            Assert.Equal(["R01"], back.Curation["2-2"].Selected!);
            Assert.Equal("元の回答", back.Curation["2-2"].Edits["R01"].Original);
            Assert.Equal(3, back.Log.Count);
        }
        finally { File.Delete(path); }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }

    private static string FindRespondent(string code, string text)
    {
        var survey = ReportFixtures.Survey();
        using var s = File.OpenRead(ReportFixtures.ResponsesPath);
        return Core.Responses.ResponsesCsv.Read(s, survey).First(r => r.Answers[survey[code].Index].Text == text).Id;
    }
}

public class ReportCurationScreenTests
{
    [Fact]
    public void Choices_ShowEveryAnswer_WithWhatIsPrinted()
    {
        var edits = new ReportEdits();
        var editor = new ReportEditor(edits);
        (string, string)[] answers = [("R01", "A社の取り組み"), ("R02", "二つ目"), ("R03", "三つ目")];
        editor.SelectAnswers("2-2", ["R01", "R03"], "佐藤");
        editor.EditAnswer("2-2", "R01", "A社の取り組み", "〇〇社の取り組み", "佐藤", "社名の削除");

        var choices = editor.Choices("2-2", answers);
        Assert.Equal([true, false, true], choices.Select(c => c.Selected));
        Assert.Equal(("A社の取り組み", "〇〇社の取り組み", true), (choices[0].Original, choices[0].Printed, choices[0].Edited));
        Assert.False(choices[0].Stale);

        // The respondent's text changed after the edit (a re-import): the edit stays, flagged.
        var changed = editor.Choices("2-2", [("R01", "A社の新しい取り組み"), ("R02", "二つ目"), ("R03", "三つ目")]);
        Assert.True(changed[0].Stale);
        Assert.Equal("〇〇社の取り組み", changed[0].Printed);
        Assert.Equal(["〇〇社の取り組み", "三つ目"], editor.Answers("2-2", answers).Select(a => a.Text));
    }
}

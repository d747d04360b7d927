using Shirabe.Data;

namespace Shirabe.Tests;

/// <summary>The write rules of a draft and a submission, on the types themselves (the pages only call them).</summary>
public class DraftAndSubmissionTests
{
    private static readonly Core.Questionnaire.Survey Survey = ReportFixtures.Survey();
    private static readonly DateTime Now = new(2023, 11, 1, 1, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void SavingAPage_ReplacesItsColumns_KeepsTheOtherPages_AndIsANewVersion()
    {
        var draft = new Draft { Answers = """{"q1_3":"4","q3_1":"1"}""", Version = 3 };

        var cells = draft.Save(new Dictionary<string, string> { ["q3_1"] = "3", ["q3_2_a"] = "NA" }, Now, null);

        Assert.Equal("""{"q1_3":"4","q3_1":"3","q3_2_a":"NA"}""", draft.Answers);
        Assert.Equal(StoredAnswers.Parse(draft.Answers), cells);
        Assert.Equal(4, draft.Version);
        Assert.Equal(Now, draft.UpdatedAt);
    }

    [Fact]
    public void TheFirstSubmission_IsVersion1_AtWholeSeconds_WithItsHistoryRow()
    {
        var draft = new Draft { Answers = """{"q3_1":"3","q3_2_a":"1"}""", Version = 5 };
        var submission = new Submission { InvitationId = 7 };

        var history = submission.Record(Survey, draft, Now.AddMilliseconds(700), null);

        Assert.Equal(1, submission.Version);
        Assert.Equal(5, submission.DraftVersion);
        Assert.Equal(Now, submission.SubmittedAt);
        Assert.Equal(Now, submission.FirstSubmittedAt);
        Assert.Equal(StoredAnswers.Canonicalise(Survey, draft.Answers), submission.Answers);
        Assert.Equal((7, 1, submission.Answers, Now), (history.InvitationId, history.Version, history.Answers, history.SubmittedAt));
    }

    [Fact]
    public void Resubmitting_CountsTheVersionUp_AndKeepsTheFirstSubmissionTime()
    {
        var draft = new Draft { Answers = """{"q3_1":"1"}""", Version = 1 };
        var submission = new Submission { InvitationId = 7 };
        submission.Record(Survey, draft, Now, null);
        draft.Save(new Dictionary<string, string> { ["q3_1"] = "2" }, Now.AddDays(1), null);

        var history = submission.Record(Survey, draft, Now.AddDays(2), null);

        Assert.Equal(2, submission.Version);
        Assert.Equal(2, submission.DraftVersion);
        Assert.Equal(Now, submission.FirstSubmittedAt);
        Assert.Equal(Now.AddDays(2), submission.SubmittedAt);
        Assert.Equal(2, history.Version);
        Assert.Equal("2", StoredAnswers.Parse(submission.Answers)["q3_1"]);
    }

    [Fact]
    public void Canonicalising_AppliesTheSkipRules_AndFillsEveryColumn()
    {
        // 3-1 = 3 (本アンケートで初めて知った) hides 3-2-a: its stored answer is dropped; items never saved are blank (無回答).
        var cells = StoredAnswers.Parse(StoredAnswers.Canonicalise(Survey, """{"q3_1":"3","q3_2_a":"1","q1_3":"x"}"""));

        Assert.Equal("3", cells["q3_1"]);
        Assert.Equal("NA", cells["q3_2_a"]);
        Assert.Equal("", cells["q1_3"]); // unreadable
        Assert.Equal("", cells["q1_1_a"]);
        Assert.Equal(Survey.Items.SelectMany(i => i.Columns).Order(StringComparer.Ordinal), cells.Keys);
    }
}

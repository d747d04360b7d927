using System.Text.Json.Nodes;
using Shirabe.Core;
using Shirabe.Core.Questionnaire;

namespace Shirabe.Tests;

/// <summary>The definition diff between waves (sameAs, comparability, the freeze check) and `survey diff`.</summary>
public class SurveyDiffTests
{
    private static readonly string Sc3_2024 = Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2024");

    private const string Base = """
        id: w1
        title: 波の比較
        period: { opens: 2024-01-01, closes: 2024-12-31, timeZone: Asia/Tokyo }
        sections:
          - id: "1"
            title: 一
            questions:
              - code: Q1
                prompt: 業種
                kind: single
                options: [製造業, 小売業, その他]
              - code: Q2
                prompt: 取り組み
                items:
                  - code: Q2-a
                    kind: multiple
                    label: 取り組み
                    options: [教育, 監査, { label: 特に無し, exclusive: true }]
                  - { code: Q2-b, kind: text, label: 詳細, showIf: { item: Q1, anyOf: [3] } }
        """;

    private static Survey Load(string yaml) => SurveyLoader.Load(yaml);

    private static Survey Edit(params (string From, string To)[] edits)
    {
        var yaml = Base;
        foreach (var (from, to) in edits)
        {
            Assert.Contains(from, yaml);
            yaml = yaml.Replace(from, to);
        }
        return Load(yaml);
    }

    [Fact]
    public void Sc3_2023_Against2024Sample_ItemByItem()
    {
        var old = ReportFixtures.Survey();
        var @new = SurveyLoader.LoadFile(Sc3_2024);
        var diff = SurveyDiff.Compare(old, @new);

        // Written from the two files (the sample's commented edits), not from the code under test.
        string[] expected =
        [
            "設問 1-3 の注記「※（正会員以外の会員も含む）」→「※（正会員以外の会員も含む。2024 年 4 月 1 日時点）」",
            "設問 2-1 の設問文「貴団体・協会における脅威・インシデント等の情報共有に関するサイバーセキュリティ活動の実施状況についてのお選びください」"
            + "→「貴団体・協会における脅威・インシデント等の情報共有に関するサイバーセキュリティ活動の実施状況についてお選びください。」",
            "設問 2-9-a: 選択肢「特に無し」の番号 6 → 8（sameAs）",
            "設問 3-1: 選択肢 3 のラベル「本アンケートで初めて知った」→「このアンケートで初めて知った」",
            "設問 3-4「貴団体・協会では、会員に対して生成 AI の業務利用に関する注意喚起や指針を提供していますか。」を追加",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), diff.Changes.Select(c => c.Text).Order(StringComparer.Ordinal));

        // Item by item: every 2023 item is still there under its code; only 3-4 is new.
        Assert.Equal(old.Items.Select(i => i.Code), diff.Items.Where(i => i.Old is not null).Select(i => i.Old!.Code));
        foreach (var item in diff.Items)
        {
            if (item.Code == "3-4")
            {
                Assert.Null(item.Old);
                Assert.False(item.Comparable);
                Assert.Equal("前回の調査にない設問です。", item.NotComparableReason);
                continue;
            }
            Assert.Equal(item.Old!.Code, item.New!.Code);
            Assert.True(item.Comparable, item.Code + ": " + item.NotComparableReason);
            Assert.Equal(item.Code is "2-9-a" or "3-1" ? 1 : 0, item.Changes.Count);
        }
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [7] = 7, [8] = 6 },
            diff.ForNew("2-9-a")!.OptionMap);
        // A renumbered option and an added item are not wording: a wave with answers could not take them.
        var message = diff.FrozenChangesMessage()!;
        Assert.Contains("- 設問 2-9-a: 選択肢「特に無し」の番号 6 → 8（sameAs）", message);
        Assert.Contains("- 設問 3-4「", message);
        Assert.DoesNotContain("本アンケートで初めて知った", message);
    }

    [Fact]
    public void RenamedOption_AndItem_MatchedBySameAs()
    {
        // The next wave (another id): its sameAs entries name codes of this one.
        var @new = Edit(
            ("id: w1", "id: w2"),
            ("options: [製造業, 小売業, その他]", "options: [製造業, { code: 5, label: 小売業, sameAs: 2 }, { code: 9, label: その他, sameAs: 3 }]"),
            ("code: Q2-a", "code: Q2-x\n            sameAs: Q2-a"),
            ("anyOf: [3]", "anyOf: [9]"));
        var diff = SurveyDiff.Compare(Load(Base), @new);

        var q1 = diff.ForNew("Q1")!;
        Assert.True(q1.Comparable);
        Assert.Equal(new Dictionary<int, int> { [1] = 1, [5] = 2, [9] = 3 }, q1.OptionMap);
        Assert.Equal(["設問 Q1: 選択肢「小売業」の番号 2 → 5（sameAs）", "設問 Q1: 選択肢「その他」の番号 3 → 9（sameAs）"],
            q1.Changes.Select(c => c.Text));
        var q2 = diff.ForNew("Q2-x")!;
        Assert.Equal("Q2-a", q2.Old!.Code);
        Assert.True(q2.Comparable);
        Assert.Equal(["設問番号 Q2-a → Q2-x（sameAs）"], q2.Changes.Select(c => c.Text));
        // The skip rule names the recoded option by its new code: the same rule, not a change.
        Assert.Empty(diff.ForNew("Q2-b")!.Changes);
        Assert.DoesNotContain(diff.Items, i => i.New is null);
    }

    [Fact]
    public void WithoutSameAs_ARenumberedOptionIsRemovedAndAdded()
    {
        var diff = SurveyDiff.Compare(Load(Base), Edit(("options: [製造業, 小売業, その他]", "options: [製造業, { code: 5, label: 小売業 }, { code: 6, label: その他 }]"),
            ("anyOf: [3]", "anyOf: [6]")));
        var q1 = diff.ForNew("Q1")!;
        Assert.False(q1.Comparable);
        Assert.Contains("設問 Q1: 選択肢 2「小売業」を削除", q1.NotComparableReason);
        Assert.Contains("設問 Q1: 選択肢 5「小売業」を追加", q1.NotComparableReason);
    }

    [Fact]
    public void StructuralChanges_AreNotComparable_AndRefusedByTheFreezeCheck()
    {
        var @new = Edit(
            ("kind: multiple", "kind: single"),
            ("options: [製造業, 小売業, その他]", "options: [製造業, 小売業]"),
            ("anyOf: [3]", "anyOf: [2]"));
        var diff = SurveyDiff.Compare(Load(Base), @new);

        var q1 = diff.ForNew("Q1")!;
        Assert.False(q1.Comparable);
        Assert.Equal("設問 Q1: 選択肢 3「その他」を削除。", q1.NotComparableReason);
        var q2a = diff.ForNew("Q2-a")!;
        Assert.False(q2a.Comparable);
        Assert.Equal("設問 Q2-a: 回答形式 複数回答（multiple） → 単数回答（single）。", q2a.NotComparableReason);
        var q2b = diff.ForNew("Q2-b")!;
        Assert.False(q2b.Comparable);
        Assert.Equal("設問 Q2-b: 表示条件（showIf）Q1 で 前回の 3 のいずれか → Q1 で 2 のいずれか。", q2b.NotComparableReason);

        var message = diff.FrozenChangesMessage();
        Assert.Equal("""
            回答のある調査「w1」では、文言（設問文・ラベル・注記・略称）以外は変更できません。次の 3 件の変更を取り消してください（新しい調査・次回の調査として作れば変更できます）:
            - 設問 Q1: 選択肢 3「その他」を削除
            - 設問 Q2-a: 回答形式 複数回答（multiple） → 単数回答（single）
            - 設問 Q2-b: 表示条件（showIf）Q1 で 前回の 3 のいずれか → Q1 で 2 のいずれか
            """.ReplaceLineEndings("\n"), message);
        var error = Assert.Throws<UserError>(diff.EnsureWordingOnly);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ExclusivityTotalsAndParts_AreStructural()
    {
        var old = Load(Base.Replace("""
                      - { code: Q2-b, kind: text, label: 詳細, showIf: { item: Q1, anyOf: [3] } }
            """, """
                      - { code: Q2-b, kind: text, label: 詳細, showIf: { item: Q1, anyOf: [3] } }
                      - { code: Q2-c, kind: split, label: 割合, parts: [{ code: a, label: 大 }, { code: b, label: 小 }] }
            """));
        var @new = Load(Base.Replace("{ label: 特に無し, exclusive: true }", "特に無し").Replace("""
                      - { code: Q2-b, kind: text, label: 詳細, showIf: { item: Q1, anyOf: [3] } }
            """, """
                      - { code: Q2-b, kind: text, label: 詳細, showIf: { item: Q1, anyOf: [3] } }
                      - { code: Q2-c, kind: split, label: 割合, total: 10, parts: [{ code: a, label: 大企業 }, { code: c, label: 他 }] }
            """));
        var diff = SurveyDiff.Compare(old, @new);
        Assert.Equal("設問 Q2-a: 選択肢 3 の排他（他と一緒に選べない）あり → なし。", diff.ForNew("Q2-a")!.NotComparableReason);
        var split = diff.ForNew("Q2-c")!;
        Assert.False(split.Comparable);
        Assert.Equal(["設問 Q2-c の内訳 a「大」→「大企業」", "設問 Q2-c: 内訳 b「小」を削除", "設問 Q2-c: 内訳 c「他」を追加", "設問 Q2-c: 合計 100 → 10"],
            split.Changes.Select(c => c.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void WordingOnly_IsComparable_AndAllowedInAWaveWithAnswers()
    {
        var @new = Edit(
            ("prompt: 業種", "prompt: 主な業種"),
            ("prompt: 取り組み", "prompt: 取り組み（複数選択可）"),
            ("label: 取り組み", "label: 取り組みの内容\n            short: 取り組み"),
            ("教育, 監査", "教育・研修, 監査"),
            ("label: 詳細", "label: その他の詳細"));
        var diff = SurveyDiff.Compare(Load(Base), @new);

        Assert.All(diff.Items, i => Assert.True(i.Comparable, i.Code));
        Assert.All(diff.Changes, c => Assert.True(c.Wording, c.Text));
        Assert.Equal(
        [
            "設問 Q1 のラベル「業種」→「主な業種」",
            "設問 Q2 の設問文「取り組み」→「取り組み（複数選択可）」",
            "設問 Q2-a のラベル「取り組み」→「取り組みの内容」",
            "設問 Q2-a の略称（short）「なし」→「取り組み」",
            "設問 Q2-a: 選択肢 1 のラベル「教育」→「教育・研修」",
            "設問 Q2-b のラベル「詳細」→「その他の詳細」",
        ], diff.Changes.Select(c => c.Text).Order(StringComparer.Ordinal));
        Assert.Null(diff.FrozenChangesMessage());
        diff.EnsureWordingOnly();
        Assert.True(SurveyDiff.Compare(Load(Base), Load(Base)).IsEmpty);
    }

    [Fact]
    public void TwoVersionsOfOneWave_IgnoreItsSameAs_SoAWordingFixIsAllowed()
    {
        // The 2024 sample declares 特に無し 8 sameAs 6 (of 2023); a wording fix to 2024 keeps that line.
        var yaml = File.ReadAllText(Path.Combine(Sc3_2024, "survey.yaml"));
        const string label = "label: 特に無し,";
        Assert.Contains(label, yaml);
        var fixedVersion = SurveyLoader.Load(yaml.Replace(label, "label: 特になし,"));
        var diff = SurveyDiff.Compare(SurveyLoader.LoadFile(Sc3_2024), fixedVersion);

        Assert.Equal(["設問 2-9-a: 選択肢 8 のラベル「特に無し」→「特になし」"], diff.Changes.Select(c => c.Text));
        Assert.Null(diff.FrozenChangesMessage());
        Assert.All(diff.Items, i => Assert.True(i.Comparable, i.Code));
    }

    [Theory]
    [InlineData("options: [製造業, { label: 小売業, sameAs: x }, その他]", "選択肢の sameAs は前回の選択肢番号（1 以上の整数）で書いてください。")]
    [InlineData("options: [製造業, { label: 小売業, sameAs: 1 }, { label: その他, sameAs: 1 }]", "sameAs: 1 が重複しています")]
    public void OptionSameAs_IsValidated(string options, string message)
    {
        var e = Assert.Throws<SurveyDefinitionException>(() => Load(Base.Replace("options: [製造業, 小売業, その他]", options)));
        Assert.Contains(e.Problems, p => p.Message.Contains(message, StringComparison.Ordinal) && p.Line > 0);
    }

    [Fact]
    public void ItemSameAs_ClaimsOneOldCodeOnce()
    {
        var yaml = Base.Replace("kind: multiple", "kind: multiple\n            sameAs: Q1")
            .Replace("kind: text, label: 詳細,", "kind: text, label: 詳細, sameAs: Q1,");
        var e = Assert.Throws<SurveyDefinitionException>(() => Load(yaml));
        Assert.Contains(e.Problems, p => p.Message.StartsWith("設問 Q2-b: sameAs: Q1 はすでに設問 Q2-a に付いています", StringComparison.Ordinal));
    }

    [Fact]
    public void SameAs_OnAQuestionWithItems_IsRefused()
    {
        var e = Assert.Throws<SurveyDefinitionException>(() => Load(Base.Replace("prompt: 取り組み", "prompt: 取り組み\n        sameAs: Q9")));
        Assert.Contains(e.Problems, p => p.Message == "設問 Q2: sameAs は items の各項目に書いてください（設問は項目で対応づけます）。");
    }

    private static readonly string Responses2024 = Path.Combine(Sc3_2024, "responses-2024-sample.csv");

    private static string[] WithPrevious(params string[] more) =>
        ["tabulate", "--survey", Sc3_2024, "--responses", Responses2024, "--previous", ReportFixtures.SurveyDir,
         "--previous-responses", ReportFixtures.ResponsesPath, .. more];

    /// <summary>Submitted 2023 rows whose 2-9-a holds <paramref name="code"/>, read from the CSV by hand, not by the tabulator.</summary>
    private static int Count2023(string column, string code)
    {
        // An independent CSV reader (quoted fields may hold commas and line breaks).
        using var csv = new Microsoft.VisualBasic.FileIO.TextFieldParser(ReportFixtures.ResponsesPath) { HasFieldsEnclosedInQuotes = true };
        csv.SetDelimiters(",");
        var header = csv.ReadFields()!.Select(h => h.TrimStart('\uFEFF')).ToList();
        var (at, submitted) = (header.IndexOf(column), header.IndexOf("submitted_at"));
        var count = 0;
        while (csv.ReadFields() is { } f)
            if (f[submitted].Length > 0 && f[at].Split(';').Contains(code)) count++;
        return count;
    }

    [Fact]
    public async Task Tabulate_WithPrevious_SetsTheWavesSideBySide()
    {
        var none = Count2023("q2_9_a", "6");
        Assert.True(none > 0);
        var r = await CliTests.Run(WithPrevious());
        Assert.Equal(0, r.Code);
        var lines = r.Out.ReplaceLineEndings("\n").Split('\n');
        Assert.Contains(lines, l => l.StartsWith("前回: 業界セキュリティガイドラインに関するアンケート（sc3-2023）集計対象 48 件。", StringComparison.Ordinal));
        Assert.Contains("■ 2-9-a セキュリティ課題（複数回答） n=12、前回 n=48", lines);
        // 特に無し is 8 in 2024 and was 6 in 2023: its previous figures are those of 2023's option 6.
        var row = lines.Single(l => l.TrimStart().StartsWith("特に無し", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(none.ToString(), row[4]);
        var added = Array.IndexOf(lines, lines.Single(l => l.StartsWith("■ 3-4 ", StringComparison.Ordinal)));
        Assert.Equal("  前回比較なし: 前回の調査にない設問です。", lines[added + 1]);

        var json = JsonNode.Parse((await CliTests.Run(WithPrevious("--format", "json"))).Out)!;
        Assert.Equal("sc3-2023", (string?)json["previous"]!["survey"]);
        Assert.Equal(48, (int)json["previous"]!["respondents"]!);
        var items = json["items"]!.AsArray();
        var challenges = items.Single(i => (string?)i!["code"] == "2-9-a")!["previous"]!;
        Assert.True((bool)challenges["comparable"]!);
        var nothing = challenges["options"]!.AsArray().Single(o => (string?)o!["code"] == "8")!;
        Assert.Equal("6", (string?)nothing["previousCode"]);
        Assert.Equal(none, (int)nothing["count"]!);
        var generativeAi = items.Single(i => (string?)i!["code"] == "3-4")!["previous"]!;
        Assert.False((bool)generativeAi["comparable"]!);
        Assert.Equal("前回の調査にない設問です。", (string?)generativeAi["reason"]);

        // This wave's figures are its own: removing the previous fields gives the plain tabulation exactly.
        json.AsObject().Remove("previous");
        foreach (var item in items) item!.AsObject().Remove("previous");
        var plain = JsonNode.Parse((await CliTests.Run("tabulate", "--survey", Sc3_2024, "--responses", Responses2024, "--format", "json")).Out)!;
        Assert.True(JsonNode.DeepEquals(plain, json));
    }

    [Fact]
    public async Task Tabulate_WithPrevious_MarksItemsThatAreNotComparable()
    {
        // 2023 against itself with one structural change: Q 3-1 loses an option.
        var dir = Directory.CreateTempSubdirectory("shirabe-waves-");
        try
        {
            var yaml = File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "survey.yaml"));
            const string dropped = "          - 本アンケートで初めて知った\n";
            Assert.Contains(dropped, yaml.ReplaceLineEndings("\n"));
            File.WriteAllText(Path.Combine(dir.FullName, "survey.yaml"), yaml.ReplaceLineEndings("\n").Replace(dropped, "").Replace("id: sc3-2023", "id: sc3-x"));
            var responses = Path.Combine(dir.FullName, "r.csv");
            File.WriteAllLines(responses, File.ReadAllLines(ReportFixtures.ResponsesPath).Take(1));
            var r = await CliTests.Run("tabulate", "--survey", dir.FullName, "--responses", responses,
                "--previous", ReportFixtures.SurveyDir, "--previous-responses", ReportFixtures.ResponsesPath);
            Assert.Equal(0, r.Code);
            var lines = r.Out.ReplaceLineEndings("\n").Split('\n');
            var at = Array.FindIndex(lines, l => l.StartsWith("■ 3-1 ", StringComparison.Ordinal));
            Assert.Equal("  前回比較なし: 設問 3-1: 選択肢 3「本アンケートで初めて知った」を削除。", lines[at + 1]);
            Assert.DoesNotContain("前回", lines[at]);
        }
        finally { dir.Delete(true); }

        var half = await CliTests.Run("tabulate", "--survey", Sc3_2024, "--responses", Responses2024, "--previous", ReportFixtures.SurveyDir);
        Assert.Equal(2, half.Code);
        Assert.Contains("--previous（前回の調査票）と --previous-responses（前回の回答ファイル）は一緒に指定してください。", half.Err);
        var filtered = await CliTests.Run(WithPrevious("--where", "1-6=5"));
        Assert.Equal(2, filtered.Code);
        Assert.Equal("", filtered.Out);
    }

    [Fact]
    public async Task SurveyDiff_Cli_PrintsGroupedChangesAndSummary()
    {
        var r = await CliTests.Run("survey", "diff", ReportFixtures.SurveyDir, Path.Combine(Sc3_2024, "survey.yaml"));
        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Err);
        var lines = r.Out.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("調査票の比較: sc3-2023（前回）→ sc3-2024（今回）", lines[0]);
        Assert.Contains("■ 追加（1 件）", lines);
        Assert.Contains("■ 文言の変更（2 件）", lines);
        Assert.Contains("■ 選択肢の変更（2 件）", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("■ 構造の変更", StringComparison.Ordinal) || l.StartsWith("■ 削除", StringComparison.Ordinal));
        Assert.Contains("  設問 2-9-a: 選択肢「特に無し」の番号 6 → 8（sameAs）", lines);
        Assert.Contains("まとめ: 変更 5 件（うち文言のみ 3 件）。今回の 64 項目のうち、前回と比較できる項目 63、比較できない項目 1（追加 1、変更 0）、削除された項目 0。", lines);
        Assert.Contains("  3-4: 前回の調査にない設問です。", lines);

        var broken = await CliTests.Run("survey", "diff", ReportFixtures.SurveyDir, Path.Combine(Path.GetTempPath(), "no-such-survey.yaml"));
        Assert.Equal(2, broken.Code);
        Assert.Equal("", broken.Out);
    }
}

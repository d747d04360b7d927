using Shirabe.Core.Reports;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>The listing's and the respondents list's headings and band labels come from report.yaml, else from the survey.</summary>
public class ReportHeadingsTests
{
    private static ReportDocument Build(Func<string, string> edit)
    {
        var run = ReportFixtures.Run();
        var yaml = edit(File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "report.yaml")));
        var definition = ReportDefinitionLoader.Load(yaml, run.Survey);
        return new ReportRun { Survey = run.Survey, Definition = definition, ResponsesPath = run.ResponsesPath }.Build();
    }

    private static string[][] Headers(ReportDocument doc, TableKind kind) =>
        doc.Tables.Single(t => t.Kind == kind).Header.Select(r => r.Select(c => c.Text).ToArray()).ToArray();

    [Fact]
    public void TheSc3Layout_NamesItsColumnsAsPrinted()
    {
        var doc = Build(y => y);
        Assert.Equal([["業界団体", "企業規模の割合", "製造業とサービス業の割合"], ["業種", "会員数", "大企業", "中小企業", "その他", "製造業", "サービス業", "その他"]],
            Headers(doc, TableKind.Listing));
        Assert.Equal([["No", "業界団体名称", "業界"]], Headers(doc, TableKind.Respondents));
        Assert.Contains(doc.Tables.Single(t => t.Kind == TableKind.Listing).Rows, r => r.Cells.Count > 1 && r.Cells[1].Text == "100～500未満");
    }

    [Fact]
    public void WithoutHeadingsInReportYaml_TheSurveysWordingIsUsed()
    {
        var doc = Build(y => string.Join("\n", y.Split('\n').Where(l =>
                !l.Contains("header: 業界団体") && !l.Contains("groupHeaders") && !l.Contains("itemHeaders")
                && !l.Contains("bandLabels") && !System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+\d: ")))
            .Replace("headers: [業界団体名称, 業界], ", ""));
        Assert.Equal([["回答者", "会員の企業規模の割合", "会員の製造業・サービス業の割合"], ["業種", "会員数", "大企業", "中小企業", "その他", "製造業", "サービス業", "その他"]],
            Headers(doc, TableKind.Listing));
        Assert.Equal([["No", "団体名・協会名", "業種"]], Headers(doc, TableKind.Respondents));
        Assert.Contains(doc.Tables.Single(t => t.Kind == TableKind.Listing).Rows, r => r.Cells.Count > 1 && r.Cells[1].Text == "100社～500社未満");
    }

    [Theory]
    [InlineData("groupHeaders: [業種, 会員数]", "groupHeaders: [業種]", "groupHeaders には groupBy の 2 つの設問の見出しを書いてください。")]
    [InlineData("        6: 1000以上", "        9: 1000以上", "bandLabels: 設問 1-3 に選択肢 9 はありません。")]
    public void MisfitHeadings_AreReported(string from, string to, string message)
    {
        var yaml = File.ReadAllText(Path.Combine(ReportFixtures.SurveyDir, "report.yaml")).Replace(from, to);
        var e = Assert.Throws<ReportDefinitionException>(() => ReportDefinitionLoader.Load(yaml, ReportFixtures.Survey()));
        Assert.Contains(e.Problems, p => p.EndsWith(message, StringComparison.Ordinal));
    }
}

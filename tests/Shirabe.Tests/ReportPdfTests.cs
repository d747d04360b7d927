using System.Text.RegularExpressions;
using Shirabe.Reports;

namespace Shirabe.Tests;

/// <summary>The SC3 report rendered to PDF by Chromium and read back with pdftotext.</summary>
public sealed class ReportPdfFixture : IAsyncLifetime
{
    public byte[] Pdf { get; private set; } = [];
    public string Text { get; private set; } = "";
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shirabe-report-" + Guid.NewGuid().ToString("N") + ".pdf");

    public async Task InitializeAsync()
    {
        Pdf = await ReportFixtures.RenderAsync(ReportFixtures.Run(), ReportFormat.Pdf);
        await File.WriteAllBytesAsync(Path, Pdf);
        Text = ReportFixtures.Tool("pdftotext", "-layout", "-enc", "UTF-8", Path, "-");
    }

    public Task DisposeAsync()
    {
        File.Delete(Path);
        return Task.CompletedTask;
    }
}

/// <summary>Slow (the whole report printed by Chromium, ≈ 10 s): apart from the millisecond tests, skipped by `scripts/test.sh --fast`.</summary>
[Trait("Needs", "Chromium")]
public class ReportPdfTests(ReportPdfFixture pdf) : IClassFixture<ReportPdfFixture>
{
    private string[] Pages => pdf.Text.Split('\f');

    /// <summary>The index of the first page after the contents (whose last entry is the last caption and its page).</summary>
    private int FirstBodyPage
    {
        get
        {
            var last = new Regex(Regex.Escape(ReportFixtures.Compact(PrintedNumbers.Captions[^1])) + @"\d+");
            return Array.FindIndex(Pages, p => last.IsMatch(ReportFixtures.Compact(p))) + 1;
        }
    }

    private static bool IsFooter(string line) => Regex.IsMatch(line, @"^\s*\d+ / \d+\s*$");

    /// <summary>The entries of the contents and the list of tables and figures: text (without spaces) and page.</summary>
    private List<(string Text, int Page)> Contents()
    {
        var entries = new List<(string Text, int Page)>();
        foreach (var line in Pages.Take(FirstBodyPage).SelectMany(p => p.Split('\n')))
        {
            if (string.IsNullOrWhiteSpace(line) || IsFooter(line) || line.Trim() is "目次" or "図表一覧") continue;
            var m = Regex.Match(line, @"^(.*\S)\s{2,}(\d+)\s*$");
            if (m.Success) entries.Add((ReportFixtures.Compact(m.Groups[1].Value), int.Parse(m.Groups[2].Value)));
            else if (entries.Count > 0) entries[^1] = (entries[^1].Text + ReportFixtures.Compact(line), entries[^1].Page); // a wrapped entry
        }
        return entries;
    }

    [Fact]
    public void Pdf_Contents_GiveThePageWhereEachHeadingAndCaptionIs()
    {
        var entries = Contents();
        var body = FirstBodyPage;
        foreach (var caption in PrintedNumbers.Captions)
            Assert.Contains(entries, e => e.Text == ReportFixtures.Compact(caption));
        Assert.Contains(entries, e => e.Text == "2.2.1回答者属性");
        Assert.True(entries.Count > PrintedNumbers.Captions.Length + 30, $"{entries.Count} entries");
        foreach (var (text, page) in entries)
        {
            var at = Enumerable.Range(body, Pages.Length - body).First(i => ReportFixtures.Compact(Pages[i]).Contains(text, StringComparison.Ordinal));
            Assert.True(at + 1 == page, $"「{text}」 is listed on page {page} but printed on page {at + 1}");
        }
    }

    [Fact]
    public void Pdf_EveryTableAndFigure_SaysItsAnswerTypeAndBase_UnderItsCaption()
    {
        var body = ReportFixtures.Compact(string.Join("\n", Pages.Skip(FirstBodyPage)));
        var types = AnswerTypes.ByLabel();
        Assert.Equal(PrintedNumbers.Captions.Length - 1, types.Count); // all but 表 2-1, the survey's overview
        foreach (var caption in PrintedNumbers.Captions)
        {
            var label = Regex.Match(ReportFixtures.Compact(caption), @"^(表|図)2-\d+").Value;
            if (!types.TryGetValue(label, out var type)) continue;
            Assert.Matches(Regex.Escape(ReportFixtures.Compact(caption)) + Regex.Escape(type) + @"（n(=\d+|は項目ごと)", body);
        }
        Assert.Contains("複数回答（n=", body);
        Assert.Contains("単数回答（n=48）", body);
    }

    [Fact]
    public void Pdf_NoTableSaysItsBaseTwice()
    {
        var tables = 0;
        foreach (var p in Pages.Skip(FirstBodyPage))
        {
            var lines = p.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (Regex.Match(lines[i], @"^\s*(表 2-\d+) ") is not { Success: true } m) continue;
                tables++;
                // The table: from its caption to the next caption, the next chart (whose title is 「n=48」 or 「n=21（回答数 40）」) or the foot of the page.
                var said = 0;
                for (var j = i; j < lines.Length; j++)
                {
                    if (j > i && (Regex.IsMatch(lines[j], @"^\s*(表|図) 2-\d+ ") || Regex.IsMatch(lines[j], @"^\s*n=\d+(（回答数 \d+）)?\s*$") || IsFooter(lines[j]))) break;
                    said += Regex.Matches(lines[j], @"n\s*=\s*\d+").Count;
                }
                Assert.True(said <= 1, $"{m.Groups[1].Value}: n is printed {said} times");
            }
        }
        Assert.True(tables >= PrintedNumbers.Captions.Count(c => c.StartsWith('表')), $"{tables} tables");
    }

    [Fact]
    public void Pdf_NoTableCaptionIsLeftAtTheFootOfAPage()
    {
        // Where Chromium put each table (its caption opens it) and its first two rows, as poppler reads the PDF.
        var dests = ReportFixtures.Tool("pdfinfo", "-dests", pdf.Path);
        var page = Regex.Matches(dests, @"^\s*(\d+)\s+\[[^\]]*\]\s+""([^""]+)""", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[2].Value, m => int.Parse(m.Groups[1].Value));
        for (var n = 1; n <= PrintedNumbers.Captions.Count(c => c.StartsWith('表')); n++)
        {
            Assert.True(page[$"tab-{n}-r0"] == page[$"tab-{n}"], $"表 2-{n}: its first row is not on its caption's page");
            if (page.TryGetValue($"tab-{n}-r1", out var second)) Assert.True(second == page[$"tab-{n}"], $"表 2-{n}: its second row is not on its caption's page");
        }
        // In the text: no page ends with a table's caption or the answer type under it (a figure's caption is under its chart).
        foreach (var p in Pages.Skip(FirstBodyPage))
        {
            var lines = p.Split('\n').Where(l => !string.IsNullOrWhiteSpace(l) && !IsFooter(l)).ToList();
            if (lines.Count == 0) continue;
            Assert.DoesNotMatch(@"^\s*表 2-\d+ ", lines[^1]);
            if (Regex.IsMatch(lines[^1], @"^\s*(単数回答|複数回答|自由記述|数値回答)（n"))
                Assert.Contains(lines.TakeLast(3), l => Regex.IsMatch(l, @"^\s*図 2-\d+ "));
        }
    }

    [Fact]
    public void Pdf_ContinuedTables_SayContinued_AndRepeatTheirHeaderAndGroupLabel()
    {
        var seen = new HashSet<string>();
        var continued = new List<(string Label, string Page)>();
        foreach (var p in Pages.Skip(FirstBodyPage))
        {
            var lines = p.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (Regex.Match(lines[i], @"^\s*(表 2-\d+) ") is not { Success: true } m) continue;
                // The caption with its wrapped line, if any.
                var caption = ReportFixtures.Compact(lines[i] + (i + 1 < lines.Length && !lines[i + 1].Contains("（n") ? lines[i + 1] : ""));
                if (seen.Add(m.Groups[1].Value)) Assert.DoesNotContain("（続き）", caption);
                else
                {
                    Assert.Contains("（続き）", caption);
                    continued.Add((m.Groups[1].Value, p));
                }
            }
        }
        var listing = Assert.Single(continued, c => c.Label == "表 2-4").Page;
        Assert.Contains("業界団体企業規模の割合製造業とサービス業の割合業種会員数大企業中小企業その他製造業サービス業その他", ReportFixtures.Compact(listing));
        // The first line under the header names the group (業種 and its count) the rows belong to.
        var afterHeader = listing.Split('\n').SkipWhile(l => !l.Contains("大企業")).Skip(1).First(l => l.Trim().Length > 0);
        Assert.Matches(@"（\d+）", afterHeader);
        Assert.DoesNotContain("%", afterHeader);
        Assert.Contains(continued, c => c.Label != "表 2-4"); // the long free-text tables too
    }

    [Fact]
    public void Pdf_QuestionReferences_DoNotBreakAcrossLines_AndBracketsAreFullWidth()
    {
        foreach (var line in pdf.Text.Split('\n'))
            Assert.DoesNotMatch(@"設問\s*(\d+-?)*\s*$", line);
        Assert.Contains("（設問 4-5）", pdf.Text);
        Assert.DoesNotContain("(無回答）", pdf.Text);
        Assert.Contains("（無回答）", Regions.ByCaption(Body)["表2-4"]);
    }

    /// <summary>The body: after the list of tables and figures that opens the report.</summary>
    private string Body
    {
        get
        {
            var text = ReportFixtures.Compact(pdf.Text);
            // The contents list every caption first; the body begins after its last entry.
            var toc = text.IndexOf(ReportFixtures.Compact(PrintedNumbers.Captions[^1]), StringComparison.Ordinal);
            var start = text.IndexOf("2.1調査方針", toc + 1, StringComparison.Ordinal);
            Assert.True(start > 0, "the body starts with 2.1 調査方針");
            return text[start..];
        }
    }

    [Fact]
    public void Pdf_IsA4_WithPageNumbers()
    {
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(pdf.Pdf, 0, 4));
        var info = ReportFixtures.Tool("pdfinfo", pdf.Path);
        Assert.Matches(@"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info);
        var pages = int.Parse(Regex.Match(info, @"Pages:\s+(\d+)").Groups[1].Value);
        Assert.True(pages > 20, $"{pages} pages");
        Assert.Contains($"1 / {pages}", pdf.Text);
        Assert.Contains($"{pages} / {pages}", pdf.Text);
    }

    [Fact]
    public void Pdf_HasEveryCaption_InOrder()
    {
        var body = Body;
        var at = 0;
        foreach (var caption in PrintedNumbers.Captions)
        {
            var i = body.IndexOf(ReportFixtures.Compact(caption), at, StringComparison.Ordinal);
            Assert.True(i >= 0, $"「{caption}」 is missing or out of order");
            at = i;
        }
        Assert.DoesNotContain("おおける", pdf.Text);
    }

    [Fact]
    public void Pdf_HasTableOfContents()
    {
        var toc = ReportFixtures.Compact(pdf.Text[..pdf.Text.IndexOf("図表一覧", StringComparison.Ordinal)]);
        Assert.Contains("目次", toc);
        Assert.Contains("2.2.1回答者属性", toc);
        Assert.Contains("参考資料2アンケート回答団体一覧表", toc);
    }

    [Fact]
    public void Pdf_CountTables_HoldThePrintedNumbers()
    {
        var regions = Regions.ByCaption(Body);
        foreach (var (table, rows, _) in PrintedNumbers.Counts)
        {
            var region = regions[$"表2-{table}"];
            var at = 0;
            foreach (var (label, count, pct) in rows)
            {
                // The row: its label (a long one wraps below its numbers), then the count and the percent.
                var start = ReportFixtures.Compact(label);
                start = start[..Math.Min(12, start.Length)];
                var m = new Regex(Regex.Escape(start) + "[^%]*?" + count + Regex.Escape(pct)).Match(region, at);
                Assert.True(m.Success, $"表 2-{table}: {label} {count} {pct}");
                at = m.Index + m.Length;
            }
        }
    }

    [Fact]
    public void Pdf_MatrixTables_HoldThePrintedPercents()
    {
        var regions = Regions.ByCaption(Body);
        foreach (var (table, rows) in PrintedNumbers.Matrices)
        {
            var region = regions[$"表2-{table}"];
            var at = 0;
            foreach (var (percents, n) in rows)
            {
                var cells = string.Concat(percents.Select(p => p + "%")) + n;
                var i = region.IndexOf(cells, at, StringComparison.Ordinal);
                Assert.True(i >= 0, $"表 2-{table}: {cells}");
                at = i;
            }
        }
    }

    [Fact]
    public void Pdf_Table2_4_ListsTheSplits()
    {
        var region = Regions.ByCaption(Body)["表2-4"];
        foreach (var row in PrintedNumbers.ListingRows) Assert.Contains(row, region);
        foreach (var g in PrintedNumbers.ListingGroups) Assert.Contains(g, region);
    }

    [Fact]
    public void Pdf_Table2_1_CountsTheResponses()
    {
        var region = Regions.ByCaption(Body)["表2-1"];
        Assert.Contains("有効回答数48件", region);
        Assert.Contains("発送数57件", region);
        Assert.Contains("調査期間2023年10月19日～2023年12月15日", region);
    }

    [Fact]
    public void Pdf_FiguresAreText_WithKanjiNotRadicals()
    {
        // Chart labels are SVG text: searchable, with no Kangxi radical look-alikes.
        var region = Regions.ByCaption(Body)["表2-5"]; // holds 図 2-3's chart, which follows the table
        Assert.Contains("n=48", region);
        Assert.DoesNotMatch("[\u2E80-\u2FD5]", pdf.Text);
        Assert.Contains("会員間の情報共有の仕組みの構築・運営", region);
    }

    [Fact]
    public void Pdf_Appendices_ListRespondentsInSubmissionOrder_AndTheQuestionnaire()
    {
        var text = ReportFixtures.Compact(pdf.Text);
        var list = text[text.LastIndexOf("参考資料2アンケート回答団体一覧表", StringComparison.Ordinal)..];
        Assert.Contains("1一般社団法人日本化学工業協会製造業", list);
        Assert.Contains("16一般社団法人保健医療福祉情報システム工業会‐", list);
        Assert.Contains("48公益社団法人日本訪問販売協会卸売業，小売業", list);
        var questionnaire = text[text.LastIndexOf("参考資料1アンケート調査票", StringComparison.Ordinal)..];
        Assert.Contains("設問1-3)貴団体・協会の会員数をお選びください。", questionnaire);
        Assert.Contains("6.1000社以上", questionnaire);
    }
}

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shirabe.Data;

namespace Shirabe.Tests;

/// <summary>Live results over the database's submitted responses: report tables, segments, cross tables.</summary>
public class AdminResultsTests
{
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheReconstructedResponses_GiveTable2_2sCounts(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();

        var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync("/admin/results"));
        Assert.Equal("48", AdminTestKit.ById(html, "n"));
        var table = AdminTestKit.Section(html, "t-1-3");
        Assert.Contains("表 2-2 会員数（設問 1-3）", table);
        Assert.Equal([1, 12, 8, 24, 0, 2, 1, 48], AdminTestKit.Counts(table));
        Assert.Matches("<th scope=\"row\">無回答</th>\\s*<td class=\"num\">1</td>\\s*<td class=\"num\">2.1%</td>", table);
        // The base is said once, under the caption, as in the report; no second 「n = 48」 note under the table.
        Assert.Contains("<span class=\"basis\">単数回答（n=48）</span></caption>", table);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(table[..table.IndexOf("<figure", StringComparison.Ordinal)], @"n\s*=\s*48"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ASegment_TabulatesOnlyItsRespondents(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();

        var html = await client.GetStringAsync("/admin/results?f=1-6%3D5");
        Assert.Equal("25", AdminTestKit.ById(html, "n"));
        Assert.Equal("設問 1-6 会員の業種 = 5. 製造業", AdminTestKit.ById(html, "segment"));
        Assert.Equal(25, AdminTestKit.Counts(AdminTestKit.Section(html, "t-1-3"))[^1]);

        // Two filters: manufacturing associations with 100 to 500 members.
        var both = await client.GetStringAsync("/admin/results?f=1-6%3D5&f=1-3%3D4");
        var n = long.Parse(AdminTestKit.ById(both, "n"));
        Assert.InRange(n, 1, 24);
        Assert.Equal([0, 0, 0, n, 0, 0, 0, n], AdminTestKit.Counts(AdminTestKit.Section(both, "t-1-3")));

        var wrong = await client.GetStringAsync("/admin/results?f=9-9%3D1");
        Assert.Contains("絞り込みの設問 9-9 は調査票", wrong);
        Assert.Equal("48", AdminTestKit.ById(wrong, "n"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheCrossTable_4_3a_By_4_4a_CountsRowAndColumnPercents(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();

        var html = await client.GetStringAsync("/admin/results?rows=4-3-a&cols=4-4-a");
        var counts = Table(html, "cross-count");
        Assert.Equal("8", counts[("1", "1")]);
        Assert.Equal("3", counts[("1", "2")]);
        Assert.Equal("3", counts[("2", "1")]);
        Assert.Equal("12", counts[("2", "2")]);
        var rows = Table(html, "cross-row");
        var cols = Table(html, "cross-col");
        Assert.EndsWith("%", rows[("1", "1")]);
        Assert.EndsWith("%", cols[("1", "1")]);
        Assert.Contains("クロス集計: 表側 設問 4-3-a 業界ガイドライン策定支援の活用意向：活用意向 × 表頭 設問 4-4-a 専門家派遣による規程・体制構築支援の活用意向：活用意向（n = 48）", html);
    }

    [Fact]
    public async Task Drafts_AreCountedButNeverTabulated()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        await app.InviteAsync("T01");
        await using (var db = app.Db())
        {
            // A draft that chose 10社未満 (1-3 = 1): tabulated, it would make that count 2.
            var invitation = await db.Invitations.SingleAsync(i => i.Organisation.Code == "T01");
            db.Drafts.Add(new Draft { InvitationId = invitation.Id, Answers = "{\"q1_3\":\"1\"}", Version = 1, UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var client = await app.SignedInClientAsync();

        var html = await client.GetStringAsync("/admin/results");
        Assert.Equal("48", AdminTestKit.ById(html, "n"));
        Assert.Equal("1", AdminTestKit.ById(html, "drafts"));
        Assert.Equal(1, AdminTestKit.Counts(AdminTestKit.Section(html, "t-1-3"))[0]);
    }

    [Fact]
    public async Task TheReportsFigures_AreDrawnInlineForTheSegment()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();

        // The figure is the page's own SVG (no image request that would tabulate again), named by its caption.
        var html = await client.GetStringAsync("/admin/results?f=1-6%3D5");
        var figure = Regex.Match(AdminTestKit.Section(html, "t-1-3"), "<figure class=\"chart-inline\" id=\"f-(\\d+)\">(.*?)</figure>", RegexOptions.Singleline);
        Assert.True(figure.Success, "no inline figure for table 2-2");
        Assert.DoesNotContain("<img", AdminTestKit.Section(html, "t-1-3"));
        var n = figure.Groups[1].Value;
        Assert.Contains($"role=\"img\" aria-labelledby=\"cap-{n}\"", figure.Groups[2].Value);
        Assert.Contains($"<figcaption id=\"cap-{n}\">図 2-1 会員数（設問 1-3）</figcaption>", figure.Groups[2].Value + "</figure>");
        Assert.Contains("n=25", figure.Groups[2].Value);
        Assert.Contains("n=48", AdminTestKit.Section(await client.GetStringAsync("/admin/results"), "t-1-3"));

        // The PNG of a figure is still served, for the segment too.
        var png = await client.GetAsync("/admin/results/figures/1-3.png?f=1-6%3D5");
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        var bytes = await png.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        var everyone = await client.GetByteArrayAsync("/admin/results/figures/1-3.png");
        Assert.NotEqual(bytes, everyone); // 25 respondents are not 48

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/results/figures/9-9.png")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/admin/results/figures/1-3.png?f=9-9%3D1")).StatusCode);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task TheResults_AreTabulatedOncePerDataVersion_AndANewSubmissionOrValidityChangeShowsAtOnce(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var admin = await app.SignedInClientAsync();
        var analyst = await app.SignedInAsAsync("suzuki", "analyst");
        var cache = app.Services.GetRequiredService<Shirabe.Admin.ResultsCache>();

        Assert.Equal("48", AdminTestKit.ById(await admin.GetStringAsync("/admin/results"), "n"));
        var made = cache.Made;
        // The same data again, another section, another user, the report page, the figure: nothing is tabulated again.
        Assert.Equal("48", AdminTestKit.ById(await admin.GetStringAsync("/admin/results?section=all"), "n"));
        Assert.Equal("48", AdminTestKit.ById(await analyst.GetStringAsync("/admin/results"), "n"));
        await admin.GetStringAsync("/admin/report");
        await admin.GetByteArrayAsync("/admin/results/figures/1-3.png");
        Assert.Equal(made, cache.Made);

        // A new association submits 10社未満 through the questionnaire: both users see it on their next view.
        var token = await app.InviteAsync("T01");
        var respondent = app.Client();
        await TestApp.PostSectionAsync(respondent, token, "1",
        [
            ("q1_1_a", "山田 太郎"), ("q1_1_b", "ヤマダ タロウ"), ("q1_2_a", "一般社団法人テスト工業会"), ("q1_3", "1"),
            ("q1_4_a", "60"), ("q1_4_b", "40"), ("q1_4_c", "0"), ("q1_5_a", "70"), ("q1_5_b", "20"), ("q1_5_c", "10"), ("q1_6", "5"),
        ]);
        Assert.Equal("48", AdminTestKit.ById(await admin.GetStringAsync("/admin/results"), "n")); // a draft changes nothing
        Assert.Equal(HttpStatusCode.Redirect, (await TestApp.SubmitAsync(respondent, token)).StatusCode);
        var html = await admin.GetStringAsync("/admin/results");
        Assert.Equal("49", AdminTestKit.ById(html, "n"));
        Assert.Equal([2, 12, 8, 24, 0, 2, 1, 49], AdminTestKit.Counts(AdminTestKit.Section(html, "t-1-3")));
        Assert.Contains("n=49", AdminTestKit.Section(html, "t-1-3")); // the figure too
        var seen = await analyst.GetStringAsync("/admin/results");
        Assert.Equal([2, 12, 8, 24, 0, 2, 1, 49], AdminTestKit.Counts(AdminTestKit.Section(seen, "t-1-3")));
        Assert.Equal(2, AdminTestKit.Counts(AdminTestKit.Section(await admin.GetStringAsync("/admin/report"), "part-1-3"))[0]);
        Assert.Equal("26", AdminTestKit.ById(await admin.GetStringAsync("/admin/results?f=1-6%3D5"), "n")); // a segment too

        // The 管理者 marks that submission invalid: it leaves the results for both users.
        int id;
        await using (var db = app.Db()) id = await db.Organisations.Where(o => o.Code == "T01").Select(o => o.Id).SingleAsync();
        var invalid = await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{id}/validity", $"/admin/invitees/{id}/validity",
            ("valid", "false"), ("reason", "重複した回答"));
        Assert.Equal(HttpStatusCode.Redirect, invalid.StatusCode);
        seen = await analyst.GetStringAsync("/admin/results");
        Assert.Equal([1, 12, 8, 24, 0, 2, 1, 48], AdminTestKit.Counts(AdminTestKit.Section(seen, "t-1-3")));
        Assert.Equal("25", AdminTestKit.ById(await admin.GetStringAsync("/admin/results?f=1-6%3D5"), "n"));
        Assert.Contains("n=48", AdminTestKit.Section(await admin.GetStringAsync("/admin/results"), "t-1-3"));
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AChangeCommittedElsewhere_IsReadAloneIntoTheNextView_WithTheCountsOfAFullTabulation(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        await app.ImportReconstructedAsync();
        var admin = await app.SignedInClientAsync();
        var cache = app.Services.GetRequiredService<Shirabe.Admin.ResultsCache>();
        Assert.Equal("48", AdminTestKit.ById(await admin.GetStringAsync("/admin/results"), "n"));
        var whole = cache.ReadWhole;

        // A new submission through another server instance's questionnaire (nothing tells this one).
        await using (var other = app.SecondInstance())
        {
            var token = await app.InviteAsync("T01");
            var respondent = other.Client();
            await TestApp.PostSectionAsync(respondent, token, "1", SectionOne("1"));
            Assert.Equal(HttpStatusCode.Redirect, (await TestApp.SubmitAsync(respondent, token)).StatusCode);
            await AssertViewIsAFullTabulationAsync(app, admin, 49, [2, 12, 8, 24, 0, 2, 1, 49]);

            // The same invitation submits again with another answer: its earlier answers leave the counts.
            await TestApp.PostSectionAsync(respondent, token, "1", SectionOne("2"));
            Assert.Equal(HttpStatusCode.Redirect, (await TestApp.SubmitAsync(respondent, token)).StatusCode);
            await AssertViewIsAFullTabulationAsync(app, admin, 49, [1, 13, 8, 24, 0, 2, 1, 49]);
        }

        // Two rows by the command line's import (`shirabe import`).
        await app.SubmitOneMoreAsync("C01", (r, s) => r with { Answers = Answer(r, s, "1-3", 4) });
        await app.SubmitOneMoreAsync("C02", (r, s) => r with { Answers = Answer(r, s, "1-3", 4) });
        await AssertViewIsAFullTabulationAsync(app, admin, 51, [1, 13, 8, 26, 0, 2, 1, 51]);

        // The 管理者 marks T01's submission invalid, then valid again.
        int t01;
        await using (var db = app.Db()) t01 = await db.Organisations.Where(o => o.Code == "T01").Select(o => o.Id).SingleAsync();
        foreach (var (valid, counts) in new[] { ("false", new long[] { 1, 12, 8, 26, 0, 2, 1, 50 }), ("true", [1, 13, 8, 26, 0, 2, 1, 51]) })
        {
            Assert.Equal(HttpStatusCode.Redirect, (await AdminTestKit.PostFormAsync(admin, $"/admin/invitees/{t01}/validity",
                $"/admin/invitees/{t01}/validity", ("valid", valid), ("reason", "確認のため"))).StatusCode);
            await AssertViewIsAFullTabulationAsync(app, admin, (int)counts[^1], counts);
        }
        Assert.Equal(whole, cache.ReadWhole); // every change above was read alone

        // A history row committed after one with a greater id (ids are handed out before commit): the rows found after
        // the last id read cannot account for the counts, so everything is read again, and the counts are still exact.
        long last;
        await using (var db = app.Db()) last = await db.AnswerHistory.MaxAsync(h => h.Id);
        await ResubmitAsync(app, "C01", 1, last + 10);
        await AssertViewIsAFullTabulationAsync(app, admin, 51, [2, 13, 8, 25, 0, 2, 1, 51]);
        Assert.Equal(whole, cache.ReadWhole);
        await ResubmitAsync(app, "C02", 1, last + 5);
        await AssertViewIsAFullTabulationAsync(app, admin, 51, [3, 13, 8, 24, 0, 2, 1, 51]);
        Assert.Equal(whole + 1, cache.ReadWhole);
    }

    /// <summary>Section 1 answered as a new association would, with 1-3 (会員数) = <paramref name="members"/>.</summary>
    private static (string, string)[] SectionOne(string members) =>
    [
        ("q1_1_a", "山田 太郎"), ("q1_1_b", "ヤマダ タロウ"), ("q1_2_a", "一般社団法人テスト工業会"), ("q1_3", members),
        ("q1_4_a", "60"), ("q1_4_b", "40"), ("q1_4_c", "0"), ("q1_5_a", "70"), ("q1_5_b", "20"), ("q1_5_c", "10"), ("q1_6", "5"),
    ];

    /// <summary>The answers of <paramref name="r"/> with item <paramref name="code"/> answered <paramref name="option"/>.</summary>
    private static Shirabe.Core.Questionnaire.Answer[] Answer(Shirabe.Core.Responses.Response r, Shirabe.Core.Questionnaire.Survey s, string code, int option)
    {
        var answers = r.Answers.ToArray();
        answers[s[code].Index] = Shirabe.Core.Questionnaire.Answer.Single(option);
        return answers;
    }

    /// <summary>Resubmits <paramref name="code"/>'s answers with 1-3 = <paramref name="option"/> as the submit path writes them, its history row with id <paramref name="id"/>.</summary>
    private static async Task ResubmitAsync(TestApp app, string code, int option, long id)
    {
        await using var db = app.Db();
        var submission = await db.Submissions.SingleAsync(s => s.Invitation.Organisation.Code == code);
        var cells = StoredAnswers.Parse(submission.Answers);
        cells["q1_3"] = option.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var answers = StoredAnswers.Serialize(cells);
        submission.Version++;
        submission.Answers = answers;
        submission.SubmittedAt = app.Clock.GetUtcNow().UtcDateTime;
        db.AnswerHistory.Add(new AnswerHistory
        {
            Id = id, InvitationId = submission.InvitationId, Version = submission.Version, Answers = answers,
            SubmittedAt = submission.SubmittedAt, SurveyVersionId = submission.SurveyVersionId,
        });
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// The console's next view shows <paramref name="n"/> and table 2-2's <paramref name="counts"/>, and the tabulation
    /// it was made from (kept by the cache: looking it up makes none) equals a fresh full read and tabulation of the
    /// database's valid submissions: every table, every free-text listing, in the same order.
    /// </summary>
    private static async Task AssertViewIsAFullTabulationAsync(TestApp app, HttpClient admin, int n, long[] counts)
    {
        var html = await admin.GetStringAsync("/admin/results");
        Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), AdminTestKit.ById(html, "n"));
        Assert.Equal(counts, AdminTestKit.Counts(AdminTestKit.Section(html, "t-1-3")));
        var cache = app.Services.GetRequiredService<Shirabe.Admin.ResultsCache>();
        var made = cache.Made;
        await using var db = app.Db();
        var version = app.Services.GetRequiredService<Shirabe.Surveys.SurveyCatalog>().ServedVersionId;
        var kept = await cache.GetAsync(db, app.Survey, version, null, CancellationToken.None);
        Assert.Equal(made, cache.Made);
        var full = await Shirabe.Fieldwork.SubmittedResponses.LoadAsync(db, app.Survey);
        Assert.Equal(full.Select(r => (r.Id, r.SubmittedAt)), kept.Responses.Select(r => (r.Id, r.SubmittedAt)));
        Assert.Equal(Shirabe.Core.Tabulation.TabulationJson.ToJson(Shirabe.Core.Tabulation.Tabulate.Survey(app.Survey, full)),
            Shirabe.Core.Tabulation.TabulationJson.ToJson(kept.Tabulation));
    }

    /// <summary>A cross table's cells by (row code, column code).</summary>
    private static Dictionary<(string, string), string> Table(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no table #{id}");
        var table = html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
        return Regex.Matches(table, "data-row=\"([^\"]+)\" data-col=\"([^\"]+)\">([^<]*)<")
            .ToDictionary(m => (m.Groups[1].Value, m.Groups[2].Value), m => m.Groups[3].Value);
    }
}

/// <summary>The results page's pick-lists, its pages per section and their contents (issue 8, items 10 and 12).</summary>
public class AdminResultsNavigationTests
{
    [Fact]
    public async Task FiltersAndCrossTables_ArePickListsNamedByWording()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();

        var html = await client.GetStringAsync("/admin/results");
        // Each filter is a select of ITEM=CODE values grouped by item, labelled with the item's and the option's wording.
        Assert.Equal(2, Regex.Matches(html, "<select id=\"f[0-9]\" name=\"f\">").Count);
        var two = await client.GetStringAsync("/admin/results?f=1-6%3D5&f=1-3%3D4");
        Assert.Equal(3, Regex.Matches(two, "<select id=\"f[0-9]\" name=\"f\">").Count); // one more than chosen
        Assert.Contains("<optgroup label=\"設問 1-6 会員の業種\">", html);
        Assert.Contains("<option value=\"1-6=5\">1-6 5. 製造業</option>", html);
        Assert.Contains("<option value=\"1-3=無回答\">1-3 無回答</option>", html);
        // 4-3-a and 4-4-a (both labelled 活用意向) are told apart by their question's title.
        var rows = html[html.IndexOf("<select id=\"rows\"", StringComparison.Ordinal)..];
        rows = rows[..rows.IndexOf("</select>", StringComparison.Ordinal)];
        Assert.Contains(">設問 4-3-a 業界ガイドライン策定支援の活用意向：活用意向</option>", rows);
        Assert.Contains(">設問 4-4-a 専門家派遣による規程・体制構築支援の活用意向：活用意向</option>", rows);
        var names = Regex.Matches(rows, "<option value=\"[^\"]+\">([^<]+)</option>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public async Task TypedFilters_StillWork_AndAreKeptInThePickList()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();

        var chosen = await client.GetStringAsync("/admin/results?f=1-6%3D5");
        Assert.Contains("<option value=\"1-6=5\" selected=\"selected\">", chosen);
        // Two codes at once are not in the list: shown as given, selected, so the form sends them again.
        var two = await client.GetStringAsync("/admin/results?f=1-6%3D5,6");
        Assert.Contains("<option value=\"1-6=5,6\" selected>指定どおり: 1-6=5,6</option>", two);
        Assert.Equal("設問 1-6 会員の業種 = 5. 製造業 または 6. 電気・ガス・熱供給・水道業", AdminTestKit.ById(two, "segment"));

        // A wrong code is explained with the options' wording, not bare numbers.
        var wrong = await client.GetStringAsync("/admin/results?f=1-3%3D9");
        Assert.Contains("設問 1-3 会員数 の選択肢は 1. 10社未満、2. 10社～50社未満", WebUtility.HtmlDecode(wrong));
        Assert.Equal("48", AdminTestKit.ById(wrong, "n"));
    }

    [Fact]
    public async Task ThePageOfEveryTable_LinksALongAnswerListingToItsSectionsPage()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();

        // 21 more associations answer 2-2 in their own words: the listing is on its section's page, linked from the page of every table.
        for (var i = 1; i <= Shirabe.Admin.ResultsModel.AllSectionsListingRows + 1; i++)
        {
            var words = $"自由回答 {i:00} <b>";
            await app.SubmitOneMoreAsync($"W{i:00}", (r, s) => ReportFixtures.WithText(r, s, "2-2", words));
        }
        var all = await client.GetStringAsync("/admin/results?section=all");
        var linked = AdminTestKit.Section(all, "t-2-2");
        Assert.DoesNotContain("自由回答 21", linked);
        Assert.Contains("listed-elsewhere", linked);
        Assert.Contains("<a href=\"/admin/results?section=2#t-2-2\">セクション 2 のページ</a>", linked);
        Assert.Contains("href=\"#t-2-2\"", all); // the contents list still leads to it
        var section = AdminTestKit.Section(await client.GetStringAsync("/admin/results?section=2"), "t-2-2");
        Assert.Contains("自由回答 21 &lt;b&gt;", section);
    }

    [Fact]
    public async Task EachSection_HasItsOwnPageWithAContentsList()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite);
        await app.ImportReconstructedAsync();
        var client = await app.SignedInClientAsync();

        var first = await client.GetStringAsync("/admin/results");
        Assert.Contains("id=\"t-1-3\"", first);
        Assert.DoesNotContain("id=\"t-4-3-a\"", first);
        Assert.Contains("<strong aria-current=\"page\">1. ", first);

        var fourth = await client.GetStringAsync("/admin/results?section=4&f=1-6%3D5");
        Assert.DoesNotContain("id=\"t-1-3\"", fourth);
        Assert.Contains("id=\"t-4-3-a\"", fourth);
        Assert.Equal("25", AdminTestKit.ById(fourth, "n")); // the segment applies on every section page
        // The contents list links every table of the page, and the section links keep the segment.
        var toc = fourth[fourth.IndexOf("id=\"toc\"", StringComparison.Ordinal)..];
        toc = toc[..toc.IndexOf("</nav>", StringComparison.Ordinal)];
        var anchors = Regex.Matches(toc, "href=\"#t-([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        var tables = Regex.Matches(fourth, "<section class=\"live-table\" id=\"t-([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(tables);
        Assert.Equal(tables, anchors);
        Assert.Contains("href=\"/admin/results?f=1-6%3D5&amp;section=2\"", fourth);

        var all = await client.GetStringAsync("/admin/results?section=all");
        Assert.Contains("id=\"t-1-3\"", all);
        Assert.Contains("id=\"t-4-3-a\"", all);
        int Tables(string page) => Regex.Matches(page, "<section class=\"live-table\"").Count;
        Assert.True(Tables(first) < Tables(all) / 2, $"section 1: {Tables(first)} tables, all: {Tables(all)}");
        Assert.True(all.Length < 300_000, $"{all.Length} bytes"); // the issue's budget per console page
    }
}

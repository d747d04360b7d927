using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>The fieldwork roster: statuses, counts, response rate, last activity, reissuing a link.</summary>
public partial class AdminProgressTests
{
    private static async Task<List<DemoSeed.Link>> SeedDemoAsync(TestApp app)
    {
        await using var db = app.Db();
        return await DemoSeed.SeedAsync(db, app.Survey, ReportFixtures.ResponsesPath, app.Clock);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ASignedInAdmin_SeesCountsMatchingTheSeededData(string provider)
    {
        await using var app = await TestApp.StartAsync(provider, TestApp.DuringFieldwork);
        var links = await SeedDemoAsync(app);
        // N01 has opened its link and saved a page (2023-11-01 01:30 UTC = 10:30 in Japan).
        await using (var db = app.Db())
        {
            var invitation = await db.Invitations.SingleAsync(i => i.Organisation.Code == "N01");
            db.Drafts.Add(new Draft { InvitationId = invitation.Id, Answers = "{}", Version = 1, UpdatedAt = new DateTime(2023, 11, 1, 1, 30, 0, DateTimeKind.Utc) });
            await db.SaveChangesAsync();
        }
        var client = await app.SignedInClientAsync();

        var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, await client.GetAsync("/admin?size=100"));
        Assert.Equal(57, links.Count);
        Assert.Equal("57", AdminTestKit.ById(html, "count-invited"));
        Assert.Equal("48", AdminTestKit.ById(html, "count-submitted"));
        Assert.Equal("1", AdminTestKit.ById(html, "count-draft"));
        Assert.Equal("8", AdminTestKit.ById(html, "count-unopened"));
        Assert.Equal("0", AdminTestKit.ById(html, "count-closed"));
        Assert.Equal("84.2%", AdminTestKit.ById(html, "rate"));
        Assert.Equal(48, Regex.Matches(html, "<td class=\"status-submitted\">提出済").Count);
        Assert.Matches("N01</td>\\s*<th scope=\"row\">一般社団法人日本架空精密機器工業会</th>\\s*<td>製造業</td>\\s*<td class=\"status-draft\">回答中（下書き）</td>\\s*<td>2023-11-01 10:30</td>", html);
        Assert.Matches("N02</td>\\s*<th scope=\"row\">[^<]+</th>\\s*<td>[^<]*</td>\\s*<td class=\"status-unopened\">未開封</td>\\s*<td>―</td>", html);
    }

    [Fact]
    public async Task AfterTheDeadline_UnsubmittedAssociationsShowAsClosed()
    {
        await using var app = await TestApp.StartAsync(TestApp.Sqlite, new DateTimeOffset(2023, 12, 16, 9, 0, 0, TimeSpan.FromHours(9)));
        await SeedDemoAsync(app);
        var client = await app.SignedInClientAsync();
        var html = await client.GetStringAsync("/admin");
        Assert.Equal("9", AdminTestKit.ById(html, "count-closed"));
        Assert.Equal("0", AdminTestKit.ById(html, "count-unopened"));
        Assert.Equal("48", AdminTestKit.ById(html, "count-submitted"));
        Assert.Contains("締切後）", html);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task ReissuingALink_RevokesTheOld_ShowsTheNewOnce_AndKeepsTheAnswers(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var links = await SeedDemoAsync(app);
        var r01 = links.Single(l => l.Code == "R01");
        int associationId;
        await using (var db = app.Db())
            associationId = await db.Organisations.Where(a => a.Code == "R01").Select(a => a.Id).SingleAsync();
        var client = await app.SignedInClientAsync();

        var confirm = $"/admin/invitees/{associationId}/reissue";
        var response = await AdminTestKit.PostFormAsync(client, confirm, confirm);
        var html = await HttpAssert.StatusAsync(HttpStatusCode.OK, response);
        var newLink = AdminTestKit.ById(html, "new-link");
        Assert.Matches("^http://localhost/a/[A-Za-z0-9_-]{24}$", newLink);
        var newPath = new Uri(newLink).AbsolutePath;

        var respondent = app.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await respondent.GetAsync(InvitationTokens.Path(r01.Token))).StatusCode);
        var thanks = await respondent.GetAsync(newPath + "/thanks");
        Assert.Equal(HttpStatusCode.OK, thanks.StatusCode); // the submission is the invitation's, whatever its link

        var again = await client.GetStringAsync("/admin");
        Assert.DoesNotContain(newLink, again); // shown once only
        Assert.Equal("48", AdminTestKit.ById(again, "count-submitted"));
        Assert.Equal("57", AdminTestKit.ById(again, "count-invited"));
        await using (var db = app.Db())
        {
            Assert.Equal(1, await db.AccessLinks.CountAsync(l => l.Invitation.OrganisationId == associationId && l.RevokedAt == null));
            Assert.Equal(1, await db.Invitations.CountAsync(i => i.OrganisationId == associationId));
            Assert.Equal(1, await db.Submissions.CountAsync(s => s.Invitation.OrganisationId == associationId));
        }
    }
}

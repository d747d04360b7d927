using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>The reissue rule on its owner (<see cref="LinkReissue"/>); the console page only calls it.</summary>
public class LinkReissueTests
{
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Reissuing_RevokesEveryLiveLink_AddsANewOne_AndTheAnswersStayOnTheInvitation(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var now = new DateTime(2023, 11, 2, 3, 4, 5, DateTimeKind.Utc);
        string oldToken;
        int invitationId;
        await using (var db = app.Db())
        {
            oldToken = await TestApp.InviteAsync(db, app.Survey.Id, "R01", "再発行工業会");
            invitationId = await db.Invitations.Where(i => i.Organisation.Code == "R01").Select(i => i.Id).SingleAsync();
            db.AccessLinks.Add(new AccessLink
            {
                InvitationId = invitationId, TokenHash = InvitationTokens.Hash(InvitationTokens.NewToken()),
                CreatedAt = now.AddDays(-9), RevokedAt = now.AddDays(-5),
            });
            db.Drafts.Add(new Draft { InvitationId = invitationId, Answers = """{"q3_1":"2"}""", Version = 2, UpdatedAt = now.AddDays(-4) });
            db.Submissions.Add(new Submission { InvitationId = invitationId, Answers = """{"q3_1":"2"}""", Version = 1, DraftVersion = 2,
                SubmittedAt = now.AddDays(-4), FirstSubmittedAt = now.AddDays(-4) });
            await db.SaveChangesAsync();
        }

        string token;
        await using (var db = app.Db())
            token = await LinkReissue.ReissueAsync(db, invitationId, now);

        await using (var db = app.Db())
        {
            var links = await db.AccessLinks.AsNoTracking().Where(l => l.InvitationId == invitationId).OrderBy(l => l.Id).ToListAsync();
            Assert.Equal(3, links.Count);
            // The live link is revoked now; the one revoked earlier keeps its time; the new one is live.
            Assert.Equal([now, now.AddDays(-5), null], links.Select(l => l.RevokedAt));
            var fresh = links.Single(l => l.RevokedAt is null);
            Assert.Equal(InvitationTokens.Hash(token), fresh.TokenHash);
            Assert.Equal(now, fresh.CreatedAt);
            Assert.Equal(invitationId, await db.Drafts.Select(d => d.InvitationId).SingleAsync());
            Assert.Equal(invitationId, await db.Submissions.Select(s => s.InvitationId).SingleAsync());
            Assert.Equal(1, await db.Invitations.CountAsync());
        }
        var client = app.Client();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync($"/a/{token}")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync($"/a/{oldToken}")).StatusCode);
    }
}

using Microsoft.EntityFrameworkCore;
using Shirabe.Data;
using Shirabe.Fieldwork;

namespace Shirabe.Tests;

/// <summary>The reissue rule on its owner (<see cref="LinkReissue"/>); the console page only calls it.</summary>
public class LinkReissueTests
{
    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task Reissuing_RevokesEveryLink_AndMovesTheNewestLinksAnswersToTheNewOne(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var now = new DateTime(2023, 11, 2, 3, 4, 5, DateTimeKind.Utc);
        int associationId, older, newest;
        await using (var db = app.Db())
        {
            var association = new Association { Code = "R01", Name = "再発行工業会", CreatedAt = now.AddDays(-9) };
            Invitation Link(int daysAgo) => new()
            {
                Association = association, SurveyId = app.Survey.Id, CreatedAt = now.AddDays(-daysAgo),
                TokenHash = InvitationTokens.Hash(InvitationTokens.NewToken()),
            };
            var a = Link(9);
            var b = Link(5);
            db.Invitations.AddRange(a, b);
            db.Drafts.Add(new Draft { Invitation = a, Answers = """{"q3_1":"1"}""", Version = 1, UpdatedAt = now.AddDays(-8) });
            db.Drafts.Add(new Draft { Invitation = b, Answers = """{"q3_1":"2"}""", Version = 2, UpdatedAt = now.AddDays(-4) });
            db.Submissions.Add(new Submission { Invitation = b, Answers = """{"q3_1":"2"}""", Version = 1, DraftVersion = 2,
                SubmittedAt = now.AddDays(-4), FirstSubmittedAt = now.AddDays(-4) });
            await db.SaveChangesAsync();
            db.AnswerHistory.Add(new AnswerHistory { InvitationId = b.Id, Version = 1, Answers = """{"q3_1":"2"}""", SubmittedAt = now.AddDays(-4) });
            await db.SaveChangesAsync();
            (associationId, older, newest) = (association.Id, a.Id, b.Id);
        }

        string token;
        await using (var db = app.Db())
            token = await LinkReissue.ReissueAsync(db, associationId, app.Survey.Id, now);

        await using (var db = app.Db())
        {
            var links = await db.Invitations.AsNoTracking().Where(i => i.AssociationId == associationId).OrderBy(i => i.Id).ToListAsync();
            Assert.Equal(3, links.Count);
            Assert.Equal([now, now, null], links.Select(i => i.RevokedAt));
            var fresh = links[2];
            Assert.Equal(InvitationTokens.Hash(token), fresh.TokenHash);
            Assert.Equal(now, fresh.CreatedAt);
            // The newest link's draft, submission and history follow the association; an older link's draft stays.
            Assert.Equal(fresh.Id, await db.Drafts.Where(d => d.Answers == """{"q3_1":"2"}""").Select(d => d.InvitationId).SingleAsync());
            Assert.Equal(older, await db.Drafts.Where(d => d.Answers == """{"q3_1":"1"}""").Select(d => d.InvitationId).SingleAsync());
            Assert.Equal(fresh.Id, await db.Submissions.Select(s => s.InvitationId).SingleAsync());
            Assert.Equal(fresh.Id, await db.AnswerHistory.Select(h => h.InvitationId).SingleAsync());
            Assert.False(await db.Drafts.AnyAsync(d => d.InvitationId == newest));
        }
    }
}

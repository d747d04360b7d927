using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using PuppeteerSharp;
using Shirabe.Admin;
using Shirabe.Data;

namespace Shirabe.Browser.Tests;

/// <summary>
/// The fieldwork path in the console (issue 11): a roster uploaded on /admin/roster, invitations sent from /admin/mail
/// and written by the background sender to the pickup folder (no SMTP configured), a link followed from a mail and
/// answered, and the fieldwork page's counts changed by it. The mail page's delivery table refreshes itself while mail is
/// being sent (issue 11 item 9).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class FieldworkConsoleTests(ShirabeSite site)
{
    [Fact]
    public async Task RosterUpload_Invitations_ToThePickupFolder_AnsweredFromTheMail()
    {
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        await using var server = await ShirabeServer.StartAsync(Sc3.DuringPeriod);
        await using (var db = server.Services.GetRequiredService<Database>().CreateContext())
            await new AdminUsers(db, new PasswordHasher<AdminUser>(), server.Services.GetRequiredService<TimeProvider>())
                .AddAsync(ConsoleSite.Name, ConsoleSite.Password);
        var console = new ConsoleSite(server, page);
        await console.SignInAsync();

        // The roster: three invitees, imported by the job page (which reloads itself until done).
        var csv = Path.Combine(server.Directory, "roster.csv");
        await File.WriteAllTextAsync(csv, "コード,団体名,担当者名,メールアドレス\n" +
            "F01,一般社団法人現地調査工業会,現地 一郎,f01@example.jp\n" +
            "F02,一般社団法人現地調査協会,現地 二郎,f02@example.jp\n" +
            "F03,一般財団法人現地調査センター,現地 三郎,f03@example.jp\n");
        await console.OpenAsync("/admin/roster");
        await (await page.QuerySelectorAsync("#roster-file")).UploadFileAsync(csv);
        await console.ClickAsync("#upload-form button[type=submit]");
        Assert.Contains("/admin/roster/imports/", page.Url);
        await page.WaitForSelectorAsync("#job-state[data-state='done']", new WaitForSelectorOptions { Timeout = 60_000 });
        Assert.Contains("新規 3 件", await console.TextAsync("#import-done"));

        // Invitations: the count, a confirmation, then queued.
        await console.OpenAsync("/admin/mail");
        Assert.Equal("3", await console.TextAsync("#uninvited-count"));
        await console.ClickAsync("form[action*='handler=invite'] button");
        Assert.Contains("3 団体に依頼メールを送ります", await console.TextAsync("#mail-confirm"));
        await console.ClickAsync("#mail-confirm button[type=submit]");
        Assert.Contains("3", await console.TextAsync("#mail-done"));
        var confirmedAt = page.Url;

        // The delivery table follows the sender on this page (fetched again, not reloaded) until the queue is empty.
        await page.WaitForFunctionAsync(
            "() => document.querySelector('#delivery-progress')?.dataset.busy === 'false' && document.querySelector('#count-sent')?.innerText === '3'",
            new WaitForFunctionOptions { Timeout = 90_000, PollingInterval = 250 });
        Assert.Equal(confirmedAt, page.Url);
        Assert.Contains("3", await console.TextAsync("#mail-done")); // the result of the POST is still shown
        Assert.Equal("0", await console.TextAsync("#count-queued"));
        Assert.Contains("送信待ちのメールはありません", await console.TextAsync("#delivery-idle"));

        // The background sender writes them to data/mail/ (polled, not slept on).
        var pickup = Path.Combine(server.Directory, "mail");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string[] files = [];
        while (DateTime.UtcNow < deadline)
        {
            files = Directory.Exists(pickup) ? Directory.GetFiles(pickup, "*.eml") : [];
            if (files.Length >= 3) break;
            await Task.Delay(250);
        }
        Assert.Equal(3, files.Length);
        var mails = files.Select(f => MimeMessage.Load(f)).ToList();
        Assert.Equal(["f01@example.jp", "f02@example.jp", "f03@example.jp"], mails.Select(m => m.To.Mailboxes.Single().Address).Order());
        var f01 = mails.Single(m => m.To.Mailboxes.Single().Address == "f01@example.jp");
        Assert.Contains("一般社団法人現地調査工業会", f01.TextBody);
        var token = LinkPattern().Match(f01.TextBody!).Groups[1].Value;
        Assert.NotEmpty(token);

        // The invitee follows the link and saves the first section.
        var (respondentContext, respondent) = await site.NewPageAsync();
        await using var __ = respondentContext;
        var opened = await respondent.GoToAsync(server.Url($"/a/{token}"));
        Assert.Equal(200, (int)opened.Status);
        Assert.Contains("一般社団法人現地調査工業会", await respondent.EvaluateExpressionAsync<string>("document.body.innerText"));
        await respondent.GoToAsync(server.Url($"/a/{token}/s/1"));
        await respondent.ClickAsync("label[for='q1_3-2']");
        var saved = respondent.WaitForNavigationAsync();
        await respondent.ClickAsync("button[value=save]");
        await saved;

        // The fieldwork page: three mailed, one in progress, two unopened.
        await console.OpenAsync("/admin");
        Assert.Equal("3", await console.TextAsync("#count-invited"));
        Assert.Equal("3", await console.TextAsync("#count-mailed"));
        Assert.Equal("1", await console.TextAsync("#count-opened"));
        Assert.Equal("1", await console.TextAsync("#count-draft"));
        Assert.Equal("2", await console.TextAsync("#count-unopened"));
    }

    [GeneratedRegex(@"/a/([A-Za-z0-9_-]{24})")]
    private static partial Regex LinkPattern();
}

using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;
using Shirabe.Core.Questionnaire;
using Shirabe.Respond;

namespace Shirabe.Browser.Tests;

/// <summary>The whole questionnaire with the keyboard alone: Tab, Space, arrow keys, typing and Enter; never a click.</summary>
[Collection(BrowserCollection.Name)]
public sealed class KeyboardTests(ShirabeSite site)
{
    private static Survey Survey => Sc3.Survey;
    private const int MaxTabsPerPage = 400;

    private sealed record Focus(string Tag, string Type, string Name, string Value, string Text, bool Checked);

    private static async Task<Focus> FocusedAsync(IPage page)
    {
        var parts = await page.EvaluateExpressionAsync<string[]>(@"(() => { const e = document.activeElement || document.body;
            return [e.tagName, e.type || '', e.name || '', e.value || '', (e.textContent || '').trim(), e.checked ? '1' : '']; })()");
        return new Focus(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5] == "1");
    }

    /// <summary>Tabs forward until the focused button or link reads <paramref name="text"/>, then presses Enter.</summary>
    private static async Task TabToAndEnterAsync(IPage page, string text)
    {
        for (var i = 0; i < MaxTabsPerPage; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var f = await FocusedAsync(page);
            if (f.Tag is "A" or "BUTTON" && f.Text == text)
            {
                var navigation = page.WaitForNavigationAsync();
                await page.Keyboard.PressAsync("Enter");
                await navigation;
                return;
            }
        }
        Assert.Fail($"「{text}」に Tab キーで移動できません（{page.Url}）。");
    }

    /// <summary>
    /// Answers one page: Tab visits every control in order; at each, the person acts on what they want to answer.
    /// Radio groups take one Tab stop: Space chooses the focused option and the arrow keys move the choice.
    /// </summary>
    private static async Task AnswerByKeyboardAsync(Respondent person, FormPage section, IReadOnlyList<Answer> answers, string button)
    {
        var page = person.Page;
        var columns = new Dictionary<string, (Item Item, int Part)>(StringComparer.Ordinal);
        foreach (var item in Respondent.ItemsOf(section))
        {
            var part = 0;
            foreach (var column in item.Columns) columns[column] = (item, part++);
        }
        for (var i = 0; i < MaxTabsPerPage; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var f = await FocusedAsync(page);
            if (f.Tag == "BUTTON" && f.Text == button)
            {
                // Everything the person meant to answer on this page is entered (names the item that Tab never reached).
                await person.AssertPageHoldsAsync(section, answers);
                var navigation = page.WaitForNavigationAsync();
                await page.Keyboard.PressAsync("Enter");
                var response = await navigation;
                Assert.True(response.Ok, $"{section.Path}: {response.Status}");
                return;
            }
            if (!columns.TryGetValue(f.Name, out var target)) continue;
            var (item, partIndex) = target;
            var a = answers[item.Index];
            if (a.State != AnswerState.Given) continue;
            switch (f.Type)
            {
                case "radio":
                    var options = item.Options.Select(o => o.Code.ToString(CultureInfo.InvariantCulture)).ToList();
                    var want = options.IndexOf(a.Choice.ToString(CultureInfo.InvariantCulture));
                    if (!f.Checked) await page.Keyboard.PressAsync("Space");
                    for (var at = options.IndexOf(f.Value); at < want; at++) await page.Keyboard.PressAsync("ArrowDown");
                    for (var at = options.IndexOf(f.Value); at > want; at--) await page.Keyboard.PressAsync("ArrowUp");
                    break;
                case "checkbox":
                    if (a.Has(int.Parse(f.Value, CultureInfo.InvariantCulture)) != f.Checked) await page.Keyboard.PressAsync("Space");
                    break;
                case "text" or "textarea":
                    var text = item.Kind == ItemKind.Split
                        ? a.Parts![partIndex]?.ToString(CultureInfo.InvariantCulture) ?? ""
                        : a.Text!;
                    if (f.Value != text)
                    {
                        await person.SelectAllAsync(); // replaces a pre-filled value (the organisation name)
                        await page.Keyboard.TypeAsync(text);
                    }
                    break;
            }
        }
        Assert.Fail($"「{button}」に Tab キーで移動できません（{page.Url}）。");
    }

    [Fact]
    public async Task KeyboardOnly_CompletesWholeQuestionnaire()
    {
        var original = Sc3.Respondent("R07");
        var token = await site.Open.InviteAsync("K07");
        var (context, page) = await site.NewPageAsync();
        await using var _ = context;
        var person = new Respondent(page, site.Open);
        await person.OpenAsync($"/a/{token}");

        await TabToAndEnterAsync(page, "回答を始める");
        foreach (var section in Sc3.Pages)
        {
            Assert.Equal($"{section.Section.Id} {section.Section.Title}", await person.HeadingAsync());
            var button = section == Sc3.Pages[^1] ? "確認画面へ" : "次へ";
            await AnswerByKeyboardAsync(person, section, original.Answers, button);
        }

        Assert.Equal("回答内容の確認", await person.HeadingAsync());
        var before = site.Open.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await TabToAndEnterAsync(page, "回答を送信する");
        var after = site.Open.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        Assert.Equal("回答を受け付けました", await person.HeadingAsync());
        Assert.Equal("K07-1", await person.TextAsync("#receipt-number"));

        Export.AssertSameAnswers(await Export.RunCliAsync(site.Open), "K07", "R07", before, after);
    }
}

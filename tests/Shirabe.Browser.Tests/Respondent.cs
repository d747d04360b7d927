using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;
using Shirabe.Core.Questionnaire;
using Shirabe.Core.Responses;
using Shirabe.Respond;

namespace Shirabe.Browser.Tests;

/// <summary>
/// A person at the browser: opens pages, clicks labels, types into fields and presses the buttons by their Japanese
/// text. Reads the page only as a person would see it (what is shown, what is checked, what is typed).
/// </summary>
public sealed class Respondent(IPage page, ShirabeServer server)
{
    public IPage Page => page;
    public Survey Survey => server.Services.GetRequiredService<Shirabe.Surveys.ServedSurvey>().Survey;

    public async Task<IResponse> OpenAsync(string path, int expectedStatus = 200)
    {
        var response = await page.GoToAsync(server.Url(path));
        Assert.Equal(expectedStatus, (int)response.Status);
        return response;
    }

    /// <summary>Clicks the button or link whose visible text is <paramref name="text"/> and waits for the next page.</summary>
    public async Task<IResponse> PressAsync(string text)
    {
        var element = await FindByTextAsync(text);
        var navigation = page.WaitForNavigationAsync();
        await element.ClickAsync();
        return await navigation;
    }

    public async Task<IElementHandle> FindByTextAsync(string text)
    {
        var handle = await page.EvaluateFunctionHandleAsync(
            "t => [...document.querySelectorAll('button, a')].find(e => e.textContent.trim() === t && e.offsetParent !== null) ?? null", text);
        return handle as IElementHandle ?? throw new Xunit.Sdk.XunitException($"「{text}」が画面にありません（{page.Url}）。");
    }

    public Task<string> TextAsync(string selector) =>
        page.EvaluateFunctionAsync<string>("s => document.querySelector(s)?.innerText ?? ''", selector);

    public Task<string> HeadingAsync() => TextAsync("h1");

    /// <summary>Whether an item's block is on the page and shown (not removed or hidden by a skip rule).</summary>
    public Task<bool> IsShownAsync(Item item) => page.EvaluateFunctionAsync<bool>(
        "id => { const e = document.getElementById(id); return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0; }",
        "item-" + item.ColumnName);

    public static IEnumerable<Item> ItemsOf(FormPage page) => page.Items;

    /// <summary>
    /// Answers one page with <paramref name="answers"/> by mouse and typing: items that are not asked are not touched,
    /// and must be hidden once the page is filled in; every asked item must be shown.
    /// </summary>
    public async Task AnswerSectionAsync(FormPage section, IReadOnlyList<Answer> answers)
    {
        foreach (var item in ItemsOf(section))
        {
            var a = answers[item.Index];
            if (a.State != AnswerState.Given) continue;
            Assert.True(await IsShownAsync(item), $"設問 {item.Code} に答えたいのに表示されていません。");
            switch (item.Kind)
            {
                case ItemKind.Text:
                    await page.ClickAsync($"label[for='{item.ColumnName}']");
                    await SelectAllAsync(); // typing replaces what is there (the pre-filled organisation name)
                    await page.Keyboard.TypeAsync(a.Text!);
                    break;
                case ItemKind.Single or ItemKind.Matrix:
                    await page.ClickAsync($"label[for='{item.ColumnName}-{a.Choice}']");
                    break;
                case ItemKind.Multiple:
                    foreach (var code in a.ChoiceCodes())
                        await page.ClickAsync($"label[for='{item.ColumnName}-{code}']");
                    break;
                case ItemKind.Split:
                    foreach (var (column, part) in item.Columns.Zip(a.Parts!))
                    {
                        if (part is null) continue;
                        await page.ClickAsync($"label[for='{column}']");
                        await page.Keyboard.TypeAsync(part.Value.ToString(CultureInfo.InvariantCulture));
                    }
                    break;
            }
        }
        await AssertSkipRulesAsync(section, answers);
    }

    /// <summary>Every item of the page is shown exactly when the questionnaire's skip rules ask it.</summary>
    public async Task SelectAllAsync()
    {
        await page.Keyboard.DownAsync("Control");
        await page.Keyboard.PressAsync("a");
        await page.Keyboard.UpAsync("Control");
    }

    public async Task AssertSkipRulesAsync(FormPage section, IReadOnlyList<Answer> answers)
    {
        var shown = Survey.Shown(answers);
        foreach (var item in ItemsOf(section))
            Assert.True(shown[item.Index] == await IsShownAsync(item),
                $"設問 {item.Code} は{(shown[item.Index] ? "表示される" : "隠れる")}はずです（{page.Url}）。");
    }

    /// <summary>What the page's form holds for an item, as the responses file's cells (checked boxes, typed text).</summary>
    public async Task<string[]> CellsOnPageAsync(Item item)
    {
        var cells = new List<string>();
        foreach (var column in item.Columns)
            cells.Add(await page.EvaluateFunctionAsync<string>(@"(name, kind) => {
                const inputs = [...document.getElementsByName(name)];
                if (kind === 'choice') return inputs.filter(i => i.checked).map(i => i.value).join(';');
                return inputs.length ? inputs[0].value.replace(/\r\n/g, '\n') : '';
            }", column, item.Kind is ItemKind.Text or ItemKind.Split ? "value" : "choice"));
        return cells.ToArray();
    }

    /// <summary>The page shows exactly these answers for every asked item of the section.</summary>
    public async Task AssertPageHoldsAsync(FormPage section, IReadOnlyList<Answer> answers)
    {
        var shown = Survey.Shown(answers);
        foreach (var item in ItemsOf(section))
        {
            if (!shown[item.Index]) continue;
            var expected = AnswerCells.ToCells(item, answers[item.Index]).Select(kv => kv.Value).ToArray();
            Assert.Equal(expected, await CellsOnPageAsync(item));
        }
    }
}

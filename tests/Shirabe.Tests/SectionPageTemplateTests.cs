using System.Net;
using System.Text.RegularExpressions;

namespace Shirabe.Tests;

/// <summary>
/// The section page written from its per-version template (docs/decisions/067): free text and survey text are encoded
/// exactly once, whether the page is a view or a page sent back with errors.
/// </summary>
public class SectionPageTemplateTests
{
    private const string Markup = "\"><script>alert(\"x\")</script>&'<!--";

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task FreeTextWithMarkupAndQuotes_RoundTripsEncoded(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var token = await app.InviteAsync(name: "<b>団体</b>\"&'");
        var client = app.Client();

        // A page with an error comes back with what was typed, encoded.
        var invalid = await TestApp.PostSectionAsync(client, token, "1", [("q1_1_b", Markup), ("q1_4_a", "abc")], "save");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        AssertEncoded(await invalid.Content.ReadAsStringAsync(), "q1_1_b");

        // Saved, then viewed: the line input and the text area give back exactly what was typed.
        var saved = await TestApp.PostSectionAsync(client, token, "1", [("q1_1_b", Markup)], "save");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var page1 = await client.GetStringAsync($"/a/{token}/s/1");
        AssertEncoded(page1, "q1_1_b");
        Assert.Contains("&lt;b&gt;団体&lt;/b&gt;&quot;&amp;&#x27; 様", page1); // the organisation's name in the lead
        Assert.Equal(Markup, (await app.DraftAsync("T01"))!["q1_1_b"]);

        await TestApp.PostSectionAsync(client, token, "4", [("q4_1_a", "1"), ("q4_3_a", "2"), ("q4_3_b", Markup)], "save");
        var page4 = await client.GetStringAsync($"/a/{token}/s/4");
        var area = Regex.Match(page4, "<textarea name=\"q4_3_b\"[^>]*>([^<]*)</textarea>");
        Assert.True(area.Success, "the text area of 4-3-b is on the page");
        Assert.Equal(Markup, WebUtility.HtmlDecode(area.Groups[1].Value));
        Assert.DoesNotContain("<script>alert", page4);
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task SurveyTextWithMarkup_IsEncodedOnce(string provider)
    {
        var folder = Directory.CreateTempSubdirectory("shirabe-survey-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "surveys", "sc3-2023")))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var yaml = Path.Combine(folder, "survey.yaml");
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace("label: 氏名（フリガナ）", "label: 氏名<i>カナ</i> & \"よみ\""));
        await using var app = await TestApp.StartAsync(provider, survey: folder);
        var token = await app.InviteAsync();

        var html = await app.Client().GetStringAsync($"/a/{token}/s/1");

        Assert.Contains("氏名&lt;i&gt;カナ&lt;/i&gt; &amp; &quot;よみ&quot;", html);
        Assert.DoesNotContain("<i>カナ", html);
        Assert.DoesNotContain("&amp;lt;", html);
    }

    private static void AssertEncoded(string html, string column)
    {
        var value = Regex.Match(html, $"<input type=\"text\" name=\"{column}\" id=\"{column}\" value=\"([^\"]*)\"");
        Assert.True(value.Success, $"the input {column} is on the page");
        Assert.Equal(Markup, WebUtility.HtmlDecode(value.Groups[1].Value));
        Assert.DoesNotContain("<script>alert", html);
    }
}

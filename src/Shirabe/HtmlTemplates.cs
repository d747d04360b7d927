using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging.Abstractions;

namespace Shirabe;

/// <summary>
/// Renders a Razor component (a .razor template) to an HTML string, outside any request: for pages, PDFs and files
/// alike (docs/decisions/031-html-templates-as-razor-components.md).
/// </summary>
public static class HtmlTemplates
{
    // Text is encoded as the pages encode it (ShirabeApp: every Unicode range as is, only markup characters escaped).
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSingleton(HtmlEncoder.Create(UnicodeRanges.All))
        .AddSingleton(JavaScriptEncoder.Create(UnicodeRanges.All))
        .BuildServiceProvider();

    public static async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent
    {
        // A renderer per call: its dispatcher runs one render at a time, and renders are independent.
        await using var renderer = new HtmlRenderer(Services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shirabe.Pdf;
using Shirabe.Respond;

namespace Shirabe.Tests;

/// <summary>Issue 7, finding 2: PDFs anyone can ask for cannot exhaust the server.</summary>
public class PdfLimitsTests
{
    private static Action<IServiceCollection> Renderer(ChromiumPdf pdf) => s => s.Replace(ServiceDescriptor.Singleton(pdf));

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task WhenEveryPageIsBusy_PdfRequestsGet503WithRetryAfter_AndNothingMoreIsRendered(string provider)
    {
        await using var pdf = new ChromiumPdf(pages: 2, queue: 0);
        await using var app = await TestApp.StartAsync(provider, services: Renderer(pdf));
        var token = await app.InviteAsync();
        var client = app.Client();
        var held = new[] { await pdf.EnterAsync(false, default), await pdf.EnterAsync(false, default) };

        var responses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => client.GetAsync(i % 2 == 0 ? "/survey/blank.pdf" : $"/a/{token}/answers.pdf")));
        foreach (var r in responses.Where(r => r.StatusCode != HttpStatusCode.TooManyRequests)) // answers.pdf: per-link limit
        {
            var html = await HttpAssert.StatusAsync(HttpStatusCode.ServiceUnavailable, r);
            Assert.Contains("混み合っています", html);
            Assert.Equal(TimeSpan.FromSeconds(RespondEndpoints.RetryAfterSeconds), r.Headers.RetryAfter?.Delta);
        }
        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.ServiceUnavailable && r.RequestMessage!.RequestUri!.AbsolutePath.EndsWith("blank.pdf")));
        Assert.Equal(0, pdf.Renders);
        foreach (var h in held) h.Dispose();
    }

    [Theory, MemberData(nameof(TestApp.Providers), MemberType = typeof(TestApp))]
    public async Task AnswersPdf_IsLimitedPerLink(string provider)
    {
        await using var pdf = new ChromiumPdf(pages: 1, queue: 0);
        await using var app = await TestApp.StartAsync(provider, services: Renderer(pdf));
        var mine = await app.InviteAsync("T01");
        var other = await app.InviteAsync("T02", "別の工業会");
        var client = app.Client();
        using var held = await pdf.EnterAsync(false, default); // no render needed: 503 still counts against the link

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync($"/a/{mine}/answers.pdf")).StatusCode);
        var limited = await client.GetAsync($"/a/{mine}/answers.pdf");
        Assert.Contains("同じ PDF の作成が続いた", await HttpAssert.StatusAsync(HttpStatusCode.TooManyRequests, limited));
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync($"/a/{other}/answers.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/a/{mine}")).StatusCode); // the questionnaire is not limited
    }

    [Fact]
    public async Task TheReportsMultiPassRender_TakesAPageSlotToo()
    {
        await using var pdf = new ChromiumPdf(pages: 1, queue: 0);
        using var held = await pdf.EnterAsync(false, default);
        await Assert.ThrowsAsync<PdfBusyException>(() => pdf.RenderPassesAsync(new PdfPass("<p>x</p>"), _ => Task.FromResult<PdfPass?>(null), refuseWhenBusy: true));
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pdf.RenderPassesAsync(new PdfPass("<p>x</p>"), _ => Task.FromResult<PdfPass?>(null), cancel: wait.Token));
        Assert.Equal(0, pdf.Renders);
    }

    [Fact, Trait("Needs", "Chromium")]
    public async Task TheBlankQuestionnairePdf_IsRenderedOnce()
    {
        await using var pdf = new ChromiumPdf();
        await using var app = await TestApp.StartAsync(TestApp.Sqlite, services: Renderer(pdf));
        var client = app.Client();
        var first = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetByteArrayAsync("/survey/blank.pdf")));
        var later = await client.GetByteArrayAsync("/survey/blank.pdf");
        Assert.All(first.Append(later), b => Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(b, 0, 4)));
        Assert.Equal(1, pdf.Renders);
    }
}

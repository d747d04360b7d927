using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Shirabe.Tests;

/// <summary>The host that `serve` runs, on a real Kestrel port, as browser tests will start it.</summary>
public class KestrelHostTests
{
    [Fact]
    public async Task ShirabeAppBuild_ServesPagesAndStaticFilesOnARealPort()
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-kestrel-").FullName;
        try
        {
            var app = ShirabeApp.Build(["--urls", "http://127.0.0.1:0"], b =>
            {
                b.Configuration["Shirabe:Db"] = "Data Source=" + Path.Combine(dir, "k.db");
                b.Configuration["Shirabe:DataDir"] = dir;
                b.Configuration["Shirabe:Now"] = "2023-11-01";
            });
            await app.StartAsync();
            try
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                using var http = new HttpClient { BaseAddress = new Uri(address) };

                Assert.Contains("ご案内のメールに記載された貴団体専用のリンク", await http.GetStringAsync("/"));
                var css = await http.GetAsync("/css/site.css");
                Assert.Equal(HttpStatusCode.OK, css.StatusCode);
                Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/js/respond.js")).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/a/AAAAAAAAAAAAAAAAAAAAAAAA")).StatusCode);

                // Kestrel's body limit (1 MB): a Japanese 413 page, not a missing page or a stack trace.
                var token = Fieldwork.InvitationTokens.NewToken();
                await using (var db = app.Services.GetRequiredService<Data.Database>().CreateContext())
                {
                    token = await TestApp.InviteAsync(db, "sc3-2023", "K01", "Kestrel 協会");
                }
                var big = new StringContent("q2_2=" + new string('a', 1_500_000), System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");
                var tooLarge = await http.PostAsync($"/a/{token}/s/2", big);
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
                Assert.Contains("送信内容が大きすぎます", await tooLarge.Content.ReadAsStringAsync());
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Shirabe.Tests;

/// <summary>
/// Issue 7, finding 9: X-Forwarded-For is believed only from configured proxies, so a local process cannot rotate it
/// to escape the failed-lookup limit. On a real port: the client is 127.0.0.1, the old default's trusted proxy.
/// </summary>
public class ForwardedHeadersTests
{
    /// <summary>Wrong links from one client with a new X-Forwarded-For each time; returns the statuses.</summary>
    private static async Task<List<HttpStatusCode>> RotatingAsync(params (string Key, string Value)[] config)
    {
        var dir = Directory.CreateTempSubdirectory("shirabe-xff-").FullName;
        try
        {
            var app = ShirabeApp.Build(["--urls", "http://127.0.0.1:0"], b =>
            {
                b.Configuration["Shirabe:Db"] = "Data Source=" + Path.Combine(dir, "x.db");
                b.Configuration["Shirabe:DataDir"] = dir;
                b.Configuration["Shirabe:Now"] = "2023-11-01";
                b.Configuration["Shirabe:FailedLookupsPerMinute"] = "3";
                foreach (var (key, value) in config) b.Configuration[key] = value;
            });
            await app.StartAsync();
            try
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                using var http = new HttpClient { BaseAddress = new Uri(address) };
                var statuses = new List<HttpStatusCode>();
                for (var i = 1; i <= 6; i++)
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, $"/a/guess{i:D19}");
                    request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
                    statuses.Add((await http.SendAsync(request)).StatusCode);
                }
                return statuses;
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

    [Fact]
    public async Task ByDefault_ForwardedHeadersFromLoopbackAreIgnored()
    {
        var statuses = await RotatingAsync();
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Fact]
    public async Task OnlyANetworkConfigured_DoesNotTrustEveryOtherProxy()
    {
        var statuses = await RotatingAsync(("Shirabe:KnownNetworks", "10.0.0.0/8"));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Fact]
    public async Task AConfiguredProxy_IsBelieved()
    {
        var statuses = await RotatingAsync(("Shirabe:KnownProxies:0", "127.0.0.1"));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NotFound, s)); // each forwarded client is new
    }
}

using System.Net;
using B2BKpiApi.Http;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// X-Forwarded-For is believed only from ForwardedHeaders:KnownProxies. Observed through the failed-auth limiter,
/// which counts refused keys per client address: behind a trusted proxy two clients are two addresses; without
/// the setting (or from another proxy) the header is ignored and both count against the connection's address.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private sealed class ProxiedApi(string? knownProxies, string connectionFrom) : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("RateLimiting:FailedAuthPerMinute", "2");
            if (knownProxies is not null)
                builder.UseSetting("ForwardedHeaders:KnownProxies", knownProxies);
            // The test server has no socket: every request arrives "from" connectionFrom, as from a proxy on that address.
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new FromAddress(IPAddress.Parse(connectionFrom))));
        }
    }

    private sealed class FromAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextStep) =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextStep(context);
            });
            next(app);
        };
    }

    private static async Task<HttpStatusCode> BadKeyFrom(HttpClient http, string client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/clients");
        request.Headers.Add("X-Api-Key", "not-a-key");
        request.Headers.Add("X-Forwarded-For", client);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Behind_a_known_proxy_each_forwarded_client_address_is_limited_on_its_own()
    {
        using var api = new ProxiedApi("127.0.0.1", "127.0.0.1");
        using var http = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, await BadKeyFrom(http, "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Unauthorized, await BadKeyFrom(http, "203.0.113.5"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await BadKeyFrom(http, "203.0.113.5"));
        // Another client behind the same proxy is not slowed by the first one.
        Assert.Equal(HttpStatusCode.Unauthorized, await BadKeyFrom(http, "203.0.113.6"));
    }

    [Theory]
    [InlineData(null, "127.0.0.1")]          // default: no proxy trusted, not even loopback
    [InlineData("10.0.0.9", "127.0.0.1")]    // a proxy is configured, but the request comes from elsewhere
    public async Task Forwarded_addresses_from_an_untrusted_peer_are_ignored(string? knownProxies, string connectionFrom)
    {
        using var api = new ProxiedApi(knownProxies, connectionFrom);
        using var http = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, await BadKeyFrom(http, "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Unauthorized, await BadKeyFrom(http, "203.0.113.6"));
        // A third refused key from the same connection address is over the limit, whatever X-Forwarded-For claims.
        Assert.Equal(HttpStatusCode.TooManyRequests, await BadKeyFrom(http, "203.0.113.7"));
    }

    [Fact]
    public void Known_proxies_are_read_as_a_list_or_an_array_and_a_bad_address_fails_start_up()
    {
        static IConfiguration Config(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

        Assert.Empty(ProxyHeaders.KnownProxies(Config()));
        Assert.Equal(["127.0.0.1", "10.0.0.5"],
            ProxyHeaders.KnownProxies(Config(("ForwardedHeaders:KnownProxies", "127.0.0.1, 10.0.0.5"))).Select(a => a.ToString()));
        Assert.Equal(["::1", "10.0.0.5"],
            ProxyHeaders.KnownProxies(Config(("ForwardedHeaders:KnownProxies:0", "::1"), ("ForwardedHeaders:KnownProxies:1", "10.0.0.5"))).Select(a => a.ToString()));
        var error = Assert.Throws<InvalidOperationException>(() => ProxyHeaders.KnownProxies(Config(("ForwardedHeaders:KnownProxies", "proxy.local"))));
        Assert.Contains("ForwardedHeaders:KnownProxies", error.Message, StringComparison.Ordinal);
    }
}

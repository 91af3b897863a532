using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace B2BKpiApi.Http;

/// <summary>
/// Behind a reverse proxy (HAProxy in <c>scripts/cluster.sh</c> and <c>deploy/</c>) the connection comes from the
/// proxy; <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> say who the client is. They are believed only from the
/// addresses in <c>ForwardedHeaders:KnownProxies</c> (default: none, so the headers are ignored and anyone
/// sending them cannot pick the address the per-address limits count). ASP.NET Core's own default of trusting
/// loopback is switched off: only what is configured is trusted. One proxy hop is applied (the right-most
/// address the trusted proxy appended).
/// </summary>
public static class ProxyHeaders
{
    public const string Section = "ForwardedHeaders";

    /// <summary>The configured proxies: <c>ForwardedHeaders:KnownProxies</c> as an array, or one comma-separated value.</summary>
    public static IReadOnlyList<IPAddress> KnownProxies(IConfiguration configuration)
    {
        var section = configuration.GetSection($"{Section}:KnownProxies");
        var values = section.GetChildren().Select(c => c.Value).Append(section.Value)
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .SelectMany(v => v!.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var proxies = new List<IPAddress>();
        foreach (var value in values)
            proxies.Add(IPAddress.TryParse(value, out var address)
                ? address
                : throw new InvalidOperationException($"{Section}:KnownProxies holds '{value}', which is not an IP address."));
        return proxies;
    }

    public static IServiceCollection AddProxyHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = KnownProxies(configuration);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = 1;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
                // 127.0.0.1 also arrives as ::ffff:127.0.0.1 on a dual-stack socket.
                if (proxy.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                    o.KnownProxies.Add(proxy.MapToIPv6());
            }
        });
        return services;
    }

    /// <summary>First in the pipeline, so logs, limits and everything after see the client's address. Nothing configured: not added.</summary>
    public static IApplicationBuilder UseProxyHeaders(this WebApplication app)
    {
        if (KnownProxies(app.Configuration).Count > 0)
            app.UseForwardedHeaders();
        return app;
    }
}

using System.Security.Cryptography;
using System.Text;
using B2BKpiApi.Features.Kpis;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.Caching;

public static class KpiResponseCache
{
    /// <summary>
    /// Cache-Control of every KPI read. <c>private</c>: the answer is one tenant's and no shared cache may
    /// keep it; <c>no-cache</c>: a client may keep it but must revalidate (If-None-Match) before reuse,
    /// which costs it a 304 with no body. <c>no-store</c> would forbid the client's copy, and with it
    /// the 304s; should tenant data ever have to leave no trace on clients, switch to <c>no-store</c>
    /// here: clients that keep the ETag themselves still get their 304s.
    /// </summary>
    public const string CacheControl = "private, no-cache";

    public static IServiceCollection AddKpiResponseCache(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(KpiCacheOptions.Section);
        services.Configure<KpiCacheOptions>(section);
        var options = section.Get<KpiCacheOptions>() ?? new KpiCacheOptions();

        // HybridCache keeps its first level in the app's IMemoryCache; this bounds it in bytes (HybridCache
        // gives each entry its serialized size). Anything else that uses IMemoryCache must set entry sizes.
        services.AddMemoryCache(o => o.SizeLimit = options.LocalSizeLimitBytes);
        // Redis (ConnectionStrings:Redis, or Cache:Redis) is the shared second level, through the instance's one
        // Redis connection with its short timeouts and circuit (SharedRedis): with Redis down, reads use memory.
        services.AddSingleton<SharedRedis>();
        if (SharedRedis.ConnectionString(configuration) is not null)
            services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache, RedisSecondLevel>();
        services.AddHybridCache(o =>
        {
            o.MaximumPayloadBytes = options.MaxEntryBytes + 4096; // room for the content type and HybridCache's own header
            o.DefaultEntryOptions = new HybridCacheEntryOptions
            {
                Expiration = options.Expiration,
                LocalCacheExpiration = options.LocalExpiration < options.Expiration ? options.LocalExpiration : options.Expiration,
            };
        }).AddSerializer<CachedKpiResponse, CachedKpiResponse.Serializer>();
        services.AddScoped<KpiResultCache>();
        services.Configure<SwaggerGenOptions>(o => o.OperationFilter<KpiCachingOperationFilter>());
        return services;
    }

    /// <summary>Serves the KPI reads: after the tenant is known and the rate limit is counted, before any computation.</summary>
    public static IApplicationBuilder UseKpiResponseCache(this IApplicationBuilder app) => app.UseMiddleware<KpiResponseCacheMiddleware>();
}

/// <summary>
/// The KPI reads whose answers are cached, named by route template so that this works the same whatever
/// framework maps the endpoints: a result depends only on the tenant's data, the route and the query.
/// </summary>
public static class KpiReadRoutes
{
    private static readonly string[] Templates = ["v1/kpis/{id}", "v1/kpis/{id}/series", "v1/scorecard"];

    public static bool Contains(string? template)
    {
        if (template is null)
            return false;
        var trimmed = template.AsSpan().Trim('/');
        foreach (var candidate in Templates)
            if (trimmed.Equals(candidate, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    public static bool Contains(Endpoint? endpoint) => endpoint is RouteEndpoint route && Contains(route.RoutePattern.RawText);
}

/// <summary>
/// Answers a repeated KPI read from the cache and a revalidation with 304, with no computation.
/// The key is (tenant, data version, build, route, query): the data version is read from the database
/// with the API key on every request, so a write on any instance sharing the database retires every
/// cached answer of its tenant for the very next read, and nothing ever needs to be deleted (old
/// versions expire). Concurrent misses of one key compute once (HybridCache's stampede protection).
/// </summary>
public sealed class KpiResponseCacheMiddleware
{
    private readonly RequestDelegate _next;
    private readonly HybridCache _cache;
    private readonly bool _enabled;
    private readonly int _maxEntryBytes;
    private readonly string _namespace;

    public KpiResponseCacheMiddleware(RequestDelegate next, HybridCache cache, IOptions<KpiCacheOptions> options, IOptions<KpiOptions> kpis)
    {
        _next = next;
        _cache = cache;
        _enabled = options.Value.Enabled;
        _maxEntryBytes = options.Value.MaxEntryBytes;
        _namespace = Namespace(kpis.Value);
    }

    // A read with peers=true is never cached: its answer also depends on the tenant's peer setting and on the latest
    // peer snapshot, neither of which moves the tenant's data version (an opted-out tenant must not see a kept copy).
    public Task InvokeAsync(HttpContext context, TenantContext tenant) =>
        tenant.IsResolved && HttpMethods.IsGet(context.Request.Method) && KpiReadRoutes.Contains(context.GetEndpoint())
        && !Features.PeerBenchmarks.PeerBenchmarkReader.Requested(context.Request)
            ? ServeAsync(context, tenant)
            : _next(context);

    private async Task ServeAsync(HttpContext context, TenantContext tenant)
    {
        var fingerprint = Fingerprint(context.Request, tenant);
        var etag = $"\"{fingerprint}\"";
        if (IsNotModified(context.Request, etag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            SetValidators(context.Response, etag);
            return;
        }

        var attempt = new Attempt(this, context);
        CachedKpiResponse response;
        try
        {
            // Not cancellable on purpose: the first caller's computation runs inline on its own request,
            // which then has to wait for it rather than leave it running on a recycled HttpContext; the
            // computation itself stops with that request (its handlers take RequestAborted).
            response = _enabled
                ? await _cache.GetOrCreateAsync($"kpi:{tenant.TenantId:N}:{fingerprint}", attempt,
                    static (a, _) => a.Middleware.ComputeAsync(a), cancellationToken: CancellationToken.None)
                : await ComputeAsync(attempt);
        }
        catch (NotCacheableException) when (attempt.Body is not null)
        {
            // This request's own answer, computed but not to be kept (a 400, a 404, or too large): send it as it is.
            if (context.Response.StatusCode == StatusCodes.Status200OK)
                SetValidators(context.Response, etag);
            await context.Response.Body.WriteAsync(attempt.Body, context.RequestAborted);
            return;
        }
        catch (Exception) when (!attempt.Started)
        {
            // This request waited on another one's computation, which did not produce a cacheable answer
            // (its client went away, or the answer was a problem): answer this request on its own.
            await _next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        SetValidators(context.Response, etag);
        await context.Response.BodyWriter.WriteAsync(response.Body, context.RequestAborted);
    }

    /// <summary>Runs the endpoint into a buffer; only a 200 within the size limit becomes a cache entry.</summary>
    private async ValueTask<CachedKpiResponse> ComputeAsync(Attempt attempt)
    {
        attempt.Started = true;
        var context = attempt.Context;
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var buffered = new StreamResponseBodyFeature(buffer, original);
        context.Features.Set<IHttpResponseBodyFeature>(buffered);
        try
        {
            await _next(context);
            await buffered.CompleteAsync();
        }
        finally
        {
            buffered.Dispose();
            context.Features.Set(original);
        }

        var body = buffer.ToArray();
        if (context.Response.StatusCode != StatusCodes.Status200OK || body.Length > _maxEntryBytes)
        {
            attempt.Body = body;
            throw new NotCacheableException();
        }
        return new CachedKpiResponse(context.Response.ContentType ?? "application/json; charset=utf-8", body);
    }

    private static void SetValidators(HttpResponse response, string etag)
    {
        response.Headers.ETag = etag;
        response.Headers.CacheControl = KpiResponseCache.CacheControl;
        // The tenant comes from a header, not the URL: a client-side cache must not answer one key's
        // request with another key's response.
        response.Headers.Vary = Auth.Header;
    }

    private static bool IsNotModified(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
            return false;
        var current = new EntityTagHeaderValue(etag);
        foreach (var tag in tags)
            if (tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false))
                return true;
        return false;
    }

    /// <summary>
    /// SHA-256 of everything the answer depends on, base64url: the build and KPI limits, the tenant and
    /// its data version, the path and the query. The query is normalized the way binding reads it: names
    /// are case-insensitive and their order is irrelevant, while the order of one name's values is kept.
    /// </summary>
    private string Fingerprint(HttpRequest request, TenantContext tenant)
    {
        var text = new StringBuilder(256)
            .Append(_namespace).Append('\n')
            .Append(tenant.TenantId.ToString("N")).Append('\n')
            .Append(tenant.DataVersion).Append('\n')
            .Append(request.PathBase.Value).Append(request.Path.Value).Append('\n');
        var names = request.Query.Keys.ToArray();
        Array.Sort(names, StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            text.Append(Uri.EscapeDataString(name.ToLowerInvariant())).Append('=');
            foreach (var value in request.Query[name])
                text.Append(Uri.EscapeDataString(value ?? "")).Append(',');
            text.Append('&');
        }
        return Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// What else an answer depends on: the code that computed it (so instances of another build that share
    /// Redis never serve each other's results) and the KPI limits (which decide what is a valid request).
    /// </summary>
    internal static string Namespace(KpiOptions kpis) => string.Join('|',
        typeof(KpiResponseCacheMiddleware).Assembly.ManifestModule.ModuleVersionId,
        typeof(Metrics.KpiCatalog).Assembly.ManifestModule.ModuleVersionId,
        kpis.MaxPeriodDays, kpis.MaxSeriesPoints);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class Attempt(KpiResponseCacheMiddleware middleware, HttpContext context)
    {
        public KpiResponseCacheMiddleware Middleware { get; } = middleware;
        public HttpContext Context { get; } = context;
        /// <summary>Whether this request ran the endpoint itself (it was first to miss, or the cache is off).</summary>
        public bool Started { get; set; }
        /// <summary>The body of this request's own answer when it is not to be cached.</summary>
        public byte[]? Body { get; set; }
    }

    private sealed class NotCacheableException : Exception;
}

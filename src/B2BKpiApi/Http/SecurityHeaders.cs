namespace B2BKpiApi.Http;

/// <summary>
/// Headers every answer carries, errors included (set when the response starts, after any handler or
/// exception handler has run): <c>X-Content-Type-Options: nosniff</c> everywhere, and
/// <c>Cache-Control: no-store</c> on the /v1 answers, which hold a tenant's data or keys, so that no
/// shared cache or browser disk keeps them. The KPI reads (<c>GET /v1/kpis*</c>, <c>GET /v1/scorecard</c>)
/// are left to their own caching rules (private, revalidated with ETags).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            if (IsTenantData(http.Request) && !IsKpiRead(http.Request) && http.Response.Headers.CacheControl.Count == 0)
                http.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }, context);
        return next(context);
    }

    private static bool IsTenantData(HttpRequest request) => request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase);

    private static bool IsKpiRead(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && (request.Path.StartsWithSegments("/v1/kpis", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments("/v1/scorecard", StringComparison.OrdinalIgnoreCase));
}

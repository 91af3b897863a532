using System.Threading.RateLimiting;

namespace B2BKpiApi.Tenancy;

public static class RateLimits
{
    public const string PerTenant = "per-tenant";

    /// <summary>
    /// A fixed window per tenant (or per client address before a tenant is known); 429 with Retry-After. With
    /// Redis configured the window is counted in Redis, so it holds for every instance together
    /// (<see cref="SharedWindowLimiter"/>).
    /// </summary>
    public static IServiceCollection AddKpiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetValue("RateLimiting:PermitsPerMinute", 600);
        services.AddSingleton<SharedWindowCounter>();
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, ct) =>
            {
                Observability.KpiMetrics.RecordRateLimitRejection(PerTenant);
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too Many Requests",
                        Detail = $"At most {permits} requests a minute per tenant; retry after the Retry-After header's seconds.",
                    },
                });
            };
            options.AddPolicy(PerTenant, http =>
            {
                var tenant = http.RequestServices.GetRequiredService<TenantContext>();
                var key = tenant.IsResolved ? tenant.TenantId.ToString() : http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                var local = new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };
                var shared = http.RequestServices.GetRequiredService<SharedWindowCounter>();
                // With Redis, one window per tenant for the whole cluster; while Redis is unavailable, and without
                // it, each instance counts its own window.
                return shared.Configured
                    ? RateLimitPartition.Get(key, k => new SharedWindowLimiter($"rl:{k}", permits, local.Window, shared, new FixedWindowRateLimiter(local)))
                    : RateLimitPartition.GetFixedWindowLimiter(key, _ => local);
            });
        });
    }
}

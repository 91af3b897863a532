using System.Globalization;
using System.Threading.RateLimiting;

namespace B2BKpiApi.Tenancy;

/// <summary>
/// Failed authentication is limited per client address, on tenant and operator routes alike: past
/// <c>RateLimiting:FailedAuthPerMinute</c> refused keys in a minute from one address, a refused key is
/// answered 429 with <c>Retry-After</c> instead of 401. Only refusals are counted and the key is always
/// checked first, so a valid key is never slowed, even from an address that is being limited (a shared
/// NAT, say): keys are 256-bit random, so the limiter is there against floods, not guessing. With Redis
/// configured the count is shared by every instance (<see cref="SharedWindowCounter"/>); while Redis is
/// unavailable each instance counts its own.
/// </summary>
public sealed class AuthFailureLimiter : IDisposable
{
    public const int DefaultPerMinute = 60;

    private readonly PartitionedRateLimiter<string> _limiter;

    private readonly SharedWindowCounter _shared;

    public AuthFailureLimiter(IConfiguration configuration, SharedWindowCounter shared)
    {
        _shared = shared;
        PerMinute = configuration.GetValue("RateLimiting:FailedAuthPerMinute", DefaultPerMinute);
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = PerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    public int PerMinute { get; }

    /// <summary>
    /// Counts one refused key from the caller's address; answers 429 and true when the address is over its
    /// limit (the caller then writes nothing more), false when the usual 401 is to be given.
    /// </summary>
    public async Task<bool> RefuseIfOverLimitAsync(HttpContext context, IProblemDetailsService problems)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        int retryAfter;
        // With Redis, the address's refusals are counted across every instance; while it is unavailable, per instance.
        if (_shared.Configured && await _shared.HitAsync("auth-failures", $"auth:{address}", TimeSpan.FromMinutes(1)) is { } counted)
        {
            if (counted.Count <= PerMinute)
                return false;
            retryAfter = Math.Max(1, (int)Math.Ceiling(counted.Remaining.TotalSeconds));
        }
        else
        {
            using var lease = _limiter.AttemptAcquire(address);
            if (lease.IsAcquired)
                return false;
            retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
        }
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "https://tools.ietf.org/html/rfc6585#section-4",
                Title = "Too Many Requests",
                Detail = $"More than {PerMinute} requests with a missing or invalid API key came from this address in a minute; " +
                         "check the X-Api-Key you send, and retry after the Retry-After header's seconds.",
            },
        });
        return true;
    }

    public void Dispose() => _limiter.Dispose();
}

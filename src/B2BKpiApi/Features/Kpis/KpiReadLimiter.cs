using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.Kpis;

/// <summary>
/// Per-tenant concurrency limit for heavy KPI reads (scorecard, series): a few run at once, a few more wait
/// briefly (within the compute budget), the rest are refused at once with 429, so one tenant cannot occupy
/// every core with expensive reads however fast it sends them.
/// </summary>
public sealed class KpiReadLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _limiter;

    public KpiReadLimiter(IOptions<KpiOptions> options)
    {
        var o = options.Value;
        _limiter = PartitionedRateLimiter.Create<Guid, Guid>(tenant => RateLimitPartition.GetConcurrencyLimiter(tenant,
            _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = Math.Max(1, o.MaxConcurrentHeavyReads),
                QueueLimit = Math.Max(0, o.MaxQueuedHeavyReads),
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
        Limit = Math.Max(1, o.MaxConcurrentHeavyReads);
    }

    /// <summary>How many heavy reads one tenant may compute at once.</summary>
    public int Limit { get; }

    /// <summary>A slot for one heavy read of <paramref name="tenant"/>; dispose it when the read is done.</summary>
    /// <exception cref="KpiReadsBusyException">The tenant's slots and queue are full.</exception>
    public async Task<IDisposable> AcquireAsync(Guid tenant, CancellationToken ct)
    {
        var lease = await _limiter.AcquireAsync(tenant, 1, ct);
        if (lease.IsAcquired)
            return lease;
        lease.Dispose();
        throw new KpiReadsBusyException(Limit);
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>A KPI read ran past <c>Kpis:ComputeBudgetSeconds</c>; its database work was cancelled. Answered 503 with Retry-After.</summary>
public sealed class KpiBudgetExceededException(TimeSpan budget)
    : Exception($"The KPI computation did not finish within its budget of {budget.TotalSeconds:0.###} s.")
{
    public TimeSpan Budget { get; } = budget;
}

/// <summary>The tenant already runs as many heavy KPI reads as it may, and its queue is full. Answered 429 with Retry-After.</summary>
public sealed class KpiReadsBusyException(int limit)
    : Exception($"At most {limit} scorecard or series reads per tenant run at once.")
{
    public int Limit { get; } = limit;
}

/// <summary>
/// Answers the compute limits as RFC 9457 problems: a read over its budget is 503 with Retry-After and advice
/// to narrow the period, a tenant over its heavy-read limit is 429 with Retry-After.
/// </summary>
public sealed class KpiLimitExceptionHandler(IProblemDetailsService problems) : Microsoft.AspNetCore.Diagnostics.IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, retryAfterSeconds) = exception switch
        {
            KpiBudgetExceededException over => (StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                $"{over.Message} Retry later, or ask for a shorter period, a coarser interval or fewer points.",
                (int)Math.Max(1, Math.Ceiling(over.Budget.TotalSeconds))),
            KpiReadsBusyException busy => (StatusCodes.Status429TooManyRequests, "Too Many Requests",
                $"{busy.Message} Retry after the Retry-After header's seconds.", 1),
            _ => (0, "", "", 0),
        };
        if (status == 0)
            return false;
        httpContext.Response.StatusCode = status;
        httpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail },
            Exception = exception,
        });
    }
}

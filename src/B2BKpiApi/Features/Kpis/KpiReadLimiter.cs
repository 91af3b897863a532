using System.Threading.RateLimiting;
using B2BKpiApi.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace B2BKpiApi.Features.Kpis;

/// <summary>
/// Per-tenant concurrency limit for heavy KPI reads (scorecard, series): a few run at once, a few more wait
/// briefly (within the compute budget), the rest are refused at once with 429, so one tenant cannot occupy
/// every core with expensive reads however fast it sends them.
/// </summary>
/// <remarks>
/// With Redis configured the slots and the queue are shared by every instance: two sorted sets per tenant
/// (slots and waiters), changed only by one atomic script. A slot is a lease that expires after twice the
/// compute budget plus a second, so the slots of an instance that was killed mid-read free themselves; a waiter's
/// place expires after the budget (a queued read never outlives it). Waiters poll every 20 ms and take slots
/// in the order they queued; a newcomer does not overtake a waiter. While Redis is unavailable each instance
/// limits its own reads as before.
/// </remarks>
public sealed class KpiReadLimiter : IDisposable
{
    private const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lease, limit, queueLimit, token = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
        local waitLimit = tonumber(ARGV[5])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - waitLimit)
        local free = limit - redis.call('ZCARD', KEYS[1])
        local rank = redis.call('ZRANK', KEYS[2], token)
        local waiting = redis.call('ZCARD', KEYS[2])
        if free > 0 and ((rank and rank < free) or (not rank and waiting < free)) then
          redis.call('ZADD', KEYS[1], now + lease, token)
          redis.call('PEXPIRE', KEYS[1], lease)
          if rank then redis.call('ZREM', KEYS[2], token) end
          return 1
        end
        if rank then return 0 end
        if waiting < queueLimit then
          redis.call('ZADD', KEYS[2], now, token)
          redis.call('PEXPIRE', KEYS[2], waitLimit + 1000)
          return 0
        end
        return -1
        """;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private readonly PartitionedRateLimiter<Guid> _limiter;
    private readonly SharedRedis _redis;
    private readonly int _queueLimit;
    private readonly TimeSpan _budget;

    public KpiReadLimiter(IOptions<KpiOptions> options, SharedRedis redis)
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
        _queueLimit = Math.Max(0, o.MaxQueuedHeavyReads);
        _budget = TimeSpan.FromSeconds(Math.Max(0.1, o.ComputeBudgetSeconds));
        _redis = redis;
    }

    /// <summary>How many heavy reads one tenant may compute at once.</summary>
    public int Limit { get; }

    /// <summary>A slot for one heavy read of <paramref name="tenant"/>; dispose it when the read is done.</summary>
    /// <exception cref="KpiReadsBusyException">The tenant's slots and queue are full.</exception>
    public async Task<IDisposable> AcquireAsync(Guid tenant, CancellationToken ct)
    {
        if (_redis.Configured && await AcquireSharedAsync(tenant, ct) is { } shared)
            return shared;
        var lease = await _limiter.AcquireAsync(tenant, 1, ct);
        if (lease.IsAcquired)
            return lease;
        lease.Dispose();
        throw new KpiReadsBusyException(Limit);
    }

    /// <summary>A slot from Redis; null when Redis is unavailable (the caller then limits per instance).</summary>
    private async Task<IDisposable?> AcquireSharedAsync(Guid tenant, CancellationToken ct)
    {
        RedisKey slots = $"{_redis.Prefix}heavy:{tenant:N}:slots", waiters = $"{_redis.Prefix}heavy:{tenant:N}:queue";
        var token = Guid.NewGuid().ToString("N");
        var lease = (long)(_budget * 2 + TimeSpan.FromSeconds(1)).TotalMilliseconds;
        RedisValue[] args = [lease, Limit, _queueLimit, token, (long)_budget.TotalMilliseconds];
        var queued = false;
        try
        {
            while (true)
            {
                var (ok, result) = await _redis.TryAsync("heavy-reads", db => db.ScriptEvaluateAsync(Script, [slots, waiters], args));
                if (!ok)
                    return null; // fall back for this read (its place in the queue, if any, expires by itself)
                switch ((int)result)
                {
                    case 1:
                        queued = false;
                        return new SharedSlot(_redis, slots, token);
                    case -1:
                        throw new KpiReadsBusyException(Limit);
                }
                queued = true;
                await Task.Delay(Poll, ct);
            }
        }
        finally
        {
            if (queued) // cancelled (budget or client) while waiting: leave the queue
                _redis.FireAndForget(db => db.SortedSetRemove(waiters, token, CommandFlags.FireAndForget));
        }
    }

    public void Dispose() => _limiter.Dispose();

    /// <summary>A held shared slot; disposing frees it at once (if Redis cannot be told, its lease expires).</summary>
    private sealed class SharedSlot(SharedRedis redis, RedisKey slots, string token) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                redis.FireAndForget(db => db.SortedSetRemove(slots, token, CommandFlags.FireAndForget));
        }
    }
}

/// <summary>A KPI read ran past <c>Kpis:ComputeBudgetSeconds</c>; its database work was cancelled. Answered 503 with Retry-After.</summary>
public sealed class KpiBudgetExceededException(TimeSpan budget, string? advice = null)
    : Exception($"The KPI computation did not finish within its budget of {budget.TotalSeconds:0.###} s.")
{
    /// <summary>What a KPI read can do about it.</summary>
    public const string KpiAdvice = "Retry later, or ask for a shorter period, a coarser interval or fewer points.";

    public TimeSpan Budget { get; } = budget;

    /// <summary>What the caller can do, said after the message in the problem's detail.</summary>
    public string Advice { get; } = advice ?? KpiAdvice;
}

/// <summary>The tenant already runs as many heavy KPI reads as it may, and its queue is full. Answered 429 with Retry-After.</summary>
public sealed class KpiReadsBusyException(int limit)
    : Exception($"At most {limit} heavy reads (scorecard, series, churn-risk ranking) per tenant run at once.")
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
                $"{over.Message} {over.Advice}",
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

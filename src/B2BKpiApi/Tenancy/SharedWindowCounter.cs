using System.Threading.RateLimiting;
using B2BKpiApi.Caching;
using StackExchange.Redis;

namespace B2BKpiApi.Tenancy;

/// <summary>
/// A fixed-window counter in Redis, shared by every instance: one atomic script increments the window's
/// counter and starts its expiry with the first hit, so N instances together let through N permits a window,
/// not N per instance. The window starts at a partition's first hit and ends when its key expires.
/// </summary>
public sealed class SharedWindowCounter(SharedRedis redis)
{
    private const string Script = """
        local n = redis.call('INCR', KEYS[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          ttl = tonumber(ARGV[1])
        end
        return {n, ttl}
        """;

    /// <summary>Whether the counter would try Redis now (configured, connected, circuit closed).</summary>
    public bool Available => redis.Available;

    /// <summary>Whether Redis is configured at all.</summary>
    public bool Configured => redis.Configured;

    /// <summary>
    /// Counts one hit on <paramref name="key"/>; answers the window's count so far (this hit included) and the
    /// time until the window ends, or null when Redis is unavailable (the caller then counts per instance).
    /// </summary>
    public async Task<(long Count, TimeSpan Remaining)?> HitAsync(string use, string key, TimeSpan window)
    {
        var (ok, result) = await redis.TryAsync(use, db => db.ScriptEvaluateAsync(Script,
            [(RedisKey)(redis.Prefix + key)], [(long)window.TotalMilliseconds]));
        if (!ok)
            return null;
        var values = (RedisResult[])result!;
        return ((long)values[0], TimeSpan.FromMilliseconds(Math.Max(1, (long)values[1])));
    }
}

/// <summary>
/// One partition of the per-tenant rate limit, counted in Redis while Redis is available and by an
/// in-process fixed window (<paramref name="local"/>) while it is not. ASP.NET Core's middleware tries the
/// synchronous <see cref="RateLimiter.AttemptAcquire(int)"/> first and, when that is refused, awaits
/// <see cref="RateLimiter.AcquireAsync(int, CancellationToken)"/>: so with Redis up the synchronous attempt
/// declines at once (no blocking I/O on a request thread) and the asynchronous one asks Redis.
/// </summary>
public sealed class SharedWindowLimiter(string key, int permits, TimeSpan window, SharedWindowCounter counter, RateLimiter local)
    : RateLimiter
{
    public override TimeSpan? IdleDuration => local.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        permitCount == 0 || !counter.Available ? local.AttemptAcquire(permitCount) : Lease.Declined;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount == 0)
            return await local.AcquireAsync(0, cancellationToken);
        var hit = await counter.HitAsync("rate-limit", key, window);
        if (hit is not { } counted)
            return await local.AcquireAsync(permitCount, cancellationToken);
        return counted.Count <= permits ? Lease.Granted : new Lease(false, counted.Remaining);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            local.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>A lease that holds nothing: a shared window is counted, never given back.</summary>
    public sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease Declined = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}

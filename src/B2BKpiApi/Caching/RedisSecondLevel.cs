using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace B2BKpiApi.Caching;

/// <summary>
/// The KPI cache's second level in Redis, over the instance's <see cref="SharedRedis"/> connection: a read that
/// fails, times out or finds the circuit open is a miss, a write that fails is dropped, so with Redis down a
/// KPI read is served from the instance's memory or computed, never failed and never held up for longer than
/// the Redis timeout (and, while the circuit is open, not at all).
/// </summary>
public sealed class RedisSecondLevel(SharedRedis redis, TimeProvider clock) : IDistributedCache
{
    private const string Use = "cache";

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var (ok, value) = await redis.TryAsync(Use, db => db.StringGetAsync(Key(key)));
        return ok && value.HasValue ? (byte[]?)value : null;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        var expiry = options.AbsoluteExpirationRelativeToNow
                     ?? (options.AbsoluteExpiration is { } at ? at - clock.GetUtcNow() : options.SlidingExpiration);
        if (expiry is { } e && e <= TimeSpan.Zero)
            return;
        await redis.TryAsync(Use, db => db.StringSetAsync(Key(key), value, expiry));
    }

    public void Refresh(string key) { }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public async Task RemoveAsync(string key, CancellationToken token = default) =>
        await redis.TryAsync(Use, db => db.KeyDeleteAsync(Key(key)));

    private RedisKey Key(string key) => redis.Prefix + key;
}

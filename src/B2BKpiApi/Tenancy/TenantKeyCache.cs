using System.Collections.Concurrent;
using System.Diagnostics;

namespace B2BKpiApi.Tenancy;

/// <summary>
/// The API-key lookup of every tenant request (key hash, tenant, currency, industry and data version), kept in
/// memory for at most <c>Tenancy:KeyCacheMilliseconds</c> (see <see cref="DefaultMilliseconds"/>; 0 turns it off) and dropped at once
/// when the tenant changes: a write (its data version moved) or a key rotation. Changes reach it through
/// <see cref="TenantChangeSignal"/>: on the instance that made the change before its response is sent, on the
/// other instances when the Redis message arrives.
/// </summary>
/// <remarks>
/// A lookup that races a change never stores what it read before the change: each stored entry carries the
/// epoch at which its query began, each change stamps its tenant with a later epoch, and an entry older than
/// its tenant's last change is not used. While the change signal cannot be trusted (Redis configured but its
/// subscription lost) nothing is stored and every request reads the database, as without this cache.
/// </remarks>
public sealed class TenantKeyCache
{
    /// <summary>What one API key resolves to.</summary>
    public sealed record Owner(Guid Id, byte[] ApiKeyHash, string Currency, string Industry, long DataVersion);

    private sealed record Entry(Owner Owner, long Epoch, long ExpiresAt);

    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, long> _changedAt = new();
    private readonly long _ttl;
    private long _epoch;
    private long _allChangedAt;
    private volatile bool _signalReliable = true;

    public TenantKeyCache(IConfiguration configuration)
    {
        var ms = Math.Clamp(configuration.GetValue("Tenancy:KeyCacheMilliseconds", DefaultMilliseconds(configuration)), 0, 60_000);
        _ttl = (long)(ms / 1000.0 * Stopwatch.Frequency);
    }

    /// <summary>
    /// 1 s where every instance hears of every change: with Redis (the change signal reaches all instances), or on
    /// SQLite (one process owns the file). On a server database without Redis several instances may share the data
    /// and none would hear of another's writes, so the lookup reads the database on every request unless
    /// <c>Tenancy:KeyCacheMilliseconds</c> is set explicitly.
    /// </summary>
    private static int DefaultMilliseconds(IConfiguration configuration) =>
        Caching.SharedRedis.ConnectionString(configuration) is not null
        || Data.Database.ProviderOf(configuration) == Data.Database.Sqlite ? 1000 : 0;

    private bool Enabled => _ttl > 0 && _signalReliable;

    /// <summary>The epoch to pass to <see cref="Store"/>: read it before the database lookup.</summary>
    public long Begin() => Volatile.Read(ref _epoch);

    public bool TryGet(string keyId, out Owner owner)
    {
        owner = null!;
        if (!Enabled || !_keys.TryGetValue(keyId, out var entry))
            return false;
        if (Stopwatch.GetTimestamp() > entry.ExpiresAt || !Current(entry.Owner.Id, entry.Epoch))
        {
            _keys.TryRemove(new KeyValuePair<string, Entry>(keyId, entry));
            return false;
        }
        owner = entry.Owner;
        return true;
    }

    /// <summary>Keeps what a lookup that began at <paramref name="epoch"/> found, unless the tenant changed since.</summary>
    public void Store(string keyId, Owner owner, long epoch)
    {
        if (!Enabled || !Current(owner.Id, epoch))
            return;
        if (_keys.Count >= MaxEntries)
            _keys.Clear();
        _keys[keyId] = new Entry(owner, epoch, Stopwatch.GetTimestamp() + _ttl);
    }

    /// <summary>The tenant's key or data changed: entries read before now are not used again.</summary>
    public void Changed(Guid tenant)
    {
        var epoch = Interlocked.Increment(ref _epoch);
        _changedAt.AddOrUpdate(tenant, epoch, (_, old) => Math.Max(old, epoch));
    }

    /// <summary>Changes may have been missed (the signal was cut): nothing read before now is used again.</summary>
    public void ChangedAll()
    {
        var epoch = Interlocked.Increment(ref _epoch);
        Interlocked.Exchange(ref _allChangedAt, epoch);
        _keys.Clear();
    }

    /// <summary>Whether changes reach this instance now; while not, nothing is cached.</summary>
    public bool SignalReliable
    {
        get => _signalReliable;
        set
        {
            ChangedAll();
            _signalReliable = value;
        }
    }

    private bool Current(Guid tenant, long epoch) =>
        epoch >= Volatile.Read(ref _allChangedAt) && (!_changedAt.TryGetValue(tenant, out var changed) || changed <= epoch);
}

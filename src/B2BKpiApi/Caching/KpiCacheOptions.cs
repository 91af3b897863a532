namespace B2BKpiApi.Caching;

/// <summary>The <c>Cache</c> configuration section: how computed KPI responses are kept.</summary>
public sealed class KpiCacheOptions
{
    public const string Section = "Cache";

    /// <summary>Whether computed KPI responses are reused at all (ETags and 304s are answered either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A StackExchange.Redis connection string (<c>host:port,password=…</c>). When set, Redis is the shared
    /// second level behind each instance's memory, so one instance reuses what another computed.
    /// An alias of <c>ConnectionStrings:Redis</c>, which wins when both are set (see <see cref="SharedRedis"/>).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Prefix of every Redis key, so that several deployments can share one Redis.</summary>
    public string RedisInstanceName { get; set; } = "b2b-kpi:";

    /// <summary>
    /// How long an entry lives in Redis. Entries of an older data version are never read again, so
    /// this only bounds how long they occupy memory.
    /// </summary>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an entry lives in the instance's own memory (at most <see cref="Expiration"/>).</summary>
    public TimeSpan LocalExpiration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most bytes of responses kept in the instance's memory; the least recently used go first.</summary>
    public long LocalSizeLimitBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A response larger than this is answered but not kept.</summary>
    public int MaxEntryBytes { get; set; } = 1024 * 1024;
}

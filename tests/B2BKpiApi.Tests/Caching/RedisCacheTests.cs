using System.Net;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Caching;

/// <summary>
/// Runs only when KPI_TEST_REDIS names a Redis server (host:port); .ci/run starts one and sets it. Without
/// it the test is reported as skipped, except under CI, where a missing server is a failure.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisCacheTests.Server is null && Environment.GetEnvironmentVariable("CI") is not { Length: > 0 })
            Skip = "KPI_TEST_REDIS is not set: start a redis-server and set it to host:port (see .ci/run).";
    }
}

/// <summary>With Redis as the shared second level, what one instance computed, another serves without computing.</summary>
public sealed class RedisCacheTests
{
    public static string? Server => Environment.GetEnvironmentVariable("KPI_TEST_REDIS") is { Length: > 0 } server ? server : null;

    private const string Url = "/v1/kpis/marketing-qualified-leads?from=2026-01-01&to=2026-03-31";

    [RedisFact]
    public async Task Two_instances_share_computed_answers_through_Redis_and_a_write_retires_them()
    {
        Assert.True(Server is not null, "KPI_TEST_REDIS must name the Redis server under CI.");
        var database = ApiFactory.NewDatabase();
        // A prefix of its own, so that a rerun or another test run on the same Redis starts empty.
        var settings = new[] { ("Cache:Redis", Server!), ("Cache:RedisInstanceName", $"kpi-test-{Guid.NewGuid():N}:") };
        await using var a = CachingFactory.For(database, settings);
        await using var b = CachingFactory.For(database.Shared(), settings);
        using var tenant = await a.CreateTenantAsync();
        using var onB = b.ClientFor(tenant);
        await tenant.Http.PostJson("/v1/leads", KpiResponseCacheTests.Lead("r1", "2026-02-01")).Expect(HttpStatusCode.Created);

        a.Counter.Reset();
        using var computed = await tenant.Http.GetAsync(Url);
        Assert.True(a.Counter.Count > 1, $"A computes the first read (got {(int)computed.StatusCode} after {a.Counter.Count} commands: {await computed.Content.ReadAsStringAsync()})");

        // B has never seen this read: it finds A's answer in Redis and runs only its key lookup.
        b.Counter.Reset();
        using var shared = await onB.GetAsync(Url);
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        Assert.Equal(1, b.Counter.Count);
        Assert.Equal(await computed.Content.ReadAsByteArrayAsync(), await shared.Content.ReadAsByteArrayAsync());
        Assert.Equal(computed.Headers.ETag, shared.Headers.ETag);

        // A write on A: B's very next read is the new answer, even though Redis still holds the old one.
        await tenant.Http.PostJson("/v1/leads", KpiResponseCacheTests.Lead("r2", "2026-02-02")).Expect(HttpStatusCode.Created);
        Assert.Equal(2, await KpiResponseCacheTests.ValueOf(onB, Url));
        Assert.Equal(2, await KpiResponseCacheTests.ValueOf(tenant.Http, Url));
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Caching;

/// <summary>
/// The API-key lookup is served from memory, and a change of the tenant (a write, a rotated key) reaches
/// it at once on the instance that made it and within a second on every other instance.
/// </summary>
public sealed class TenantKeyCacheTests
{
    private const string Url = "/v1/kpis/marketing-qualified-leads?from=2026-01-01&to=2026-03-31";

    [Fact]
    public async Task A_warm_read_runs_no_SQL_and_a_write_is_seen_by_the_very_next_read()
    {
        // A long TTL, so that only a change can drop the entry however slow the machine.
        await using var host = CachingFactory.For(ApiFactory.NewDatabase(), ("Tenancy:KeyCacheMilliseconds", "60000"));
        using var tenant = await host.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/leads", KpiResponseCacheTests.Lead("k1", "2026-02-01")).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await KpiResponseCacheTests.ValueOf(tenant.Http, Url));

        host.Counter.Reset();
        await tenant.Http.GetAsync(Url).Expect(HttpStatusCode.OK);
        Assert.Equal(0, host.Counter.Count);

        await tenant.Http.PostJson("/v1/leads", KpiResponseCacheTests.Lead("k2", "2026-02-02")).Expect(HttpStatusCode.Created);
        Assert.Equal(2, await KpiResponseCacheTests.ValueOf(tenant.Http, Url));
    }

    [RedisFact]
    public async Task A_rotated_key_stops_working_on_every_instance_within_a_second()
    {
        var database = ApiFactory.NewDatabase();
        // A TTL far beyond the second: only the change signal can make B refuse the old key in time.
        var settings = new[] { ("ConnectionStrings:Redis", RedisCacheTests.Server!), ("Cache:RedisInstanceName", $"kpi-test-{Guid.NewGuid():N}:"),
            ("Tenancy:KeyCacheMilliseconds", "60000") };
        await using var a = CachingFactory.For(database, settings);
        await using var b = CachingFactory.For(database.Shared(), settings);
        using var tenant = await a.CreateTenantAsync();
        using var onB = b.ClientFor(tenant);
        // Until an instance has subscribed to the change signal it caches nothing.
        var watch = Stopwatch.StartNew();
        while (!Subscribed(a) || !Subscribed(b))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the instances did not subscribe to tenant changes");
            await Task.Delay(50);
        }
        // Both instances hold the key in memory.
        await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        await onB.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        b.Counter.Reset();
        await onB.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        Assert.Equal(1, b.Counter.Count); // the list only: the key came from memory

        using var admin = a.CreateAdminClient();
        var rotated = await admin.PostAsync($"/v1/tenants/{tenant.TenantId}/api-key", null);
        rotated.EnsureSuccessStatusCode();
        watch.Restart();
        await tenant.Http.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized); // at once where it was rotated
        // Timed by when each request begins: on this loaded machine one request may itself take a second.
        while (true)
        {
            var begun = watch.Elapsed;
            using var response = await onB.GetAsync("/v1/clients");
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                break;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(begun < TimeSpan.FromSeconds(1), $"the old key still worked on B in a request begun {begun} after the rotation");
            await Task.Delay(20);
        }

        var newKey = (await rotated.Content.ReadFromJsonAsync<Rotated>())!.ApiKey;
        using var renewed = b.CreateClient();
        renewed.DefaultRequestHeaders.Add("X-Api-Key", newKey);
        await renewed.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Without_Redis_a_rotated_key_stops_working_on_another_instance_within_the_safety_TTL()
    {
        var database = ApiFactory.NewDatabase();
        await using var a = CachingFactory.For(database, ("Tenancy:KeyCacheMilliseconds", "1000"));
        await using var b = CachingFactory.For(database.Shared(), ("Tenancy:KeyCacheMilliseconds", "1000"));
        using var tenant = await a.CreateTenantAsync();
        using var onB = b.ClientFor(tenant);
        await onB.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);

        using var admin = a.CreateAdminClient();
        (await admin.PostAsync($"/v1/tenants/{tenant.TenantId}/api-key", null)).EnsureSuccessStatusCode();
        var watch = Stopwatch.StartNew();
        await tenant.Http.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized);
        while (true)
        {
            var begun = watch.Elapsed;
            using var response = await onB.GetAsync("/v1/clients");
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                break;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(begun < TimeSpan.FromSeconds(1.2), $"the old key still worked on B in a request begun {begun} after the rotation (TTL 1 s)");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("sqlite", null, null, true)]           // one process owns the file: the in-process signal is exact
    [InlineData("postgres", null, null, false)]        // instances may share the database and would not hear of each other's writes
    [InlineData("sqlserver", null, null, false)]
    [InlineData("postgres", "127.0.0.1:6379", null, true)] // the Redis signal reaches every instance
    [InlineData("postgres", null, "500", true)]        // set explicitly: the operator promises a single instance
    [InlineData("sqlite", null, "0", false)]
    public void The_lookup_is_kept_in_memory_by_default_only_where_every_instance_hears_of_every_change(
        string provider, string? redis, string? milliseconds, bool cached)
    {
        var settings = new Dictionary<string, string?> { ["Database:Provider"] = provider, ["ConnectionStrings:Redis"] = redis,
            ["Tenancy:KeyCacheMilliseconds"] = milliseconds };
        var cache = new B2BKpiApi.Tenancy.TenantKeyCache(new ConfigurationBuilder()
            .AddInMemoryCollection(settings).Build());
        var owner = new B2BKpiApi.Tenancy.TenantKeyCache.Owner(Guid.NewGuid(), [1, 2, 3], "USD", "retail", 1);
        cache.Store("key", owner, cache.Begin());
        Assert.Equal(cached, cache.TryGet("key", out _));
    }

    private static bool Subscribed(CachingFactory host) =>
        host.Services.GetRequiredService<B2BKpiApi.Tenancy.TenantKeyCache>().SignalReliable;

    private sealed record Rotated(Guid Id, string ApiKey);
}

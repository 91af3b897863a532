using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using B2BKpiApi.Caching;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Caching;

/// <summary>
/// Several instances over one database and one Redis (KPI_TEST_REDIS): the per-tenant rate limit, the
/// failed-auth limit and the heavy-read slots hold for all of them together; with Redis unreachable each
/// instance limits on its own and nothing fails; when Redis comes back the limits are shared again.
/// </summary>
public sealed class SharedRateLimitTests
{
    private static (string, string)[] Settings(string redis, params (string, string)[] more) =>
        [("ConnectionStrings:Redis", redis), ("Cache:RedisInstanceName", $"kpi-test-{Guid.NewGuid():N}:"), .. more];

    /// <summary>Sends <paramref name="count"/> requests, one host after the other; answers the statuses.</summary>
    private static async Task<List<HttpStatusCode>> RoundRobin(IReadOnlyList<HttpClient> clients, int count, string url = "/v1/clients")
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await clients[i % clients.Count].GetAsync(url);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta is { } wait && wait >= TimeSpan.FromSeconds(1), "429 carries Retry-After of at least 1 s");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
        return statuses;
    }

    [RedisFact]
    public async Task Three_instances_let_a_tenant_through_N_times_a_window_in_all_not_N_each()
    {
        var database = ApiFactory.NewDatabase();
        var settings = Settings(RedisCacheTests.Server!, ("RateLimiting:PermitsPerMinute", "5"));
        await using var a = CachingFactory.For(database, settings);
        await using var b = CachingFactory.For(database.Shared(), settings);
        await using var c = CachingFactory.For(database.Shared(), settings);
        using var tenant = await a.CreateTenantAsync();
        using var other = await a.CreateTenantAsync();
        using var onB = b.ClientFor(tenant);
        using var onC = c.ClientFor(tenant);

        var statuses = await RoundRobin([tenant.Http, onB, onC], 12);
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5), statuses.Take(5));

        // Another tenant has its own window.
        using var otherOnC = c.ClientFor(other);
        await otherOnC.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
    }

    [RedisFact]
    public async Task Failed_keys_are_counted_across_instances()
    {
        var database = ApiFactory.NewDatabase();
        var settings = Settings(RedisCacheTests.Server!, ("RateLimiting:FailedAuthPerMinute", "4"));
        await using var a = CachingFactory.For(database, settings);
        await using var b = CachingFactory.For(database.Shared(), settings);
        using var tenant = await a.CreateTenantAsync();
        var bad = tenant.ApiKey[..^4] + (tenant.ApiKey.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        var clients = new[] { a.CreateClient(), b.CreateClient() };
        foreach (var client in clients)
            client.DefaultRequestHeaders.Add("X-Api-Key", bad);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await clients[i % 2].GetAsync("/v1/clients");
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(4, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(4, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        // The valid key is never slowed, on either instance.
        using var onB = b.ClientFor(tenant);
        await onB.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        foreach (var client in clients)
            client.Dispose();
    }

    [RedisFact]
    public async Task Heavy_read_slots_are_shared_and_a_lost_instances_slot_frees_itself()
    {
        var database = ApiFactory.NewDatabase();
        var settings = Settings(RedisCacheTests.Server!, ("Kpis:MaxConcurrentHeavyReads", "1"), ("Kpis:MaxQueuedHeavyReads", "1"),
            ("Kpis:ComputeBudgetSeconds", "3")); // a queued place lasts the budget: long enough for this slow machine
        await using var a = CachingFactory.For(database, settings);
        await using var b = CachingFactory.For(database.Shared(), settings);
        using var tenant = await a.CreateTenantAsync();
        using var onB = b.ClientFor(tenant);
        var onA = a.Services.GetRequiredService<KpiReadLimiter>();
        var onBLimiter = b.Services.GetRequiredService<KpiReadLimiter>();

        // A holds the tenant's one slot: B's read waits in the queue and gets the slot when A frees it.
        var held = await onA.AcquireAsync(tenant.TenantId, CancellationToken.None);
        var waiting = onBLimiter.AcquireAsync(tenant.TenantId, CancellationToken.None);
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted, "B waits while A holds the only slot");
        // The queue (1) is full: a third read, on either instance, is refused at once; over HTTP that is a 429.
        await Assert.ThrowsAsync<KpiReadsBusyException>(() => onA.AcquireAsync(tenant.TenantId, CancellationToken.None));
        using (var refused = await onB.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-03-31"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        held.Dispose();
        using (await waiting.WaitAsync(TimeSpan.FromSeconds(2))) { }

        // An instance that dies holding a slot never frees it: its lease (2 × budget + 1 s) does.
        _ = await onA.AcquireAsync(tenant.TenantId, CancellationToken.None);
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => onBLimiter.AcquireAsync(tenant.TenantId, patience.Token));
        await Task.Delay(TimeSpan.FromSeconds(7.5));
        await onB.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-03-31").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task With_Redis_unreachable_each_instance_limits_on_its_own_without_errors_or_stalls()
    {
        var database = ApiFactory.NewDatabase();
        var settings = Settings($"127.0.0.1:{ClosedPort()}", ("RateLimiting:PermitsPerMinute", "3"), ("RateLimiting:FailedAuthPerMinute", "2"));
        await using var a = CachingFactory.For(database, settings);
        await using var b = CachingFactory.For(database.Shared(), settings);
        using var tenant = await a.CreateTenantAsync();
        using var onB = b.ClientFor(tenant);

        var watch = Stopwatch.StartNew();
        var statuses = await RoundRobin([tenant.Http, onB], 10);
        Assert.Equal(6, statuses.Count(s => s == HttpStatusCode.OK)); // 3 per instance
        Assert.Equal(4, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"10 requests took {watch.Elapsed} with Redis down");

        // KPI reads (cache and heavy-read slots) work from memory; failed keys are limited per instance.
        using var reader = await a.CreateTenantAsync();
        await reader.Http.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-03-31").Expect(HttpStatusCode.OK);
        await reader.Http.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-03-31").Expect(HttpStatusCode.OK);
        using var bad = a.CreateClient();
        bad.DefaultRequestHeaders.Add("X-Api-Key", reader.ApiKey[..^4] + "ZZZZ");
        await bad.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized);
        await bad.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized);
        await bad.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.TooManyRequests);
    }

    [RedisFact]
    public async Task When_Redis_stops_limits_fall_back_per_instance_and_when_it_returns_they_are_shared_again()
    {
        using var redis = OwnRedis.Start();
        var database = ApiFactory.NewDatabase();
        var settings = Settings(redis.Address, ("RateLimiting:PermitsPerMinute", "4"));
        await using var a = CachingFactory.For(database, settings);
        await using var b = CachingFactory.For(database.Shared(), settings);
        await WaitUntil(() => Available(a) && Available(b));

        async Task<List<HttpStatusCode>> Burst()
        {
            using var tenant = await a.CreateTenantAsync();
            using var onB = b.ClientFor(tenant);
            return await RoundRobin([tenant.Http, onB], 12);
        }

        Assert.Equal(4, (await Burst()).Count(s => s == HttpStatusCode.OK));

        redis.Stop();
        var down = await Burst();
        Assert.DoesNotContain(down, s => (int)s >= 500);
        Assert.Equal(8, down.Count(s => s == HttpStatusCode.OK)); // 4 per instance

        redis.Restart();
        await WaitUntil(() => Available(a) && Available(b));
        Assert.Equal(4, (await Burst()).Count(s => s == HttpStatusCode.OK));
    }

    private static bool Available(CachingFactory host) => host.Services.GetRequiredService<SharedRedis>().Available;

    private static async Task WaitUntil(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "Redis did not become available within 20 s");
            await Task.Delay(100);
        }
    }

    /// <summary>A loopback port nothing listens on.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A redis-server of the test's own on a free loopback port, never the shared one.</summary>
    public sealed class OwnRedis : IDisposable
    {
        private readonly int _port = ClosedPort();
        private Process? _process;

        public string Address => $"127.0.0.1:{_port}";

        public static OwnRedis Start()
        {
            var redis = new OwnRedis();
            redis.Restart();
            return redis;
        }

        public void Restart()
        {
            _process = Process.Start(new ProcessStartInfo("redis-server",
                ["--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            _process.BeginOutputReadLine();
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    client.Connect(IPAddress.Loopback, _port);
                    return;
                }
                catch (SocketException) when (watch.Elapsed < TimeSpan.FromSeconds(10))
                {
                    Thread.Sleep(50);
                }
            }
        }

        public void Stop()
        {
            if (_process is null)
                return;
            _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
            _process = null;
        }

        public void Dispose() => Stop();
    }
}

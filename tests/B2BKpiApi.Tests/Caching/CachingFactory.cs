using B2BKpiApi.Data;
using B2BKpiApi.Tests.Features.Kpis;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Caching;

/// <summary>An API host that counts the SQL commands it runs, with settings of its own.</summary>
public sealed class CachingFactory : ApiFactory
{
    private readonly (string Key, string Value)[] _settings;

    public CachingFactory() : this(NewDatabase(), []) { }

    private CachingFactory(TestDatabase database, (string Key, string Value)[] settings) : base(database) => _settings = settings;

    /// <summary>A host over <paramref name="database"/>, which it drops on disposal unless it is <see cref="TestDatabase.Shared"/>.</summary>
    public static CachingFactory For(TestDatabase database, params (string Key, string Value)[] settings) => new(database, settings);

    public QueryCountTests.CommandCounter Counter { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The webhook delivery worker polls the database in the background; the counter is for the requests' commands.
        builder.UseSetting("Webhooks:RunDeliveryWorker", "false");
        // These hosts count a request's SQL commands, the API-key lookup included: it is read from the database
        // on every request unless a test turns the key cache on (TenantKeyCacheTests).
        builder.UseSetting("Tenancy:KeyCacheMilliseconds", "0");
        // Redis's 100 ms production timeout is shorter than this shared, loaded test machine's stalls: a test that
        // means Redis to answer gives it 2 s (tests of a dead Redis use a closed port or a stopped server, which fail at once).
        builder.UseSetting("Redis:TimeoutMilliseconds", "2000");
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureServices(s => s.ConfigureDbContext<KpiDbContext>(o => o.AddInterceptors(Counter)));
    }

    /// <summary>A client of this host that sends an existing tenant's key.</summary>
    public HttpClient ClientFor(TenantClient tenant)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", tenant.ApiKey);
        return client;
    }
}

using System.Data.Common;
using System.Net;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Features.Kpis;

/// <summary>KPIs come from a fixed number of aggregate queries: not one per KPI, and not one per record.</summary>
public sealed class QueryCountTests(QueryCountTests.CountingFactory factory) : IClassFixture<QueryCountTests.CountingFactory>
{
    public sealed class CountingFactory : ApiFactory
    {
        public CommandCounter Counter { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // These tests count what a computation costs: a repeated request must compute again, not hit the cache.
            builder.UseSetting("Cache:Enabled", "false");
            // ... and the API-key lookup is counted on every request (not answered from memory).
            builder.UseSetting("Tenancy:KeyCacheMilliseconds", "0");
            // The webhook delivery worker polls the database in the background; its queries are not the request's.
            builder.UseSetting("Webhooks:RunDeliveryWorker", "false");
            builder.ConfigureServices(s => s.ConfigureDbContext<KpiDbContext>(o => o.AddInterceptors(Counter)));
        }
    }

    public sealed class CommandCounter : DbCommandInterceptor
    {
        private int _count;
        public int Count => Volatile.Read(ref _count);
        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    private async Task<int> CommandsFor(TenantClient tenant, string url)
    {
        await tenant.Http.GetAsync(url).Expect(HttpStatusCode.OK); // warm up: the first call compiles the queries
        factory.Counter.Reset();
        await tenant.Http.GetAsync(url).Expect(HttpStatusCode.OK);
        return factory.Counter.Count;
    }

    [Fact]
    public async Task A_scorecard_runs_the_same_few_queries_whatever_the_data()
    {
        const string url = "/v1/scorecard?from=2026-01-01&to=2026-03-31";
        using var empty = await factory.CreateTenantAsync();
        var withNothing = await CommandsFor(empty, url);

        using var busy = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(busy);
        var withData = await CommandsFor(busy, url);

        // 1 key lookup + 1 grouped query per fact family (clients, contracts, costs, surveys, leads, and the buying
        // committees of the relationship KPIs), each covering the period and its previous period together.
        Assert.Equal(7, withNothing);
        Assert.Equal(withNothing, withData);
    }

    [Fact]
    public async Task One_kpi_runs_only_the_queries_its_formula_reads()
    {
        using var tenant = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(tenant);
        // Revenue reads the recognized revenue only: 1 key lookup + 1 query of contract terms for both periods.
        Assert.Equal(2, await CommandsFor(tenant, "/v1/kpis/revenue?from=2026-01-01&to=2026-03-31"));
        // NPS reads the survey facts only: 1 key lookup + 1 query for both periods.
        Assert.Equal(2, await CommandsFor(tenant, "/v1/kpis/net-promoter-score?from=2026-01-01&to=2026-03-31"));
        // Retention reads the client facts only.
        Assert.Equal(2, await CommandsFor(tenant, "/v1/kpis/customer-retention-rate?from=2026-01-01&to=2026-03-31"));
        // Economic-buyer NPS is counted by the same survey query as NPS; the spread reads the committee query alone;
        // coverage reads the committees and E from the client query.
        Assert.Equal(2, await CommandsFor(tenant, "/v1/kpis/economic-buyer-nps?from=2026-01-01&to=2026-03-31"));
        Assert.Equal(2, await CommandsFor(tenant, "/v1/kpis/dmu-nps-spread?from=2026-01-01&to=2026-03-31"));
        Assert.Equal(3, await CommandsFor(tenant, "/v1/kpis/dmu-coverage-rate?from=2026-01-01&to=2026-03-31"));
    }

    [Theory]
    [InlineData("revenue")]
    [InlineData("net-revenue-retention")]
    [InlineData("customer-retention-rate")]
    [InlineData("gross-profit-margin")]
    [InlineData("relationship-breadth")]
    [InlineData("dmu-nps-spread")]
    public async Task A_series_runs_the_same_few_queries_whatever_the_number_of_points(string kpi)
    {
        using var tenant = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(tenant);
        var single = await CommandsFor(tenant, $"/v1/kpis/{kpi}?from=2026-01-01&to=2026-03-31");
        var threePoints = await CommandsFor(tenant, $"/v1/kpis/{kpi}/series?from=2026-01-01&to=2026-03-31&interval=month");
        var sixtyPoints = await CommandsFor(tenant, $"/v1/kpis/{kpi}/series?from=2022-01-01&to=2026-12-31&interval=month");

        // Every point and its previous period come from the same statements as a single KPI: not one set per point.
        Assert.Equal(single, threePoints);
        Assert.Equal(single, sixtyPoints);
        Assert.InRange(single, 2, 3);
    }
}

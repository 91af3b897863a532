using B2BKpiApi.Validation;
using System.Data.Common;
using System.Net;
using B2BKpiApi.Tenancy;
using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Features.Kpis;

/// <summary>
/// No tenant can hold the server with KPI reads: a read past its compute budget is cut off (its database work
/// cancelled) with a 503 problem, a tenant over its heavy-read limit gets a 429 problem, and meanwhile other
/// tenants are served. The slow query is simulated by a command that waits until it is cancelled, so nothing
/// here depends on the machine's speed.
/// </summary>
public sealed class ComputeLimitsTests(ComputeLimitsTests.StallingFactory factory) : IClassFixture<ComputeLimitsTests.StallingFactory>
{
    private const string Scorecard = "/v1/scorecard?from=2026-01-01&to=2026-03-31";

    public sealed class StallingFactory : ApiFactory
    {
        public StallingInterceptor Stalls { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Kpis:ComputeBudgetSeconds", "5");
            builder.UseSetting("Kpis:MaxConcurrentHeavyReads", "1");
            builder.UseSetting("Kpis:MaxQueuedHeavyReads", "0");
            builder.ConfigureServices(s => s.ConfigureDbContext<KpiDbContext>(o => o.AddInterceptors(Stalls)));
        }
    }

    /// <summary>Makes every query of one tenant wait until its cancellation token fires, like a query that never ends.</summary>
    public sealed class StallingInterceptor : DbCommandInterceptor
    {
        private Guid _tenant;
        private int _cancelled;

        public TaskCompletionSource Entered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Cancelled => Volatile.Read(ref _cancelled);

        public void Stall(Guid tenant)
        {
            Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _tenant = tenant;
        }

        public void Release() => _tenant = Guid.Empty;

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (_tenant != Guid.Empty && Names(command, _tenant))
            {
                Entered.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _cancelled);
                    throw;
                }
            }
            return await base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        private static bool Names(DbCommand command, Guid tenant) => command.Parameters.Cast<DbParameter>().Any(p => p.Value switch
        {
            Guid g => g == tenant,
            string s => Guid.TryParse(s, out var g) && g == tenant,
            _ => false,
        });
    }

    [Fact]
    public async Task A_read_past_its_budget_is_cut_off_and_cancelled_while_other_tenants_are_served()
    {
        using var heavy = await factory.CreateTenantAsync();
        using var other = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(heavy);
        await KpiScenario.PushAsync(other);
        await other.Http.GetAsync(Scorecard).Expect(HttpStatusCode.OK);

        factory.Stalls.Stall(heavy.TenantId);
        try
        {
            var stalled = heavy.Http.GetAsync(Scorecard);
            await factory.Stalls.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // While the heavy read holds its slot, another tenant's scorecard is served...
            var served = await other.Http.GetAsync(Scorecard).Expect(HttpStatusCode.OK);
            Assert.Equal(4, served["perspectives"]!.AsArray().Count);

            // ...and the same tenant's next heavy read is refused at once (limit 1, no queue).
            using (var refused = await heavy.Http.GetAsync("/v1/kpis/revenue/series?from=2025-01-01&to=2026-12-31&interval=month"))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            }

            // The stalled read is cut off at its budget: its query was cancelled, and it answers a 503 problem.
            var body = await CutOffAtTheBudget(stalled);
            Assert.Contains("shorter period", body, StringComparison.Ordinal);
            Assert.True(factory.Stalls.Cancelled >= 1);
        }
        finally
        {
            factory.Stalls.Release();
        }

        // The slot was given back: the tenant is served again.
        await heavy.Http.GetAsync(Scorecard).Expect(HttpStatusCode.OK);
    }

    /// <summary>The stalled read's answer: a 503 problem with Retry-After of the budget (5 s); returns its body.</summary>
    private static async Task<string> CutOffAtTheBudget(Task<HttpResponseMessage> stalled)
    {
        using var cutOff = await stalled;
        var body = await cutOff.Content.ReadAsStringAsync();
        Assert.True(cutOff.StatusCode == HttpStatusCode.ServiceUnavailable, body);
        Assert.Equal("application/problem+json", cutOff.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), cutOff.Headers.RetryAfter?.Delta);
        return body;
    }

    [Fact]
    public async Task The_churn_risk_ranking_is_a_heavy_read_within_the_budget()
    {
        using var tenant = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(tenant);
        const string ranking = "/v1/churn-risk?asOf=2026-03-31&limit=5";
        var served = await tenant.Http.GetAsync(ranking).Expect(HttpStatusCode.OK);
        Assert.NotEmpty(served["items"]!.AsArray());

        factory.Stalls.Stall(tenant.TenantId);
        try
        {
            var stalled = tenant.Http.GetAsync(ranking);
            await factory.Stalls.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));

            // The ranking holds the tenant's one heavy-read slot: its scorecard is refused meanwhile.
            using (var refused = await tenant.Http.GetAsync(Scorecard))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.Contains("churn-risk ranking", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var body = await CutOffAtTheBudget(stalled);
            Assert.Contains("larger compute budget", body, StringComparison.Ordinal);
            Assert.DoesNotContain("shorter period", body, StringComparison.Ordinal);
        }
        finally
        {
            factory.Stalls.Release();
        }

        await tenant.Http.GetAsync(ranking).Expect(HttpStatusCode.OK);
    }
}

/// <summary>
/// The tenant that used to hold the server's CPU for minutes (1,000 clients, 20,000 contracts with varied
/// terms) gets its 60-month revenue series, exact to the cent, from one pass over its terms.
/// </summary>
public sealed class PathologicalTenantTests(PathologicalTenantTests.PatientFactory factory) : IClassFixture<PathologicalTenantTests.PatientFactory>
{
    /// <summary>A budget far above any machine's need: this test checks the answer, <see cref="ComputeLimitsTests"/> the cut-off.</summary>
    public sealed class PatientFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Kpis:ComputeBudgetSeconds", "600");
        }
    }

    [Fact]
    public async Task A_60_month_revenue_series_of_20000_contracts_with_varied_terms_is_exact()
    {
        using var tenant = await factory.CreateTenantAsync();
        var random = new Random(20_000);
        var origin = new DateOnly(2021, 1, 1);
        var now = DateTime.UtcNow;
        var clients = Enumerable.Range(0, 1_000).Select(i => new Client
        {
            Id = Guid.NewGuid(), TenantId = tenant.TenantId, ExternalId = $"c{i}", Name = $"Client {i}",
            AcquiredOn = origin.AddDays(random.Next(0, 700)), CreatedAt = now, UpdatedAt = now,
        }).ToList();
        var contracts = Enumerable.Range(0, 20_000).Select(i =>
        {
            var starts = origin.AddDays(random.Next(0, 1_900));
            return new Contract
            {
                Id = Guid.NewGuid(), TenantId = tenant.TenantId, ExternalId = $"k{i}", ClientId = clients[random.Next(clients.Count)].Id,
                SignedOn = starts, StartsOn = starts, EndsOn = starts.AddDays(random.Next(0, 1_100)),
                ValueMinor = random.Next(1, 100_000_000), Currency = "USD", Kind = ContractKind.New, CreatedAt = now, UpdatedAt = now,
            };
        }).ToList();
        using (var scope = factory.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Resolve(tenant.TenantId, "USD", "manufacturing");
            var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Clients.AddRange(clients);
            db.Contracts.AddRange(contracts);
            await db.SaveChangesAsync();
        }

        var series = await tenant.Http.GetAsync("/v1/kpis/revenue/series?from=2022-01-01&to=2026-12-31&interval=month").Expect(HttpStatusCode.OK);

        var terms = contracts.Select(c => new TermValue(c.StartsOn, c.EndsOn, Money.FromMinor(c.ValueMinor))).ToList();
        var points = series["points"]!.AsArray();
        Assert.Equal(60, points.Count);
        foreach (var point in points)
        {
            var period = new Period(DateOnly.Parse(point!["period"]!["from"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
                DateOnly.Parse(point["period"]!["to"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(decimal.Round(Recognition.Revenue(terms, period), 2, MidpointRounding.AwayFromZero), point["value"]!.GetValue<decimal>());
            Assert.Equal(decimal.Round(Recognition.Revenue(terms, period.Previous()), 2, MidpointRounding.AwayFromZero),
                point["previous"]!["value"]!.GetValue<decimal>());
        }
    }
}

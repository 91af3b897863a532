using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Features.PeerBenchmarks;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.PeerBenchmarks;

/// <summary>The privacy rules over a few tenants, each test on a database of its own.</summary>
public sealed class PeerPrivacyTests
{
    private const string Url = $"/v1/benchmarks/peers?kpi=active-clients&period={PeersFactory.Quarter}";

    /// <summary>Ten saas tenants whose active clients at the end of Q1 are 10, 12, 14, 16, 18, 22, 24, 26, 28, 30 (median 20).</summary>
    private static async Task<List<TenantClient>> TenSaasTenants(PeersFactory factory)
    {
        var tenants = new List<TenantClient>();
        foreach (var clients in new[] { 10, 12, 14, 16, 18, 22, 24, 26, 28, 30 })
            tenants.Add(await factory.TenantAsync("saas", clients, 0, optIn: true));
        return tenants;
    }

    private static async Task<List<JsonObject>> Cohorts(TenantClient reader, string url = Url) =>
        (await reader.Http.GetAsync(url).Expect(HttpStatusCode.OK))["cohorts"]!.AsArray().Select(c => c!.AsObject()).ToList();

    private static IEnumerable<decimal> Figures(IEnumerable<JsonObject> cohorts) =>
        cohorts.SelectMany(c => new[] { "p10", "p25", "p50", "p75", "p90" }.Select(p => (decimal?)c[p])).OfType<decimal>();

    [Fact]
    public async Task Differencing_two_snapshots_recovers_no_tenant_value()
    {
        await using var factory = new PeersFactory();
        var tenants = await TenSaasTenants(factory);
        await factory.RunJobAsync();
        var before = await Cohorts(tenants[0]);
        Assert.Equal(3, before.Count); // industry × size, industry and all: the same ten tenants
        Assert.All(before, c => Assert.Equal(20m, (decimal)c["p50"]!));

        // The victim joins alone with 21 active clients: republished, the median of eleven would be its own value.
        var victim = await factory.TenantAsync("saas", 21, 0, optIn: true);
        await factory.RunJobAsync();
        var after = await Cohorts(tenants[0]);
        // The attack: whatever moved between the two snapshots is the newcomer's doing; an odd count's median is a member's value.
        var moved = Figures(after).Except(Figures(before)).ToList();
        Assert.Empty(moved);
        Assert.DoesNotContain(21m, Figures(after));
        Assert.Equal(before.Select(c => c.ToJsonString()), after.Select(c => c.ToJsonString())); // the previous snapshot stays, as it was
        // The victim itself sees the kept figures, which hold nothing of its own value.
        var own = await victim.Http.GetAsync($"/v1/kpis/active-clients?from={PeersFactory.From}&to={PeersFactory.To}&peers=true").Expect(HttpStatusCode.OK);
        Assert.Equal(21m, (decimal)own["value"]!);
        Assert.Equal(20m, (decimal)own["peers"]!["p50"]!);
        Assert.Equal("p50-p75", (string)own["peers"]!["position"]!);

        // A second newcomer: two tenants changed, the cohort is republished, and no figure is either newcomer's value.
        await factory.TenantAsync("saas", 40, 0, optIn: true);
        await factory.RunJobAsync();
        var third = await Cohorts(tenants[0]);
        Assert.NotEqual(Figures(before), Figures(third));
        // 15.5, 21.5 and 26.5 by interpolation, rounded half away from zero to a count's display precision (0 decimals).
        Assert.Equal([16m, 22m, 27m], new[] { "p25", "p50", "p75" }.Select(p => (decimal)third[0][p]!));
        Assert.DoesNotContain(21m, Figures(third));
        Assert.DoesNotContain(40m, Figures(third));
    }

    [Fact]
    public async Task Nested_cohorts_one_tenant_apart_are_not_published_side_by_side()
    {
        await using var factory = new PeersFactory();
        var tenants = await TenSaasTenants(factory);
        // One retail tenant: "all" would be the saas cohort plus it alone, so all minus saas would be its value.
        await factory.TenantAsync("retail", 21, 0, optIn: true);
        await factory.RunJobAsync();
        var cohorts = await Cohorts(tenants[0]);
        Assert.Equal(["industry", "industry-size"], cohorts.Select(c => (string)c["cohort"]!).Order());
        Assert.DoesNotContain(21m, Figures(cohorts));
    }

    [Fact]
    public async Task A_cohort_that_falls_below_k_is_withdrawn_with_the_reason()
    {
        await using var factory = new PeersFactory();
        var tenants = await TenSaasTenants(factory);
        var outsider = await factory.TenantAsync("saas", 5, 0, optIn: false);
        await factory.RunJobAsync();
        Assert.Equal(3, (await Cohorts(tenants[0])).Count);
        // Nine of ten left opted in: nothing may be published, and the tenants are told why.
        await PeersFactory.OptInAsync(tenants[9], optIn: false);
        await factory.RunJobAsync();
        Assert.Empty(await Cohorts(tenants[0]));
        var read = await tenants[0].Http.GetAsync($"/v1/kpis/active-clients?from={PeersFactory.From}&to={PeersFactory.To}&peers=true").Expect(HttpStatusCode.OK);
        Assert.Equal("cohort-too-small", (string)read["peers"]!["reason"]!);
        Assert.Null(read["peers"]!["p50"]);
        // The opted-out tenant, asked through its own key: not opted in, however many the others are.
        var outside = await outsider.Http.GetAsync($"/v1/kpis/active-clients?from={PeersFactory.From}&to={PeersFactory.To}&peers=true").Expect(HttpStatusCode.OK);
        Assert.Equal("not-opted-in", (string)outside["peers"]!["reason"]!);
    }

    [Fact]
    public async Task Only_one_job_computes_at_a_time_and_only_when_due()
    {
        await using var factory = new PeersFactory();
        await TenSaasTenants(factory);
        using var admin = factory.CreateAdminClient();
        await admin.PostAsync("/v1/admin/peer-benchmarks/refresh", null).Expect(HttpStatusCode.Accepted);
        // Two instances' jobs (each its own lease holder) over one database, started together.
        var jobs = Enumerable.Range(0, 3).Select(_ => ActivatorUtilities.CreateInstance<PeerBenchmarkJob>(factory.Services)).ToList();
        var ran = await Task.WhenAll(jobs.Select(j => Task.Run(() => j.RunIfDueAsync(CancellationToken.None))));
        Assert.Equal(1, ran.Count(r => r));
        Assert.NotEmpty(factory.Snapshots());
        // Done for today: nobody computes again until tomorrow or an operator asks.
        Assert.False(await jobs[0].RunIfDueAsync(CancellationToken.None));
        var refreshed = await admin.PostAsync("/v1/admin/peer-benchmarks/refresh", null).Expect(HttpStatusCode.Accepted);
        Assert.NotNull(refreshed["lastCompletedAt"]);
        Assert.True(await jobs[1].RunIfDueAsync(CancellationToken.None));
        factory.Clock.Set(PeersFactory.Today.AddDays(1));
        Assert.True(await jobs[2].RunIfDueAsync(CancellationToken.None));
    }

    private sealed class WorkerFactory : PeersFactory
    {
        protected override bool WorkerEnabled => true;
    }

    [Fact]
    public async Task The_worker_computes_in_the_background_when_an_operator_asks()
    {
        await using var factory = new WorkerFactory();
        var tenants = await TenSaasTenants(factory);
        using var admin = factory.CreateAdminClient();
        await admin.PostAsync("/v1/admin/peer-benchmarks/refresh", null).Expect(HttpStatusCode.Accepted);
        var deadline = DateTime.UtcNow.AddSeconds(300);
        List<JsonObject> cohorts;
        do
        {
            await Task.Delay(200);
            cohorts = await Cohorts(tenants[0]);
        } while (cohorts.Count == 0 && DateTime.UtcNow < deadline);
        Assert.Equal(3, cohorts.Count);
        // A tenant key cannot ask for a refresh.
        await tenants[0].Http.PostAsync("/v1/admin/peer-benchmarks/refresh", null).ExpectProblem(HttpStatusCode.Forbidden);
    }

    private sealed class SmallKFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("PeerBenchmarks:MinTenants", "4");
        }
    }

    [Fact]
    public void A_minimum_below_five_tenants_is_refused_at_startup()
    {
        Assert.Contains("MinTenants is 4: refused", PeerBenchmarkOptions.Invalid(Config(("PeerBenchmarks:MinTenants", "4"))));
        Assert.Null(PeerBenchmarkOptions.Invalid(Config(("PeerBenchmarks:MinTenants", "5"))));
        Assert.Null(PeerBenchmarkOptions.Invalid(Config()));
        using var factory = new SmallKFactory();
        Assert.ThrowsAny<Exception>(() => factory.CreateClient());
    }

    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();
}

using System.Net;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.PeerBenchmarks;

public sealed class PeerSettingsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Route = "/v1/settings/peer-benchmarks";

    [Fact]
    public async Task Off_by_default_with_the_tenants_industry_and_a_derived_size_band()
    {
        using var tenant = await factory.CreateTenantAsync(industry: "saas");
        var settings = await tenant.Http.GetAsync(Route).Expect(HttpStatusCode.OK);
        Assert.False((bool)settings["optIn"]!);
        Assert.Equal("saas", (string)settings["industry"]!);
        Assert.Equal("under-10", (string)settings["sizeBand"]!);

        await PeersFactory.PushClientsAsync(tenant, "x", 12, 1, "2025-01-01");
        var put = await tenant.Http.PutJson(Route, new { optIn = true, industry = " Fintech " }).Expect(HttpStatusCode.OK);
        Assert.True((bool)put["optIn"]!);
        Assert.Equal("fintech", (string)put["industry"]!);
        Assert.Equal("10-49", (string)put["sizeBand"]!); // 11 active clients today

        // What GET answers can be PUT back as it is.
        var read = await tenant.Http.GetAsync(Route).Expect(HttpStatusCode.OK);
        await tenant.Http.PutJson(Route, read).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_the_field_and_nothing_is_stored()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PutJson(Route, new { industry = "saas" }).ExpectProblem(HttpStatusCode.BadRequest, "optIn");
        await tenant.Http.PutJson(Route, new { optIn = true, sizeBand = "1000+" }).ExpectProblem(HttpStatusCode.BadRequest, "sizeBand");
        await tenant.Http.PutJson(Route, new { optIn = true, industry = "  " }).ExpectProblem(HttpStatusCode.BadRequest, "industry");
        await tenant.Http.PutJson(Route, new { optIn = true, country = "fr" }).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.False((bool)(await tenant.Http.GetAsync(Route).Expect(HttpStatusCode.OK))["optIn"]!);

        await tenant.Http.GetAsync("/v1/kpis/active-clients?from=2026-01-01&to=2026-03-31&peers=yes").ExpectProblem(HttpStatusCode.BadRequest, "peers");
        await tenant.Http.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-03-31&peers=TRUE").ExpectProblem(HttpStatusCode.BadRequest, "peers");
        await PeersFactory.OptInAsync(tenant);
        await tenant.Http.GetAsync("/v1/benchmarks/peers?period=2026-Q1").ExpectProblem(HttpStatusCode.BadRequest, "kpi");
        await tenant.Http.GetAsync("/v1/benchmarks/peers?kpi=nope&period=2026-Q1").ExpectProblem(HttpStatusCode.BadRequest, "kpi");
        await tenant.Http.GetAsync("/v1/benchmarks/peers?kpi=active-clients&period=2026-Q5").ExpectProblem(HttpStatusCode.BadRequest, "period");
        await tenant.Http.GetAsync("/v1/benchmarks/peers?kpi=active-clients").ExpectProblem(HttpStatusCode.BadRequest, "period");
    }

    [Fact]
    public async Task A_tenants_settings_are_its_own()
    {
        using var a = await factory.CreateTenantAsync();
        using var b = await factory.CreateTenantAsync();
        await PeersFactory.OptInAsync(a);
        Assert.True((bool)(await a.Http.GetAsync(Route).Expect(HttpStatusCode.OK))["optIn"]!);
        Assert.False((bool)(await b.Http.GetAsync(Route).Expect(HttpStatusCode.OK))["optIn"]!);
        await b.Http.GetAsync("/v1/benchmarks/peers?kpi=active-clients&period=2026-Q1").ExpectProblem(HttpStatusCode.Forbidden);
        await a.Http.GetAsync("/v1/benchmarks/peers?kpi=active-clients&period=2026-Q1").Expect(HttpStatusCode.OK);
        // Opting out again hides the figures at once.
        await PeersFactory.OptInAsync(a, optIn: false);
        await a.Http.GetAsync("/v1/benchmarks/peers?kpi=active-clients&period=2026-Q1").ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void The_percentile_is_linear_interpolation_between_closest_ranks()
    {
        decimal[] v = [1, 2, 3, 4];
        Assert.Equal(1.75m, B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkRules.Percentile(v, 0.25m));
        Assert.Equal(2.5m, B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkRules.Percentile(v, 0.5m));
        Assert.Equal(4m, B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkRules.Percentile(v, 1m));
        Assert.Equal("10-19", B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkRules.TenantBand(19));
        Assert.Equal("20-49", B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkRules.TenantBand(20));
        Assert.Equal("p50-p75", B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkRules.PositionOf(3, 1, 3, 5));
        Assert.Equal("below-p25", B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkRules.PositionOf(0.99m, 1, 3, 5));
    }
}

using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features.Kpis;

public sealed class KpiEndpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static int Days(string from, string to) => DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture).DayNumber - DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture).DayNumber;

    private static decimal R2(decimal v) => decimal.Round(v, 2, MidpointRounding.AwayFromZero);

    /// <summary>Each expected value is worked out by hand from <see cref="KpiScenario"/>'s records.</summary>
    public static TheoryData<string, decimal> Expected()
    {
        // Revenue Q1: A2 90 days × 200 + D1 Feb 1..Mar 31 (59 days) × 100. Previous period: A1 90 days × 100.
        const decimal revenue = 90 * 200m + 59 * 100m;             // 23,900
        const decimal previousRevenue = 90 * 100m;                   // 9,000
        const decimal cac = (3000m + 1000m) / 2;                     // 2,000: sales + marketing over N = {D, E}
        // CLV: APV = (73,000 + 8,900) / 2; F = (2 contracts / 2 clients) × 365 / 90; Y = mean lifespan of B and C in years.
        var lifespanDays = Days("2025-06-01", "2026-02-15") + Days("2025-03-01", "2025-12-31");
        var clv = (73000m + 8900m) / 2 * (2m / 2m * 365m / 90m) * (lifespanDays / 2m / 365m);
        return new TheoryData<string, decimal>
        {
            { "active-clients", 3 },                                   // A, D, E
            { "new-clients", 2 },                                      // D, E
            { "customer-retention-rate", R2((3m - 2m) / 2m * 100) },   // S = {A, B}
            { "customer-churn-rate", R2(1m / 2m * 100) },              // B lost
            { "net-revenue-retention", R2(73000m / 36500m * 100) },    // cohort {A}
            { "arr-per-client", R2((73000m + 8900m / 89 * 365) / 3) }, // A, D (E has no contract)
            { "revenue", revenue },
            { "revenue-growth-rate", R2((revenue - previousRevenue) / previousRevenue * 100) },
            { "gross-profit-margin", R2((revenue - 5000m - 2000m) / revenue * 100) },
            { "operating-margin", R2((revenue - 11900m) / revenue * 100) },
            { "labor-cost-percentage", R2(2000m / revenue * 100) },
            { "average-contract-value", R2((73000m + 8900m) / 2) },
            { "customer-acquisition-cost", cac },
            { "customer-lifetime-value", R2(clv) },
            { "clv-cac-ratio", R2(clv / cac) },
            { "net-promoter-score", R2((3m - 1m) / 5m * 100) },        // 10, 9, 9 | 7 | 3 (the 0 is in December)
            { "customer-satisfaction-score", R2(2m / 3m * 100) },
            { "customer-effort-score", R2((7m + 5m + 6m) / 3) },
            { "marketing-qualified-leads", 3 },                        // L1, L2, L3
            { "lead-conversion-rate", R2(2m / 4m * 100) },             // created L1, L2, L3, L5; converted L1, L2
            { "win-rate", R2(2m / 3m * 100) },                         // L1, L4 won; L2 lost
            { "average-deal-size", R2((10000m + 20000m) / 2) },
            { "sales-cycle-length", decimal.Round((Days("2026-01-05", "2026-02-20") + Days("2025-12-01", "2026-01-25")) / 2m, 1, MidpointRounding.AwayFromZero) },
            { "pipeline-velocity", R2(2m * 15000m * (2m / 3m) / ((46m + 55m) / 2)) },   // Q = L3, L6 open and qualified
            { "cost-per-lead", R2(1000m / 4) },
            { "sales-marketing-roi", R2((30000m - 4000m) / 4000m * 100) },
            // E = {A, D, E}. A: economic buyer (n1) and user (n4, s1), s2's role other does not count; D: technical buyer (n2).
            { "relationship-breadth", R2((2m + 1m + 0m) / 3) },
            { "dmu-coverage-rate", R2(1m / 3m * 100) },                // A
            { "economic-buyer-nps", R2((2m - 1m) / 3m * 100) },        // n1 10, n3 9 (no client), n5 3 (B, churned)
            { "dmu-detractor-rate", 0m },                              // B's economic buyer gave 3, but B is not in E
            { "dmu-nps-spread", R2((100m - 0m) / 1) },                 // A: economic buyer NPS 100, user (7) NPS 0
        };
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public async Task Every_kpi_matches_the_hand_worked_value(string kpi, decimal expected)
    {
        using var tenant = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(tenant);

        var result = await tenant.Http.GetAsync($"/v1/kpis/{kpi}?from={KpiScenario.From}&to={KpiScenario.To}").Expect(HttpStatusCode.OK);
        Assert.True(result["reason"] is null, $"{kpi}: {result}");
        Assert.Equal(expected, result["value"]!.GetValue<decimal>());
        Assert.Equal(kpi, result["kpi"]!.GetValue<string>());
        Assert.Equal(1, result["definitionVersion"]!.GetValue<int>());
        Assert.NotEmpty(result["inputs"]!.AsObject());
    }

    [Fact]
    public async Task The_scorecard_holds_every_kpi_once_grouped_by_perspective_with_the_same_values()
    {
        using var tenant = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(tenant);

        var card = await tenant.Http.GetAsync($"/v1/scorecard?from={KpiScenario.From}&to={KpiScenario.To}").Expect(HttpStatusCode.OK);
        var perspectives = card["perspectives"]!.AsArray().Select(p => p!["perspective"]!.GetValue<string>()).ToArray();
        Assert.Equal(["financial", "customer", "internal-process", "learning-growth"], perspectives);
        var results = card["perspectives"]!.AsArray().SelectMany(p => p!["kpis"]!.AsArray()).ToDictionary(k => k!["kpi"]!.GetValue<string>());
        Assert.Equal(31, results.Count);
        foreach (var row in Expected())
            Assert.Equal((decimal)row[1], results[(string)row[0]]!["value"]!.GetValue<decimal>());
        Assert.Equal("USD", card["currency"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_result_carries_its_inputs_previous_period_change_and_benchmark()
    {
        using var tenant = await factory.CreateTenantAsync(industry: "manufacturing");
        await KpiScenario.PushAsync(tenant);

        var r = await tenant.Http.GetAsync($"/v1/kpis/customer-retention-rate?from={KpiScenario.From}&to={KpiScenario.To}").Expect(HttpStatusCode.OK);
        Assert.Equal(2, r["inputs"]!["clientsAtStart"]!.GetValue<int>());
        Assert.Equal(3, r["inputs"]!["clientsAtEnd"]!.GetValue<int>());
        Assert.Equal(2, r["inputs"]!["newClients"]!.GetValue<int>());
        Assert.Equal("percent", r["unit"]!.GetValue<string>());
        Assert.Null(r["currency"]);
        Assert.Equal("2025-10-03", r["previous"]!["period"]!["from"]!.GetValue<string>());
        Assert.Equal("2025-12-31", r["previous"]!["period"]!["to"]!.GetValue<string>());
        // Previous period: S on 2025-10-02 = {A, B, C}; E on 2025-12-31 = {A, B}; N = 0 → (2 − 0) / 3 × 100.
        Assert.Equal(R2(2m / 3m * 100), r["previous"]!["value"]!.GetValue<decimal>());
        Assert.Equal(50.00m - R2(2m / 3m * 100), r["change"]!.GetValue<decimal>());

        var benchmark = r["benchmark"]!;
        Assert.Equal("seed-2025", benchmark["set"]!.GetValue<string>());
        Assert.Equal(1, benchmark["setVersion"]!.GetValue<int>());
        var bands = benchmark["bands"]!.AsArray();
        var typical = bands.Single(b => b!["industry"]!.GetValue<string>() == "manufacturing")!;
        Assert.Equal("below", typical["position"]!.GetValue<string>());
        Assert.False(typical["favourable"]!.GetValue<bool>());
        Assert.Equal(75m - 50m, typical["distance"]!.GetValue<decimal>());
        Assert.Contains(bands, b => b!["industry"]!.GetValue<string>() == "*" && b["label"]!.GetValue<string>() == "leading");
    }

    [Fact]
    public async Task Revenue_inputs_re_derive_it_by_hand_from_the_contracts_the_days_and_the_sums_per_term_length()
    {
        using var tenant = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(tenant);
        var r = await tenant.Http.GetAsync($"/v1/kpis/revenue?from={KpiScenario.From}&to={KpiScenario.To}").Expect(HttpStatusCode.OK);
        var inputs = r["inputs"]!.AsObject().ToDictionary(i => i.Key, i => i.Value!.GetValue<decimal>());

        // Q1 2026: A2 (365-day term, 73,000) recognizes Jan 1..Mar 31 = 90 days; D1 (Feb 1..Apr 30: an 89-day term, 8,900)
        // recognizes Feb 1..Mar 31 = 59 days. A1 ended on 2025-12-31 and contributes nothing.
        var expected = new Dictionary<string, decimal>
        {
            ["revenue"] = 23900m,
            ["contracts"] = 2,
            ["recognizedDays"] = 90 + 59,
            ["terms.89.contracts"] = 1, ["terms.89.recognizedDays"] = 59, ["terms.89.valueDays"] = 8900m * 59,
            ["terms.365.contracts"] = 1, ["terms.365.recognizedDays"] = 90, ["terms.365.valueDays"] = 73000m * 90,
        };
        Assert.Equal(expected.OrderBy(x => x.Key), inputs.OrderBy(x => x.Key));
        // The check a person makes: revenue = Σ valueDays / term length.
        Assert.Equal(inputs["revenue"], (inputs["terms.89.valueDays"] / 89) + (inputs["terms.365.valueDays"] / 365));
        Assert.Equal(23900m, r["value"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Money_results_name_the_currency_and_money_bands_apply_only_to_usd_tenants()
    {
        using var eur = await factory.CreateTenantAsync(currency: "EUR");
        var r = await eur.Http.GetAsync($"/v1/kpis/average-contract-value?from={KpiScenario.From}&to={KpiScenario.To}").Expect(HttpStatusCode.OK);
        Assert.Equal("money", r["unit"]!.GetValue<string>());
        Assert.Equal("EUR", r["currency"]!.GetValue<string>());
        Assert.NotNull(r["benchmark"]!["noVerdictReason"]);
        Assert.Empty(r["benchmark"]!["bands"]!.AsArray());
    }

    [Fact]
    public async Task A_tenant_with_no_data_gets_zero_counts_and_null_ratios_with_reasons()
    {
        using var tenant = await factory.CreateTenantAsync();
        var card = await tenant.Http.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-03-31").Expect(HttpStatusCode.OK);
        var results = card["perspectives"]!.AsArray().SelectMany(p => p!["kpis"]!.AsArray()).ToList();
        foreach (var r in results)
        {
            var kpi = r!["kpi"]!.GetValue<string>();
            if (kpi is "active-clients" or "new-clients" or "marketing-qualified-leads" or "revenue")
            {
                Assert.Equal(0m, r["value"]!.GetValue<decimal>());
                Assert.Null(r["reason"]);
            }
            else
            {
                Assert.True(r["value"] is null, $"{kpi} should be undefined: {r}");
                Assert.False(string.IsNullOrEmpty(r["reason"]?.GetValue<string>()), $"{kpi} has no reason");
            }
        }
        var nps = results.Single(r => r!["kpi"]!.GetValue<string>() == "net-promoter-score")!;
        Assert.Equal("no-nps-answers", nps["reason"]!.GetValue<string>());
        Assert.True(nps["sample"]!["isSmall"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_filter_that_cannot_apply_gives_null_with_a_reason_and_one_that_can_narrows_the_records()
    {
        using var tenant = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(tenant);
        var q = $"from={KpiScenario.From}&to={KpiScenario.To}";

        var cac = await tenant.Http.GetAsync($"/v1/kpis/customer-acquisition-cost?{q}&industry=retail").Expect(HttpStatusCode.OK);
        Assert.Null(cac["value"]);
        Assert.Equal("filter-not-applicable", cac["reason"]!.GetValue<string>());

        // Retail clients: C (churned before the period), D and E → E = 2.
        var active = await tenant.Http.GetAsync($"/v1/kpis/active-clients?{q}&industry=RETAIL").Expect(HttpStatusCode.OK);
        Assert.Equal(2m, active["value"]!.GetValue<decimal>());

        var winRate = await tenant.Http.GetAsync($"/v1/kpis/win-rate?{q}&source=webinar").Expect(HttpStatusCode.OK);
        Assert.Equal(R2(1m / 2m * 100), winRate["value"]!.GetValue<decimal>());   // L1 won, L2 lost
        var revenue = await tenant.Http.GetAsync($"/v1/kpis/revenue?{q}&source=webinar").Expect(HttpStatusCode.OK);
        Assert.Equal("filter-not-applicable", revenue["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_series_splits_the_period_at_month_boundaries_and_the_parts_add_up()
    {
        using var tenant = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(tenant);

        var series = await tenant.Http.GetAsync($"/v1/kpis/revenue/series?from=2026-01-15&to={KpiScenario.To}&interval=month").Expect(HttpStatusCode.OK);
        var points = series["points"]!.AsArray();
        Assert.Equal(["2026-01-15", "2026-02-01", "2026-03-01"], points.Select(p => p!["period"]!["from"]!.GetValue<string>()));
        Assert.Equal(["2026-01-31", "2026-02-28", "2026-03-31"], points.Select(p => p!["period"]!["to"]!.GetValue<string>()));
        // Jan 15..31: 17 × 200; February: 28 × (200 + 100); March: 31 × (200 + 100).
        Assert.Equal([17 * 200m, 28 * 300m, 31 * 300m], points.Select(p => p!["value"]!.GetValue<decimal>()));
    }

    [Theory]
    [InlineData("", "from")]
    [InlineData("from=2026-01-01", "to")]
    [InlineData("from=2026-03-01&to=2026-02-01", "to")]
    [InlineData("from=2000-01-01&to=2026-01-01", "to")]
    [InlineData("from=2026-01-01&to=2026-02-01&industry=retail&source=ads", "source")]
    public async Task A_bad_period_or_filter_is_a_400_problem(string query, string field)
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.GetAsync($"/v1/kpis/revenue?{query}").ExpectProblem(HttpStatusCode.BadRequest, field);
        await tenant.Http.GetAsync($"/v1/scorecard?{query}").ExpectProblem(HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("from=2026-13-01&to=2026-12-31", "from")]
    [InlineData("from=01/05/2026&to=2026-12-31", "from")]
    [InlineData("from=2026-01-01&to=2026-1-5", "to")]
    [InlineData("from=5 Jan 2026&to=2026-12-31", "from")]
    public async Task A_date_not_written_yyyy_mm_dd_is_a_400_problem_naming_it(string query, string field)
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.GetAsync($"/v1/kpis/revenue?{query}").ExpectProblem(HttpStatusCode.BadRequest, field);
        await tenant.Http.GetAsync($"/v1/clients?{query}").ExpectProblem(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Series_intervals_and_sizes_are_checked()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.GetAsync("/v1/kpis/revenue/series?from=2026-01-01&to=2026-12-31&interval=week").ExpectProblem(HttpStatusCode.BadRequest, "interval");
        await tenant.Http.GetAsync("/v1/kpis/revenue/series?from=2020-01-01&to=2026-12-31&interval=month").ExpectProblem(HttpStatusCode.BadRequest, "interval");
    }

    [Fact]
    public async Task An_unknown_kpi_is_a_404_problem()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.GetAsync("/v1/kpis/happiness?from=2026-01-01&to=2026-01-31").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Kpis_never_count_another_tenants_records()
    {
        using var owner = await factory.CreateTenantAsync();
        using var other = await factory.CreateTenantAsync();
        await KpiScenario.PushAsync(owner);
        var revenue = await other.Http.GetAsync($"/v1/kpis/revenue?from={KpiScenario.From}&to={KpiScenario.To}").Expect(HttpStatusCode.OK);
        Assert.Equal(0m, revenue["value"]!.GetValue<decimal>());
        var card = await other.Http.GetAsync($"/v1/scorecard?from={KpiScenario.From}&to={KpiScenario.To}").Expect(HttpStatusCode.OK);
        var active = card["perspectives"]!.AsArray().SelectMany(p => p!["kpis"]!.AsArray()).Single(k => k!["kpi"]!.GetValue<string>() == "active-clients")!;
        Assert.Equal(0m, active["value"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task The_catalog_and_benchmarks_list_every_kpi_and_band()
    {
        using var tenant = await factory.CreateTenantAsync();
        var catalog = await tenant.Http.GetAsync("/v1/kpis").Expect(HttpStatusCode.OK);
        var items = catalog["items"]!.AsArray();
        Assert.Equal(31, items.Count);
        Assert.All(items, k =>
        {
            Assert.Contains(k!["perspective"]!.GetValue<string>(), new[] { "financial", "customer", "internal-process", "learning-growth" });
            Assert.Contains(k["timing"]!.GetValue<string>(), new[] { "leading", "lagging" });
            Assert.Contains(k["direction"]!.GetValue<string>(), new[] { "higher", "lower" });
        });
        var benchmarks = await tenant.Http.GetAsync("/v1/benchmarks").Expect(HttpStatusCode.OK);
        var set = benchmarks["sets"]![0]!;
        Assert.Equal("seed-2025", set["name"]!.GetValue<string>());
        Assert.Equal(9, set["bands"]!.AsArray().Count);
    }

    [Fact]
    public async Task Kpi_endpoints_need_a_tenant_key()
    {
        using var anonymous = factory.CreateClient();
        await anonymous.GetAsync("/v1/kpis").ExpectProblem(HttpStatusCode.Unauthorized);
        await anonymous.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-01-31").ExpectProblem(HttpStatusCode.Unauthorized);
        await anonymous.GetAsync("/v1/benchmarks").ExpectProblem(HttpStatusCode.Unauthorized);
    }
}

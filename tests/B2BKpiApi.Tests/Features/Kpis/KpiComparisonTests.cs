using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features.Kpis;

/// <summary>
/// compare=previous-period|previous-year|none (api.md, "Added in v1"). The tenant has one client with three
/// yearly contracts whose revenue is a whole number a day (5 in 2023, 10 in 2024, 30 in 2025), so every
/// expected revenue below is re-derived here by counting days, independently of the API's SQL.
/// </summary>
public sealed class KpiComparisonTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static decimal RatePerDay(DateOnly day) => day.Year switch { 2023 => 5m, 2024 => 10m, 2025 => 30m, _ => 0m };

    private static decimal Revenue(DateOnly from, DateOnly to)
    {
        var sum = 0m;
        for (var day = from; day <= to; day = day.AddDays(1))
            sum += RatePerDay(day);
        return sum;
    }

    private static decimal Revenue(string from, string to) => Revenue(D(from), D(to));

    /// <summary>kpis.md: (R − Rprev) / Rprev × 100 with Rprev over the same-length period before; null when Rprev = 0.</summary>
    private static decimal? Growth(DateOnly from, DateOnly to)
    {
        var days = to.DayNumber - from.DayNumber + 1;
        var previous = Revenue(from.AddDays(-days), from.AddDays(-1));
        return previous == 0 ? null : decimal.Round((Revenue(from, to) - previous) / previous * 100, 2, MidpointRounding.AwayFromZero);
    }

    private static async Task<TenantClient> TenantAsync(ApiFactory factory)
    {
        var tenant = await factory.CreateTenantAsync();
        var client = await tenant.Http.PostJson("/v1/clients", new JsonObject
        {
            ["externalId"] = "c1", ["name"] = "Client 1", ["acquiredOn"] = "2022-06-01", ["industry"] = "manufacturing",
        }).Expect(HttpStatusCode.Created);
        var items = new JsonArray();
        foreach (var (year, days, rate) in new[] { (2023, 365, 5m), (2024, 366, 10m), (2025, 365, 30m) })
            items.Add(new JsonObject
            {
                ["externalId"] = $"k{year}", ["clientId"] = client["id"]!.GetValue<string>(), ["signedOn"] = $"{year - 1}-12-01",
                ["startsOn"] = $"{year}-01-01", ["endsOn"] = $"{year}-12-31", ["value"] = days * rate, ["currency"] = "USD", ["kind"] = "new",
            });
        await tenant.Http.PostJson("/v1/contracts/batch", new JsonObject { ["items"] = items }).Expect(HttpStatusCode.OK);
        return tenant;
    }

    public static TheoryData<string, string, string, string, string, string> Comparisons() => new()
    {
        // compare, from, to, basis, compared from, compared to
        { "previous-period", "2025-01-01", "2025-03-31", "calendar", "2024-10-01", "2024-12-31" },   // Q1 → Q4
        { "previous-period", "2025-04-01", "2025-04-30", "calendar", "2025-03-01", "2025-03-31" },   // April → March
        { "previous-period", "2025-01-01", "2025-12-31", "calendar", "2024-01-01", "2024-12-31" },   // 2025 → 2024
        { "previous-period", "2024-03-01", "2024-03-31", "calendar", "2024-02-01", "2024-02-29" },   // leap February
        { "previous-period", "2025-01-15", "2025-02-14", "same-length", "2024-12-15", "2025-01-14" }, // not calendar-aligned
        { "previous-period", "2025-02-01", "2025-03-31", "same-length", "2024-12-04", "2025-01-31" }, // two months: 59 days before
        { "previous-year", "2025-01-01", "2025-03-31", "year-over-year", "2024-01-01", "2024-03-31" },
        { "previous-year", "2024-02-29", "2024-03-31", "year-over-year", "2023-02-28", "2023-03-31" }, // 29 Feb → 28 Feb
    };

    [Theory]
    [MemberData(nameof(Comparisons))]
    public async Task Compare_chooses_the_compared_period_and_says_which(string compare, string from, string to, string basis,
        string comparedFrom, string comparedTo)
    {
        using var tenant = await TenantAsync(factory);

        var result = await tenant.Http.GetAsync($"/v1/kpis/revenue?from={from}&to={to}&compare={compare}").Expect(HttpStatusCode.OK);

        var value = Revenue(from, to);
        var previous = Revenue(comparedFrom, comparedTo);
        Assert.Equal(value, result["value"]!.GetValue<decimal>());
        Assert.Equal(comparedFrom, result["previous"]!["period"]!["from"]!.GetValue<string>());
        Assert.Equal(comparedTo, result["previous"]!["period"]!["to"]!.GetValue<string>());
        Assert.Equal(previous, result["previous"]!["value"]!.GetValue<decimal>());
        Assert.Equal(value - previous, result["change"]!.GetValue<decimal>());
        Assert.Equal(basis, result["comparison"]!["basis"]!.GetValue<string>());
        Assert.Equal(comparedFrom, result["comparison"]!["from"]!.GetValue<string>());
        Assert.Equal(comparedTo, result["comparison"]!["to"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Comparisons))]
    public async Task Compare_never_changes_a_formula_revenue_growth_keeps_the_same_length_previous_period(string compare, string from,
        string to, string basis, string comparedFrom, string comparedTo)
    {
        Assert.NotNull(basis);
        using var tenant = await TenantAsync(factory);

        var plain = await tenant.Http.GetAsync($"/v1/kpis/revenue-growth-rate?from={from}&to={to}").Expect(HttpStatusCode.OK);
        var compared = await tenant.Http.GetAsync($"/v1/kpis/revenue-growth-rate?from={from}&to={to}&compare={compare}").Expect(HttpStatusCode.OK);

        Assert.Equal(Growth(D(from), D(to)), compared["value"]!.GetValue<decimal?>());
        Assert.Equal(plain["value"]!.ToJsonString(), compared["value"]!.ToJsonString());
        Assert.Equal(plain["inputs"]!.ToJsonString(), compared["inputs"]!.ToJsonString());
        // The compared period's own growth is computed with its own same-length previous period.
        Assert.Equal(Growth(D(comparedFrom), D(comparedTo)), compared["previous"]!["value"]?.GetValue<decimal?>());
    }

    [Fact]
    public async Task Without_compare_the_answer_is_unchanged_same_length_previous_period_and_no_comparison_field()
    {
        using var tenant = await TenantAsync(factory);

        using var response = await tenant.Http.GetAsync("/v1/kpis/revenue?from=2025-01-01&to=2025-03-31");
        var text = await response.Content.ReadAsStringAsync();
        var result = JsonNode.Parse(text)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["kpi", "definitionVersion", "period", "value", "unit", "currency", "reason", "inputs", "sample", "previous", "change", "benchmark"],
            result.AsObject().Select(p => p.Key).ToArray());
        Assert.DoesNotContain("comparison", text, StringComparison.Ordinal);
        Assert.Equal("2024-10-03", result["previous"]!["period"]!["from"]!.GetValue<string>()); // 90 days before Q1, as kpis.md defines
        Assert.Equal(Revenue("2024-10-03", "2024-12-31"), result["previous"]!["value"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Compare_none_carries_no_comparison()
    {
        using var tenant = await TenantAsync(factory);

        var result = await tenant.Http.GetAsync("/v1/kpis/revenue?from=2025-01-01&to=2025-03-31&compare=none").Expect(HttpStatusCode.OK);

        Assert.Equal(Revenue("2025-01-01", "2025-03-31"), result["value"]!.GetValue<decimal>());
        Assert.Null(result["change"]);
        Assert.Null(result["previous"]!["value"]);
        Assert.Equal("comparison-not-requested", result["previous"]!["reason"]!.GetValue<string>());
        Assert.Equal("none", result["comparison"]!["basis"]!.GetValue<string>());
        Assert.Null(result["comparison"]!["from"]);
        Assert.Null(result["comparison"]!["to"]);
    }

    [Fact]
    public async Task A_series_compares_each_point_per_its_own_interval()
    {
        using var tenant = await TenantAsync(factory);

        var series = await tenant.Http.GetAsync("/v1/kpis/revenue/series?from=2025-01-15&to=2025-04-30&interval=month&compare=previous-period")
            .Expect(HttpStatusCode.OK);

        (string From, string To, string Basis, string ComparedFrom, string ComparedTo)[] expected =
        [
            ("2025-01-15", "2025-01-31", "same-length", "2024-12-29", "2025-01-14"), // clipped first point: not a whole month
            ("2025-02-01", "2025-02-28", "calendar", "2025-01-01", "2025-01-31"),
            ("2025-03-01", "2025-03-31", "calendar", "2025-02-01", "2025-02-28"),
            ("2025-04-01", "2025-04-30", "calendar", "2025-03-01", "2025-03-31"),
        ];
        var points = series["points"]!.AsArray();
        Assert.Equal(expected.Length, points.Count);
        foreach (var (point, e) in points.Zip(expected))
        {
            Assert.Equal(e.From, point!["period"]!["from"]!.GetValue<string>());
            Assert.Equal(e.Basis, point["comparison"]!["basis"]!.GetValue<string>());
            Assert.Equal(e.ComparedFrom, point["previous"]!["period"]!["from"]!.GetValue<string>());
            Assert.Equal(e.ComparedTo, point["previous"]!["period"]!["to"]!.GetValue<string>());
            Assert.Equal(Revenue(e.From, e.To), point["value"]!.GetValue<decimal>());
            Assert.Equal(Revenue(e.ComparedFrom, e.ComparedTo), point["previous"]!["value"]!.GetValue<decimal>());
        }

        var yearly = await tenant.Http.GetAsync("/v1/kpis/revenue/series?from=2024-01-01&to=2025-12-31&interval=quarter&compare=previous-year")
            .Expect(HttpStatusCode.OK);
        foreach (var point in yearly["points"]!.AsArray())
        {
            var from = D(point!["period"]!["from"]!.GetValue<string>());
            var to = D(point["period"]!["to"]!.GetValue<string>());
            Assert.Equal("year-over-year", point["comparison"]!["basis"]!.GetValue<string>());
            Assert.Equal(Revenue(from.AddYears(-1), to.AddYears(-1)), point["previous"]!["value"]!.GetValue<decimal>());
        }
    }

    [Fact]
    public async Task The_scorecard_compares_every_kpi_the_same_way()
    {
        using var tenant = await TenantAsync(factory);

        var card = await tenant.Http.GetAsync("/v1/scorecard?from=2025-01-01&to=2025-03-31&compare=previous-year").Expect(HttpStatusCode.OK);

        var results = card["perspectives"]!.AsArray().SelectMany(p => p!["kpis"]!.AsArray()).ToList();
        Assert.Equal(31, results.Count);
        foreach (var kpi in results)
        {
            Assert.Equal("year-over-year", kpi!["comparison"]!["basis"]!.GetValue<string>());
            Assert.Equal("2024-01-01", kpi["previous"]!["period"]!["from"]!.GetValue<string>());
            Assert.Equal("2024-03-31", kpi["previous"]!["period"]!["to"]!.GetValue<string>());
        }
        var revenue = results.Single(k => k!["kpi"]!.GetValue<string>() == "revenue")!;
        Assert.Equal(Revenue("2024-01-01", "2024-03-31"), revenue["previous"]!["value"]!.GetValue<decimal>());
        var growth = results.Single(k => k!["kpi"]!.GetValue<string>() == "revenue-growth-rate")!;
        Assert.Equal(Growth(D("2025-01-01"), D("2025-03-31")), growth["value"]!.GetValue<decimal>());
    }

    [Theory]
    [InlineData("PREVIOUS-YEAR")]
    [InlineData("Previous-Period")]
    [InlineData("calendar")]
    [InlineData("same-length")]
    [InlineData("year-over-year")]
    [InlineData("previous")]
    public async Task Any_other_compare_value_is_a_400_naming_compare_and_its_values(string value)
    {
        using var tenant = await factory.CreateTenantAsync();

        foreach (var path in new[] { "/v1/kpis/revenue?", "/v1/kpis/revenue/series?interval=month&", "/v1/scorecard?" })
        {
            var problem = await tenant.Http.GetAsync($"{path}from=2025-01-01&to=2025-03-31&compare={value}")
                .ExpectProblem(HttpStatusCode.BadRequest, "compare");
            var message = problem["errors"]!["compare"]![0]!.GetValue<string>();
            Assert.Contains("previous-period, previous-year or none", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Compare_is_part_of_the_cached_answer_key()
    {
        using var tenant = await TenantAsync(factory);
        const string url = "/v1/kpis/revenue?from=2025-01-01&to=2025-03-31";

        using var plain = await tenant.Http.GetAsync(url);
        using var yearly = await tenant.Http.GetAsync(url + "&compare=previous-year");
        using var plainAgain = await tenant.Http.GetAsync(url);
        using var yearlyAgain = await tenant.Http.GetAsync(url + "&compare=previous-year");

        Assert.NotEqual(plain.Headers.ETag, yearly.Headers.ETag);
        Assert.Equal(plain.Headers.ETag, plainAgain.Headers.ETag);
        Assert.Equal(await plain.Content.ReadAsStringAsync(), await plainAgain.Content.ReadAsStringAsync());
        Assert.Equal(await yearly.Content.ReadAsStringAsync(), await yearlyAgain.Content.ReadAsStringAsync());
        var yearlyBody = JsonNode.Parse(await yearlyAgain.Content.ReadAsStringAsync())!;
        Assert.Equal("2024-01-01", yearlyBody["previous"]!["period"]!["from"]!.GetValue<string>());
        Assert.DoesNotContain("comparison", await plainAgain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

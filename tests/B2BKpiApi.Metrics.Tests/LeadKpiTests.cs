using FsCheck;
using FsCheck.Fluent;

namespace B2BKpiApi.Metrics.Tests;

public sealed class LeadKpiTests
{
    private static PeriodFacts WithLeads(LeadFacts leads) => EmptyFacts with { Leads = leads };

    [Fact]
    public void Mqls_count_qualified_leads_and_are_zero_without_any()
    {
        AssertValue(Kpi(KpiIds.MarketingQualifiedLeads, WithLeads(NoLeads with { Qualified = 12 })), 12m);
        AssertValue(Kpi(KpiIds.MarketingQualifiedLeads, EmptyFacts), 0m);
    }

    [Fact]
    public void Conversion_is_the_share_of_created_leads_that_became_opportunities()
    {
        var result = Kpi(KpiIds.LeadConversionRate, WithLeads(NoLeads with { Created = 40, CreatedConverted = 9 }));
        AssertValue(result, 9m / 40m * 100m); // 22.5
        Assert.Equal(new SampleSize(40, 30), result.Sample);
        AssertUndefined(Kpi(KpiIds.LeadConversionRate, EmptyFacts), "no-leads-created");
    }

    [Fact]
    public void Win_rate_is_won_over_closed_leads()
    {
        var result = Kpi(KpiIds.WinRate, WithLeads(NoLeads with { Won = 1, Lost = 2 }));
        AssertValue(result, 33.33m); // 1 / 3 × 100 = 33.333…
        Assert.Equal(new SampleSize(3, 30), result.Sample);
        Assert.True(result.Sample!.IsSmall);
        AssertUndefined(Kpi(KpiIds.WinRate, EmptyFacts), "no-closed-leads");
    }

    [Fact]
    public void Average_deal_size_and_sales_cycle_are_means_over_won_leads()
    {
        var facts = WithLeads(NoLeads with { Won = 4, Lost = 10, WonDealValue = 50_000m, WonCycleDays = 7 });
        AssertValue(Kpi(KpiIds.AverageDealSize, facts), 50_000m / 4);
        AssertValue(Kpi(KpiIds.SalesCycleLength, facts), 1.8m); // 7 / 4 = 1.75 → 1.8, half away from zero, 1 decimal
        AssertUndefined(Kpi(KpiIds.AverageDealSize, EmptyFacts), "no-won-leads");
        AssertUndefined(Kpi(KpiIds.SalesCycleLength, EmptyFacts), "no-won-leads");
    }

    public static TheoryData<int, long, decimal> CycleDays => new()
    {
        { 3, 10, 3.3m },   // 10 / 3 = 3.333…
        { 3, 11, 3.7m },   // 11 / 3 = 3.666…
        { 4, 1, 0.3m },    // 1 / 4 = 0.25
        { 1, 0, 0.0m },    // won on the day it was created
    };

    [Theory]
    [MemberData(nameof(CycleDays))]
    public void Sales_cycle_length_has_one_decimal(int won, long cycleDays, decimal expected)
    {
        AssertValue(Kpi(KpiIds.SalesCycleLength, WithLeads(NoLeads with { Won = won, WonCycleDays = cycleDays })), expected);
    }

    [Fact]
    public void Pipeline_velocity_multiplies_unrounded_components()
    {
        // Q = 10, average deal 10,000 / 3 = 3,333.33…, win rate 3 / 7, cycle 20 / 3 days:
        // 10 × (10,000 / 3) × (3 / 7) / (20 / 3) = 10 × 10,000 × 3 / (7 × 20) = 2,142.857… → 2,142.86.
        var facts = WithLeads(NoLeads with { OpenQualified = 10, Won = 3, Lost = 4, WonDealValue = 10_000m, WonCycleDays = 20 });
        var result = Kpi(KpiIds.PipelineVelocity, facts);
        AssertValue(result, 2_142.86m);
        Assert.Equal(["openQualifiedLeads", "averageDealSize", "winRate", "salesCycleLength"], result.Inputs.Select(i => i.Name));
        Assert.Equal(new SampleSize(3, 30), result.Sample);
        // Rounded components would give 10 × 3,333.33 × 0.4286 / 6.7 = 2,132.34: they must not be used.
        Assert.NotEqual(2_132.34m, result.Value);
    }

    [Fact]
    public void Pipeline_velocity_is_undefined_with_its_components_reason()
    {
        AssertUndefined(Kpi(KpiIds.PipelineVelocity, WithLeads(NoLeads with { OpenQualified = 5 })), "no-closed-leads");
        var onlyLost = Kpi(KpiIds.PipelineVelocity, WithLeads(NoLeads with { OpenQualified = 5, Lost = 2 }));
        AssertUndefined(onlyLost, "no-won-leads");
        Assert.Equal(0m, Input(onlyLost, "winRate"));
        Assert.Null(Input(onlyLost, "averageDealSize"));
        AssertUndefined(Kpi(KpiIds.PipelineVelocity, WithLeads(NoLeads with { OpenQualified = 5, Won = 2, WonDealValue = 10m })), "zero-sales-cycle");
    }

    [Fact]
    public void Lead_kpis_are_not_applicable_when_the_filter_excludes_leads()
    {
        var facts = EmptyFacts with { Leads = null };
        foreach (var id in new[] { KpiIds.MarketingQualifiedLeads, KpiIds.LeadConversionRate, KpiIds.WinRate, KpiIds.AverageDealSize,
                                   KpiIds.SalesCycleLength, KpiIds.PipelineVelocity, KpiIds.CostPerLead, KpiIds.SalesMarketingRoi })
            AssertUndefined(Kpi(id, facts), "filter-not-applicable");
    }

    [Fact]
    public void Reference_facts_read_lead_dates_against_the_period_edges()
    {
        LeadRecord Lead(string created, string? qualified = null, string? opportunity = null, string? closed = null,
                        bool? won = null, decimal? deal = null) =>
            new(D(created), qualified is null ? null : D(qualified), opportunity is null ? null : D(opportunity),
                closed is null ? null : D(closed), won, deal, null);
        var leads = new[]
        {
            Lead("2024-12-01", qualified: "2025-01-01", opportunity: "2025-01-10", closed: "2025-03-31", won: true, deal: 1_000m),
            Lead("2025-01-01", qualified: "2025-03-31", opportunity: "2025-04-01"),          // converted after `to`
            Lead("2025-03-31", qualified: "2025-03-31", opportunity: "2025-03-31", closed: "2025-04-01", won: false),
            Lead("2025-02-01", closed: "2025-02-01", won: false),
            Lead("2024-10-01", qualified: "2024-11-01"),                                      // open since before P
            Lead("2024-10-01", qualified: "2024-11-01", closed: "2024-12-31", won: true, deal: 5m),
        };
        Assert.Equal(
            new LeadFacts(
                Qualified: 3, Created: 3, CreatedConverted: 1, Won: 1, Lost: 1,
                WonDealValue: 1_000m, WonCycleDays: 120, // 2024-12-01 → 2025-03-31 = 31 + 89 days
                OpenQualified: 3), // the lead converted after `to`, the one closed after `to`, the one open since before P
            ReferenceFacts.Compute(Records(leads: leads), Q1).Leads);
    }

    [Fact]
    public void Win_rate_and_conversion_stay_within_0_and_100()
    {
        Prop.ForAll(Generators.TenantAndPeriod, t =>
        {
            var facts = ReferenceFacts.Compute(t.Data, t.Period);
            if (Kpi(KpiIds.WinRate, facts).Value is { } winRate)
                Assert.InRange(winRate, 0m, 100m);
            if (Kpi(KpiIds.LeadConversionRate, facts).Value is { } conversion)
                Assert.InRange(conversion, 0m, 100m);
        }).QuickCheckThrowOnFailure();
    }
}

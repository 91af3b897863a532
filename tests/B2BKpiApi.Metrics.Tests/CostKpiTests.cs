namespace B2BKpiApi.Metrics.Tests;

public sealed class CostKpiTests
{
    private static PeriodFacts With(decimal revenue, CostFacts costs, int newClients = 0, int leadsCreated = 0, decimal wonDealValue = 0) =>
        EmptyFacts with
        {
            Revenue = NoRevenue with { Revenue = revenue },
            Costs = costs,
            Clients = NoClients with { New = newClients },
            Leads = NoLeads with { Created = leadsCreated, WonDealValue = wonDealValue },
        };

    [Fact]
    public void Gross_margin_is_40_for_the_seed_example()
    {
        var result = Kpi(KpiIds.GrossProfitMargin, With(100_000m, NoCosts with { Cogs = 45_000m, DirectLabor = 15_000m }));
        AssertValue(result, (100_000m - 60_000m) / 100_000m * 100m);
        Assert.Equal(40.00m, result.Value);
        Assert.Equal(["revenue", "cogs", "directLabor", "grossProfit"], result.Inputs.Select(i => i.Name));
        Assert.Equal(40_000m, Input(result, "grossProfit"));
    }

    [Fact]
    public void Operating_margin_subtracts_every_category_and_can_be_negative()
    {
        var costs = new CostFacts(Cogs: 30_000m, DirectLabor: 20_000m, Sales: 25_000m, Marketing: 15_000m, Overhead: 20_000m);
        var result = Kpi(KpiIds.OperatingMargin, With(100_000m, costs));
        AssertValue(result, (100_000m - 110_000m) / 100_000m * 100m);
        Assert.Equal(-10.00m, result.Value);
        Assert.Equal(110_000m, Input(result, "totalCost"));
        Assert.Equal(-10_000m, Input(result, "operatingProfit"));
    }

    [Fact]
    public void Labor_cost_percentage_is_direct_labor_over_revenue()
    {
        AssertValue(Kpi(KpiIds.LaborCostPercentage, With(80_000m, NoCosts with { DirectLabor = 30_000m })), 37.50m); // 30 / 80 × 100 = 37.5
    }

    [Fact]
    public void Margins_are_undefined_without_revenue()
    {
        var facts = With(0m, NoCosts with { Cogs = 10m });
        AssertUndefined(Kpi(KpiIds.GrossProfitMargin, facts), "no-revenue");
        AssertUndefined(Kpi(KpiIds.OperatingMargin, facts), "no-revenue");
        AssertUndefined(Kpi(KpiIds.LaborCostPercentage, facts), "no-revenue");
    }

    [Fact]
    public void Cac_is_2000_for_the_seed_example()
    {
        var result = Kpi(KpiIds.CustomerAcquisitionCost, With(0m, NoCosts with { Sales = 30_000m, Marketing = 20_000m }, newClients: 25));
        AssertValue(result, 50_000m / 25);
        Assert.Equal(2_000.00m, result.Value);
        Assert.Equal(["salesCost", "marketingCost", "salesAndMarketingCost", "newClients"], result.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void Cac_is_undefined_without_new_clients()
    {
        AssertUndefined(Kpi(KpiIds.CustomerAcquisitionCost, With(0m, NoCosts with { Sales = 1m })), "no-new-clients");
    }

    [Fact]
    public void Cost_per_lead_is_marketing_cost_over_leads_created()
    {
        AssertValue(Kpi(KpiIds.CostPerLead, With(0m, NoCosts with { Marketing = 1_000m, Sales = 9_999m }, leadsCreated: 3)), 333.33m); // 1,000 / 3
        AssertUndefined(Kpi(KpiIds.CostPerLead, With(0m, NoCosts with { Marketing = 1_000m })), "no-leads-created");
    }

    [Fact]
    public void Roi_sets_won_deal_value_against_sales_and_marketing_spend()
    {
        var costs = NoCosts with { Sales = 10_000m, Marketing = 30_000m };
        AssertValue(Kpi(KpiIds.SalesMarketingRoi, With(0m, costs, wonDealValue: 100_000m)), (100_000m - 40_000m) / 40_000m * 100m);
        AssertValue(Kpi(KpiIds.SalesMarketingRoi, With(0m, costs)), -100.00m);
        AssertUndefined(Kpi(KpiIds.SalesMarketingRoi, With(0m, NoCosts, wonDealValue: 5m)), "no-sales-marketing-cost");
    }

    [Fact]
    public void Cost_kpis_are_not_applicable_when_the_filter_excludes_costs()
    {
        var facts = With(100m, NoCosts, newClients: 1, leadsCreated: 1) with { Costs = null };
        foreach (var id in new[] { KpiIds.GrossProfitMargin, KpiIds.OperatingMargin, KpiIds.LaborCostPercentage,
                                   KpiIds.CustomerAcquisitionCost, KpiIds.CostPerLead, KpiIds.SalesMarketingRoi })
            AssertUndefined(Kpi(id, facts), "filter-not-applicable");
    }

    [Fact]
    public void Reference_costs_sum_by_category_over_the_period_both_ends_included()
    {
        var costs = new[]
        {
            new CostRecord("cogs", 100m, D("2025-01-01")),
            new CostRecord("cogs", 0.01m, D("2025-03-31")),
            new CostRecord("cogs", 999m, D("2024-12-31")),
            new CostRecord("direct-labor", 50m, D("2025-02-01")),
            new CostRecord("sales", 20m, D("2025-02-01")),
            new CostRecord("marketing", 30m, D("2025-02-01")),
            new CostRecord("overhead", 40m, D("2025-04-01")),
        };
        Assert.Equal(new CostFacts(100.01m, 50m, 20m, 30m, 0m), ReferenceFacts.Compute(Records(costs: costs), Q1).Costs);
    }

    [Fact]
    public void Reference_facts_refuse_an_unknown_cost_category()
    {
        Assert.Throws<ArgumentException>(() => ReferenceFacts.Compute(Records(costs: [new CostRecord("travel", 1m, D("2025-01-01"))]), Q1));
    }
}

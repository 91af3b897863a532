namespace B2BKpiApi.Metrics.Tests;

public sealed class ClvTests
{
    /// <summary>
    /// Q1 2025 (90 days): 4 contracts worth 120,000 signed by 2 clients; 2 churned clients that stayed 365 and 1,095 days;
    /// sales + marketing 50,000 for 25 new clients.
    /// </summary>
    private static readonly PeriodFacts Example = EmptyFacts with
    {
        Revenue = NoRevenue with { ContractsSigned = 4, ContractsSignedValue = 120_000m, ClientsSigning = 2 },
        Clients = NoClients with { New = 25, Churned = 2, ChurnedLifespanDays = 365 + 1_095 },
        Costs = NoCosts with { Sales = 20_000m, Marketing = 30_000m },
    };

    [Fact]
    public void Clv_multiplies_purchase_value_frequency_and_lifespan()
    {
        // APV = 120,000 / 4 = 30,000; F = (4 / 2) × 365 / 90 = 8.111…; Y = (1 + 3) / 2 = 2 years.
        // 30,000 × 8.111… × 2 = 120,000 × 365 / 90 = 486,666.666… → 486,666.67.
        var result = Kpi(KpiIds.CustomerLifetimeValue, Example);
        AssertValue(result, 486_666.67m);
        Assert.Equal(30_000m, Input(result, "averagePurchaseValue"));
        Assert.Equal(2m * 365 / 90, Input(result, "purchaseFrequency"));
        Assert.Equal(2m, Input(result, "averageLifespanYears"));
        Assert.Equal(90m, Input(result, "periodDays"));
    }

    [Fact]
    public void Clv_is_undefined_without_signed_contracts_or_churned_clients()
    {
        AssertUndefined(Kpi(KpiIds.CustomerLifetimeValue, Example with { Revenue = NoRevenue }), "no-contracts-signed");
        var noChurn = Kpi(KpiIds.CustomerLifetimeValue, Example with { Clients = NoClients });
        AssertUndefined(noChurn, "no-churned-clients");
        Assert.Equal(30_000m, Input(noChurn, "averagePurchaseValue"));
        Assert.Null(Input(noChurn, "averageLifespanYears"));
    }

    [Fact]
    public void Clv_to_cac_divides_the_unrounded_clv_by_the_cac()
    {
        // CAC = 50,000 / 25 = 2,000; 486,666.666… / 2,000 = 243.333… → 243.33.
        var result = Kpi(KpiIds.ClvCacRatio, Example);
        AssertValue(result, 243.33m);
        Assert.Equal(120_000m * 365 / 90, Input(result, "customerLifetimeValue"));
        Assert.Equal(2_000m, Input(result, "customerAcquisitionCost"));
    }

    [Fact]
    public void Clv_to_cac_is_undefined_with_the_reason_of_its_undefined_component()
    {
        AssertUndefined(Kpi(KpiIds.ClvCacRatio, Example with { Revenue = NoRevenue }), "no-contracts-signed");
        var noNewClients = Kpi(KpiIds.ClvCacRatio, Example with { Clients = Example.Clients! with { New = 0 } });
        AssertUndefined(noNewClients, "no-new-clients");
        Assert.Null(Input(noNewClients, "customerAcquisitionCost"));
        AssertUndefined(Kpi(KpiIds.ClvCacRatio, Example with { Costs = NoCosts }), "no-sales-marketing-cost");
        AssertUndefined(Kpi(KpiIds.ClvCacRatio, Example with { Costs = null }), "filter-not-applicable");
    }

    [Fact]
    public void Reference_clv_facts_count_distinct_signing_clients_and_every_churn_up_to_the_period_end()
    {
        var a = Client("2020-01-01", "2021-01-01"); // 366 days (2020 is a leap year), churned long before P
        var b = Client("2024-01-01", "2025-03-31"); // 455 days, churned on `to`
        var c = Client("2024-01-01", "2025-04-01"); // churned after `to`: not counted
        var contracts = new[]
        {
            new ContractRecord(b.Id, D("2025-01-01"), D("2025-01-01"), D("2025-01-31"), 1_000m),
            new ContractRecord(b.Id, D("2025-03-31"), D("2025-04-01"), D("2025-04-30"), 2_000m),
            new ContractRecord(c.Id, D("2025-02-01"), D("2025-02-01"), D("2025-02-28"), 3_000m),
            new ContractRecord(c.Id, D("2024-12-31"), D("2025-01-01"), D("2025-01-31"), 9_000m), // signed before P
        };
        var facts = ReferenceFacts.Compute(Records([a, b, c], contracts), Q1);
        Assert.Equal((3, 6_000m, 2), (facts.Revenue!.ContractsSigned, facts.Revenue.ContractsSignedValue, facts.Revenue.ClientsSigning));
        Assert.Equal((2, 366L + 455), (facts.Clients!.Churned, facts.Clients.ChurnedLifespanDays));
        // APV 2,000 × F (3 / 2 × 365 / 90) × Y ((366 + 455) / 2 / 365) = 6,000 × 821 / (2 × 90 × 2) = 13,683.33…
        AssertValue(Kpi(KpiIds.CustomerLifetimeValue, facts), 13_683.33m);
    }
}

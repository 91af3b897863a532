namespace B2BKpiApi.Metrics.Tests;

public sealed class RevenueKpiTests
{
    private static PeriodFacts WithRevenue(RevenueFacts revenue) => EmptyFacts with { Revenue = revenue };

    [Fact]
    public void Revenue_is_R_rounded_to_cents_and_zero_when_nothing_is_recognized()
    {
        var result = Kpi(KpiIds.Revenue, WithRevenue(NoRevenue with { Revenue = 100m / 3 }));
        AssertValue(result, 33.33m);
        Assert.Equal(100m / 3, Input(result, "revenue"));
        AssertValue(Kpi(KpiIds.Revenue, EmptyFacts), 0m);
    }

    [Fact]
    public void Growth_rate_compares_with_the_previous_period_and_can_be_negative()
    {
        AssertValue(Kpi(KpiIds.RevenueGrowthRate, WithRevenue(NoRevenue with { Revenue = 90_000m, PreviousRevenue = 120_000m })),
            (90_000m - 120_000m) / 120_000m * 100m);
        AssertValue(Kpi(KpiIds.RevenueGrowthRate, WithRevenue(NoRevenue with { Revenue = 150m, PreviousRevenue = 120m })), 25.00m);
    }

    [Fact]
    public void Growth_rate_is_undefined_without_previous_revenue()
    {
        AssertUndefined(Kpi(KpiIds.RevenueGrowthRate, WithRevenue(NoRevenue with { Revenue = 10m })), "no-revenue-in-previous-period");
    }

    [Fact]
    public void Acv_is_20000_for_the_seed_example()
    {
        var result = Kpi(KpiIds.AverageContractValue, WithRevenue(NoRevenue with { ContractsSigned = 10, ContractsSignedValue = 200_000m, ClientsSigning = 7 }));
        AssertValue(result, 200_000m / 10);
        Assert.Equal(20_000.00m, result.Value);
        Assert.Equal(["contractsSignedValue", "contractsSigned"], result.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void Acv_is_undefined_when_no_contract_was_signed()
    {
        AssertUndefined(Kpi(KpiIds.AverageContractValue, EmptyFacts), "no-contracts-signed");
    }

    [Fact]
    public void Nrr_sets_the_start_cohorts_arr_at_the_end_against_its_arr_at_the_start()
    {
        var result = Kpi(KpiIds.NetRevenueRetention, WithRevenue(NoRevenue with { NrrBaseArr = 80_000m, NrrCurrentArr = 92_000m }));
        AssertValue(result, 92_000m / 80_000m * 100m);
        Assert.Equal(["cohortArrAtEnd", "cohortArrAtStart"], result.Inputs.Select(i => i.Name));
        AssertUndefined(Kpi(KpiIds.NetRevenueRetention, EmptyFacts), "no-arr-at-period-start");
    }

    [Fact]
    public void Arr_per_client_divides_the_arr_of_active_clients_by_their_number()
    {
        var facts = EmptyFacts with
        {
            Revenue = NoRevenue with { ArrAtEnd = 100_000m },
            Clients = NoClients with { AtEnd = 3 },
        };
        AssertValue(Kpi(KpiIds.ArrPerClient, facts), 33_333.33m); // 100,000 / 3 = 33,333.333…
        AssertUndefined(Kpi(KpiIds.ArrPerClient, EmptyFacts), "no-active-clients");
        AssertUndefined(Kpi(KpiIds.ArrPerClient, facts with { Clients = null }), "filter-not-applicable");
    }

    [Fact]
    public void Revenue_inputs_list_the_twelve_term_lengths_that_recognize_most_and_sum_the_rest()
    {
        // 14 term lengths: 1..14 days, each one contract recognizing all of its days at 10 a day (value 10 × L).
        var terms = Enumerable.Range(1, 14).Select(l => new TermLengthRevenue(l, 1, l, 10m * l * l)).ToList();
        var recognition = new RevenueRecognition(14, terms.Sum(t => t.RecognizedDays), terms);
        var revenue = terms.Sum(t => t.Revenue);
        var result = Kpi(KpiIds.Revenue, WithRevenue(NoRevenue with { Revenue = revenue, Recognition = recognition }));

        var names = result.Inputs.Select(i => i.Name).ToList();
        Assert.Equal(3 + (12 * 3) + 3, names.Count);
        Assert.Equal(["revenue", "contracts", "recognizedDays", "terms.3.contracts", "terms.3.recognizedDays", "terms.3.valueDays"], names.Take(6));
        Assert.DoesNotContain("terms.1.contracts", names); // the two smallest go to "other"
        Assert.DoesNotContain("terms.2.contracts", names);
        Assert.Equal(2m, Input(result, "terms.other.contracts"));
        Assert.Equal(3m, Input(result, "terms.other.recognizedDays"));
        Assert.Equal(10m + 20m, Input(result, "terms.other.revenue"));
        Assert.Equal(10m * 14 * 14, Input(result, "terms.14.valueDays"));
        // Re-derived by hand: Σ valueDays / L over the listed lengths, plus the others' revenue.
        var rederived = Enumerable.Range(3, 12).Sum(l => Input(result, $"terms.{l}.valueDays")!.Value / l) + Input(result, "terms.other.revenue")!.Value;
        Assert.Equal(revenue, rederived);
    }

    [Fact]
    public void Revenue_kpis_are_not_applicable_when_the_filter_excludes_revenue()
    {
        var facts = EmptyFacts with { Revenue = null };
        foreach (var id in new[] { KpiIds.Revenue, KpiIds.RevenueGrowthRate, KpiIds.NetRevenueRetention, KpiIds.AverageContractValue })
            AssertUndefined(Kpi(id, facts), "filter-not-applicable");
    }

    [Fact]
    public void Reference_revenue_is_pro_rated_over_the_period_and_its_previous_period()
    {
        var client = Client("2024-01-01");
        // 2024-10-01..2025-09-30 is 365 days at 100 a day; a 2024 leap-year contract of 36,600 is 100 a day too.
        var contracts = new[]
        {
            new ContractRecord(client.Id, D("2024-09-15"), D("2024-10-01"), D("2025-09-30"), 36_500m),
            new ContractRecord(client.Id, D("2023-12-01"), D("2024-01-01"), D("2024-12-31"), 36_600m),
        };
        var r = ReferenceFacts.Compute(Records([client], contracts), Q1).Revenue!;
        Assert.Equal(36_500m * 90 / 365, r.Revenue); // all 90 days of Q1
        // The previous period is 2024-10-03..2024-12-31: 90 days of each contract.
        Assert.Equal(36_500m * 90 / 365 + 36_600m * 90 / 366, r.PreviousRevenue);
        Assert.Equal(0, r.ContractsSigned);
    }

    [Fact]
    public void Reference_arr_counts_contracts_regardless_of_churn_for_nrr_but_only_active_clients_per_client()
    {
        var stays = Client("2024-01-01");
        var leaves = Client("2024-01-01", "2025-02-01");
        var arrives = Client("2025-02-01");
        var contracts = new[]
        {
            new ContractRecord(stays.Id, D("2024-01-01"), D("2024-01-01"), D("2024-12-31"), 36_600m),   // ends before `to`
            new ContractRecord(stays.Id, D("2024-12-01"), D("2025-01-01"), D("2025-12-31"), 73_000m),   // starts on `from`
            new ContractRecord(leaves.Id, D("2024-06-01"), D("2024-07-01"), D("2025-06-30"), 36_500m),  // runs past its churn
            new ContractRecord(arrives.Id, D("2025-02-01"), D("2025-02-01"), D("2026-01-31"), 36_500m), // signed in P
        };
        var r = ReferenceFacts.Compute(Records([stays, leaves, arrives], contracts), Q1).Revenue!;
        // Cohort on 2024-12-31: stays (36,600 × 365 / 366) and leaves (36,500). On 2025-03-31: stays 73,000, leaves 36,500.
        Assert.Equal(36_600m * 365 / 366 + 36_500m, r.NrrBaseArr);
        Assert.Equal(73_000m + 36_500m, r.NrrCurrentArr);
        // Active on `to`: stays and arrives.
        Assert.Equal(73_000m + 36_500m, r.ArrAtEnd);
        Assert.Equal((1, 36_500m, 1), (r.ContractsSigned, r.ContractsSignedValue, r.ClientsSigning));
    }
}

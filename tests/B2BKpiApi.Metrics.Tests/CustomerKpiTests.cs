using FsCheck;
using FsCheck.Fluent;

namespace B2BKpiApi.Metrics.Tests;

public sealed class CustomerKpiTests
{
    private static PeriodFacts WithClients(int atStart, int atEnd, int @new, int lost) =>
        EmptyFacts with { Clients = NoClients with { AtStart = atStart, AtEnd = atEnd, New = @new, Lost = lost } };

    [Fact]
    public void Retention_is_65_for_the_seed_example()
    {
        var result = Kpi(KpiIds.CustomerRetentionRate, WithClients(atStart: 200, atEnd: 180, @new: 50, lost: 70));
        AssertValue(result, (180m - 50m) / 200m * 100m);
        Assert.Equal(65.00m, result.Value);
        Assert.Equal(["clientsAtStart", "clientsAtEnd", "newClients"], result.Inputs.Select(i => i.Name));
        Assert.Equal([200m, 180m, 50m], result.Inputs.Select(i => i.Value));
        Assert.Null(result.Sample);
    }

    [Fact]
    public void Churn_is_lost_over_clients_at_start()
    {
        var result = Kpi(KpiIds.CustomerChurnRate, WithClients(atStart: 200, atEnd: 180, @new: 50, lost: 70));
        AssertValue(result, 70m / 200m * 100m);
        Assert.Equal(70m, Input(result, "lostClients"));
        Assert.Equal(200m, Input(result, "clientsAtStart"));
    }

    [Fact]
    public void Retention_and_churn_are_undefined_without_clients_at_start()
    {
        var facts = WithClients(atStart: 0, atEnd: 3, @new: 3, lost: 0);
        AssertUndefined(Kpi(KpiIds.CustomerRetentionRate, facts), "no-clients-at-period-start");
        AssertUndefined(Kpi(KpiIds.CustomerChurnRate, facts), "no-clients-at-period-start");
    }

    [Fact]
    public void Counts_of_nothing_are_zero_not_undefined()
    {
        AssertValue(Kpi(KpiIds.ActiveClients, EmptyFacts), 0m);
        AssertValue(Kpi(KpiIds.NewClients, EmptyFacts), 0m);
    }

    [Fact]
    public void Active_and_new_clients_are_E_and_N()
    {
        var facts = WithClients(atStart: 10, atEnd: 12, @new: 4, lost: 2);
        AssertValue(Kpi(KpiIds.ActiveClients, facts), 12m);
        AssertValue(Kpi(KpiIds.NewClients, facts), 4m);
    }

    [Fact]
    public void Client_kpis_are_not_applicable_when_the_filter_excludes_clients()
    {
        var facts = EmptyFacts with { Clients = null };
        foreach (var id in new[] { KpiIds.ActiveClients, KpiIds.NewClients, KpiIds.CustomerRetentionRate, KpiIds.CustomerChurnRate })
        {
            var result = Kpi(id, facts);
            AssertUndefined(result, "filter-not-applicable");
            Assert.Empty(result.Inputs);
        }
    }

    [Fact]
    public void Retention_rounds_half_away_from_zero_to_two_decimals()
    {
        // (2 − 0) / 3 × 100 = 66.666… → 66.67; (1 − 0) / 8 × 100 = 12.5 exactly → 12.50.
        AssertValue(Kpi(KpiIds.CustomerRetentionRate, WithClients(3, 2, 0, 1)), 66.67m);
        AssertValue(Kpi(KpiIds.CustomerChurnRate, WithClients(8, 7, 0, 1)), 12.50m);
        // 1 / 800 × 100 = 0.125, a midpoint: 0.13 away from zero (banker's rounding would give 0.12).
        AssertValue(Kpi(KpiIds.CustomerChurnRate, WithClients(800, 799, 0, 1)), 0.13m);
        // (0 − 1) / 800 × 100 = −0.125 → −0.13: a negative retention, possible when new clients leave again.
        AssertValue(Kpi(KpiIds.CustomerRetentionRate, WithClients(800, 0, 1, 800)), -0.13m);
    }

    [Fact]
    public void Reference_facts_count_clients_on_the_first_and_last_day_of_the_period()
    {
        var clients = new[]
        {
            Client("2024-06-01"),                    // active throughout: S, E
            Client("2025-01-01"),                    // acquired on `from`: N, E
            Client("2025-03-31"),                    // acquired on `to`: N, E
            Client("2024-06-01", "2025-01-01"),      // churned on `from`: S, L
            Client("2024-06-01", "2025-03-31"),      // churned on `to`: S, L, not active on `to`
            Client("2024-06-01", "2024-12-31"),      // churned on start: not in S
            Client("2025-02-01", "2025-02-10"),      // acquired and lost inside P: N only
            Client("2025-04-01"),                    // acquired after P
        };
        var c = ReferenceFacts.Compute(Records(clients), Q1).Clients!;
        Assert.Equal(3, c.AtStart);
        Assert.Equal(3, c.AtEnd);
        Assert.Equal(3, c.New);
        Assert.Equal(2, c.Lost);
        // Churned on or before `to`: the two lost, the one churned on start and the one in and out (at any time).
        Assert.Equal(4, c.Churned);
        // From 2024-06-01: to 2025-01-01 is 214 days, to 2025-03-31 is 214 + 89 = 303, to 2024-12-31 is 213; 2025-02-01 → 02-10 is 9.
        Assert.Equal(214L + 303 + 213 + 9, c.ChurnedLifespanDays);
    }

    [Fact]
    public void A_new_client_lost_again_in_the_period_lowers_retention_but_not_churn()
    {
        // S = 2, both stay; one client comes and goes in P: E = 2, N = 1, L = 0.
        var clients = new[] { Client("2024-01-01"), Client("2024-01-01"), Client("2025-02-01", "2025-02-10") };
        var facts = ReferenceFacts.Compute(Records(clients), Q1);
        AssertValue(Kpi(KpiIds.CustomerRetentionRate, facts), (2m - 1m) / 2m * 100m);
        AssertValue(Kpi(KpiIds.CustomerChurnRate, facts), 0m / 2m * 100m);
    }

    [Fact]
    public void Churn_stays_within_0_and_100_and_retention_never_exceeds_100()
    {
        Prop.ForAll(Generators.TenantAndPeriod, t =>
        {
            var facts = ReferenceFacts.Compute(t.Data, t.Period);
            var c = facts.Clients!;
            // Every client active on `to` that was not acquired in P was acquired before `from` and churns after `to`,
            // so it was active at the start: E − N ≤ S.
            Assert.True(c.AtEnd - c.New <= c.AtStart);
            Assert.InRange(c.Lost, 0, c.AtStart);
            if (Kpi(KpiIds.CustomerRetentionRate, facts).Value is { } retention)
                Assert.True(retention <= 100m);
            if (Kpi(KpiIds.CustomerChurnRate, facts).Value is { } churn)
                Assert.InRange(churn, 0m, 100m);
        }).QuickCheckThrowOnFailure();
    }
}

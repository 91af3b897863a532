using B2BKpiApi.Metrics.Aggregation;
using FsCheck;
using FsCheck.Fluent;

namespace B2BKpiApi.Metrics.Tests;

public sealed class RelationshipKpiTests
{
    private static readonly string[] CommitteeKpis =
        [KpiIds.RelationshipBreadth, KpiIds.DmuCoverageRate, KpiIds.EconomicBuyerNps, KpiIds.DmuDetractorRate, KpiIds.DmuNpsSpread];

    private static SurveyRecord Answer(ClientRecord? client, string role, string kind, int score, string respondedOn = "2025-02-01") =>
        new(kind, score, D(respondedOn), client?.Id, role);

    /// <summary>
    /// The worked example of the README's KPI section. Q1 2025; four clients active on 2025-03-31 (E = 4):
    /// A: economic buyer nps 10, technical buyer nps 3, user csat 5 → 3 roles, covered, a buyer detractor, role NPS 100 and −100;
    /// B: economic buyer nps 9 and 6, user nps 8 → 2 roles, covered, a buyer detractor, role NPS 0 and 0;
    /// C: user ces 6, other nps 2 → 1 role (other is no committee role), not covered, no buyer detractor, one nps role at most;
    /// D: no answer → 0 roles. An economic buyer's nps 8 without a client counts for economic-buyer-nps only, and a
    /// client churned on `to` (not in E) with an economic buyer's nps 10 in the period counts for economic-buyer-nps only.
    /// </summary>
    private static TenantRecords WorkedExample(out ClientRecord gone)
    {
        ClientRecord a = Client("2024-01-01"), b = Client("2024-06-01"), c = Client("2025-03-31"), d = Client("2023-05-01");
        gone = Client("2024-01-01", churnedOn: "2025-03-31");
        return Records(clients: [a, b, c, d, gone], surveys:
        [
            Answer(a, "economic-buyer", "nps", 10), Answer(a, "technical-buyer", "nps", 3), Answer(a, "user", "csat", 5),
            Answer(b, "economic-buyer", "nps", 9), Answer(b, "economic-buyer", "nps", 6), Answer(b, "user", "nps", 8),
            Answer(c, "user", "ces", 6), Answer(c, "other", "nps", 2),
            Answer(null, "economic-buyer", "nps", 8),
            Answer(gone, "economic-buyer", "nps", 10, "2025-03-01"), Answer(gone, "user", "nps", 10, "2025-03-01"),
            Answer(a, "gatekeeper", "nps", 0, "2024-12-31"),   // the day before the period
            Answer(d, "economic-buyer", "nps", 1, "2025-04-01"), // the day after it
        ]);
    }

    [Fact]
    public void The_worked_example_gives_the_documented_values_and_inputs()
    {
        var facts = ReferenceFacts.Compute(WorkedExample(out _), Q1);
        Assert.Equal(4, facts.Clients!.AtEnd);
        Assert.Equal(new RelationshipFacts(RolesAnswering: 6, CoveredClients: 2, ClientsWithBuyerDetractor: 2, ClientsWithTwoNpsRoles: 2,
            NpsSpreadSum: 200m), facts.Relationships);

        var breadth = Kpi(KpiIds.RelationshipBreadth, facts);
        AssertValue(breadth, 1.50m);                                    // (3 + 2 + 1 + 0) / 4
        Assert.Equal(["rolesAnswering", "clientsAtEnd"], breadth.Inputs.Select(i => i.Name));
        Assert.Equal(new SampleSize(4, 30), breadth.Sample);
        AssertValue(Kpi(KpiIds.DmuCoverageRate, facts), 50.00m);       // A, B of 4
        AssertValue(Kpi(KpiIds.DmuDetractorRate, facts), 50.00m);      // A (technical buyer 3), B (economic buyer 6) of 4

        // Economic buyers: 10 (A), 9 and 6 (B), 8 (no client), 10 (churned client) → (3 − 1) / 5 × 100.
        var buyerNps = Kpi(KpiIds.EconomicBuyerNps, facts);
        AssertValue(buyerNps, 40.00m);
        Assert.Equal(3m, Input(buyerNps, "economicBuyerPromoters"));
        Assert.Equal(1m, Input(buyerNps, "economicBuyerPassives"));
        Assert.Equal(1m, Input(buyerNps, "economicBuyerDetractors"));
        Assert.Equal(5m, Input(buyerNps, "economicBuyerNpsAnswers"));

        // A: 100 − (−100) = 200; B: economic buyer (1 − 1) / 2 × 100 = 0, user 0 → 0. (200 + 0) / 2.
        var spread = Kpi(KpiIds.DmuNpsSpread, facts);
        AssertValue(spread, 100.00m);
        Assert.Equal(["npsSpreadSum", "clientsWithTwoNpsRoles"], spread.Inputs.Select(i => i.Name));
        Assert.Equal(new SampleSize(2, 30), spread.Sample);
    }

    [Fact]
    public void The_accumulator_over_grouped_answers_gives_the_worked_examples_facts()
    {
        var data = WorkedExample(out _);
        Assert.Equal(ReferenceFacts.Compute(data, Q1).Relationships, Accumulate(data, [Q1])[0]);
    }

    [Fact]
    public void Role_nps_is_on_the_nps_scale_and_the_spread_keeps_fractions_until_the_end()
    {
        var a = Client("2024-01-01");
        // Economic buyer: 10, 10, 0 → (2 − 1) / 3 × 100 = 33.333…; user: 7 → 0; technical buyer csat only (no nps role).
        var data = Records(clients: [a], surveys:
        [
            Answer(a, "economic-buyer", "nps", 10), Answer(a, "economic-buyer", "nps", 10), Answer(a, "economic-buyer", "nps", 0),
            Answer(a, "user", "nps", 7), Answer(a, "technical-buyer", "csat", 1),
        ]);
        var facts = ReferenceFacts.Compute(data, Q1);
        Assert.Equal(100m / 3m, facts.Relationships!.NpsSpreadSum);
        AssertValue(Kpi(KpiIds.DmuNpsSpread, facts), 33.33m);
        AssertValue(Kpi(KpiIds.RelationshipBreadth, facts), 3.00m);
        AssertValue(Kpi(KpiIds.DmuCoverageRate, facts), 100.00m);
        AssertValue(Kpi(KpiIds.DmuDetractorRate, facts), 100.00m);      // the economic buyer's 0
        Assert.Equal(facts.Relationships, Accumulate(data, [Q1])[0]);
    }

    [Fact]
    public void Only_a_client_active_on_to_counts_and_other_or_missing_roles_never_do()
    {
        Assert.Equal(
            new RelationshipFacts(0, 0, 0, 0, 0m),
            ReferenceFacts.Compute(Records(
                clients: [Client("2024-01-01", churnedOn: "2025-03-31"), Client("2025-04-01")],
                surveys: [new SurveyRecord("nps", 0, D("2025-02-01"), null, "economic-buyer")]), Q1).Relationships);

        var a = Client("2024-01-01");
        var onlyOther = Records(clients: [a], surveys:
            [Answer(a, "other", "nps", 0), Answer(a, "other", "csat", 1), new SurveyRecord("nps", 0, D("2025-02-01"), a.Id, null)]);
        var facts = ReferenceFacts.Compute(onlyOther, Q1);
        AssertValue(Kpi(KpiIds.RelationshipBreadth, facts), 0.00m);
        AssertValue(Kpi(KpiIds.DmuCoverageRate, facts), 0.00m);
        AssertValue(Kpi(KpiIds.DmuDetractorRate, facts), 0.00m);
        AssertUndefined(Kpi(KpiIds.DmuNpsSpread, facts), "no-clients-with-two-nps-roles");
        AssertUndefined(Kpi(KpiIds.EconomicBuyerNps, facts), "no-economic-buyer-nps-answers");
    }

    [Fact]
    public void An_economic_buyer_alone_is_not_coverage_and_a_user_detractor_is_not_a_buyer_detractor()
    {
        ClientRecord a = Client("2024-01-01"), b = Client("2024-01-01");
        var facts = ReferenceFacts.Compute(Records(clients: [a, b], surveys:
        [
            Answer(a, "economic-buyer", "nps", 9), Answer(a, "economic-buyer", "csat", 2),
            Answer(b, "user", "nps", 0), Answer(b, "gatekeeper", "nps", 3), Answer(b, "technical-buyer", "ces", 1),
        ]), Q1);
        Assert.Equal(new RelationshipFacts(RolesAnswering: 4, CoveredClients: 0, ClientsWithBuyerDetractor: 0, ClientsWithTwoNpsRoles: 1,
            NpsSpreadSum: 0m), facts.Relationships);
    }

    [Fact]
    public void Relationship_kpis_are_undefined_without_active_clients_and_report_their_sample()
    {
        foreach (var id in new[] { KpiIds.RelationshipBreadth, KpiIds.DmuCoverageRate, KpiIds.DmuDetractorRate })
        {
            var result = Kpi(id, EmptyFacts);
            AssertUndefined(result, "no-active-clients");
            Assert.Equal(new SampleSize(0, 30), result.Sample);
        }
        AssertUndefined(Kpi(KpiIds.EconomicBuyerNps, EmptyFacts), "no-economic-buyer-nps-answers");
        AssertUndefined(Kpi(KpiIds.DmuNpsSpread, EmptyFacts), "no-clients-with-two-nps-roles");

        var many = EmptyFacts with { Clients = NoClients with { AtEnd = 40 }, Relationships = NoRelationships with { RolesAnswering = 50 } };
        var breadth = Kpi(KpiIds.RelationshipBreadth, many);
        AssertValue(breadth, 1.25m);
        Assert.False(breadth.Sample!.IsSmall);
    }

    [Fact]
    public void Relationship_kpis_are_customer_perspective_and_leading_and_not_applicable_without_their_facts()
    {
        foreach (var id in CommitteeKpis)
        {
            Assert.True(KpiCatalog.TryGet(id, out var definition));
            Assert.Equal((Perspective.Customer, Timing.Leading), (definition.Perspective, definition.Timing));
            var facts = id == KpiIds.EconomicBuyerNps ? EmptyFacts with { Surveys = null } : EmptyFacts with { Relationships = null };
            var result = Kpi(id, facts);
            AssertUndefined(result, "filter-not-applicable");
            Assert.Null(result.Sample);
        }
    }

    [Fact]
    public void Economic_buyer_nps_is_nps_when_every_answer_is_an_economic_buyers()
    {
        Prop.ForAll(Generators.TenantAndPeriod, t =>
        {
            var allBuyers = t.Data with { Surveys = t.Data.Surveys.Select(s => s with { RespondentRole = "economic-buyer" }).ToList() };
            var facts = ReferenceFacts.Compute(allBuyers, t.Period);
            var nps = Kpi(KpiIds.NetPromoterScore, facts);
            var buyers = Kpi(KpiIds.EconomicBuyerNps, facts);
            Assert.Equal(nps.Value, buyers.Value);
            Assert.Equal(nps.Sample, buyers.Sample);
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>A few clients (some churned or acquired around the periods) with many answers in 2025, so committees are dense.</summary>
    private static readonly Gen<(TenantRecords Data, Period[] Periods)> DenseCommittees =
        from clients in Gen.ListOf(
            from acquired in Gen.Choose(-200, 200).Select(d => new DateOnly(2025, 1, 1).AddDays(d))
            from churned in Gen.Frequency((2, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 300).Select(d => (int?)d)))
            select new ClientRecord(Guid.NewGuid(), acquired, churned is { } c ? acquired.AddDays(c) : null, null, null))
        from answers in clients.Count == 0
            ? Gen.Constant(new List<SurveyRecord>())
            : Gen.ListOf(
                from client in Gen.Elements(clients.Select(c => (Guid?)c.Id).Append(null).ToArray())
                from kind in Gen.Elements("nps", "nps", "csat", "ces")
                from score in kind switch { "nps" => Gen.Choose(0, 10), "csat" => Gen.Choose(1, 5), _ => Gen.Choose(1, 7) }
                from day in Gen.Choose(0, 200).Select(d => new DateOnly(2025, 1, 1).AddDays(d))
                from role in Gen.Elements<string?>("economic-buyer", "technical-buyer", "user", "gatekeeper", "other", null)
                select new SurveyRecord(kind, score, day, client, role)).Select(l => l.Concat(l).ToList()) // repeats: groups of several
        from start in Gen.Choose(0, 120)
        from lengths in Gen.ArrayOf(Gen.Choose(1, 90))
        select (Records(clients: clients, surveys: answers),
            lengths.Length == 0
                ? [new Period(new DateOnly(2025, 1, 1).AddDays(start), new DateOnly(2025, 1, 1).AddDays(start + 30))]
                : lengths.Select((l, i) => new Period(new DateOnly(2025, 1, 1).AddDays(start + i), new DateOnly(2025, 1, 1).AddDays(start + i + l - 1)))
                    .ToArray());

    [Fact]
    public void The_accumulator_over_grouped_answers_equals_the_reference_for_overlapping_periods()
    {
        Prop.ForAll(DenseCommittees.ToArbitrary(), t =>
        {
            var periods = t.Periods.Distinct().ToArray();
            var accumulated = Accumulate(t.Data, periods);
            for (var i = 0; i < periods.Length; i++)
            {
                var reference = ReferenceFacts.Compute(t.Data, periods[i]);
                var facts = accumulated[i];
                Assert.Equal(reference.Relationships! with { NpsSpreadSum = 0 }, facts with { NpsSpreadSum = 0 });
                Assert.Equal(decimal.Round(reference.Relationships!.NpsSpreadSum, 20), decimal.Round(facts.NpsSpreadSum, 20));
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Relationship_kpis_stay_in_their_declared_ranges_on_dense_committees()
    {
        Prop.ForAll(DenseCommittees.ToArbitrary(), t =>
        {
            var facts = ReferenceFacts.Compute(t.Data, t.Periods[0]);
            foreach (var id in CommitteeKpis)
            {
                var result = Kpi(id, facts);
                Assert.Equal(result.Value is null, result.Reason is not null);
                if (result.Value is { } value)
                    Assert.InRange(value, result.Definition.Minimum!.Value, result.Definition.Maximum!.Value);
            }
            var r = facts.Relationships!;
            Assert.InRange(r.CoveredClients, 0, facts.Clients!.AtEnd);
            Assert.InRange(r.ClientsWithBuyerDetractor, 0, facts.Clients.AtEnd);
            Assert.InRange(r.ClientsWithTwoNpsRoles, 0, facts.Clients.AtEnd);
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>
    /// What the SQL path does: the answers grouped by client, role, day and kind (the role other and answers without a
    /// client or role left out), fed client by client to a <see cref="CommitteeAccumulator"/>.
    /// </summary>
    private static RelationshipFacts[] Accumulate(TenantRecords data, IReadOnlyList<Period> periods)
    {
        var grid = new PeriodGrid(periods);
        var accumulator = new CommitteeAccumulator(grid);
        var roles = new Dictionary<string, CommitteeRole>
        {
            ["economic-buyer"] = CommitteeRole.EconomicBuyer, ["technical-buyer"] = CommitteeRole.TechnicalBuyer,
            ["user"] = CommitteeRole.User, ["gatekeeper"] = CommitteeRole.Gatekeeper,
        };
        foreach (var client in data.Clients)
        {
            var groups = data.Surveys
                .Where(s => s.ClientId == client.Id && s.RespondentRole is { } role && roles.ContainsKey(role))
                .GroupBy(s => (Role: roles[s.RespondentRole!], s.RespondedOn, s.Kind));
            foreach (var g in groups)
                accumulator.Add(g.Key.RespondedOn, g.Key.Role, g.Key.Kind == "nps", g.Count(), g.Count(s => s.Score >= 9), g.Count(s => s.Score <= 6));
            accumulator.EndClient(client.AcquiredOn, client.ChurnedOn);
        }
        return Enumerable.Range(0, grid.Periods.Count).Select(accumulator.Facts).ToArray();
    }
}

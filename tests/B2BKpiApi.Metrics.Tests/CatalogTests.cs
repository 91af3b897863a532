using FsCheck;
using FsCheck.Fluent;

namespace B2BKpiApi.Metrics.Tests;

public sealed class CatalogTests
{
    /// <summary>The ids of the kpis.md table, in its order.</summary>
    private static readonly string[] SpecIds =
    [
        "active-clients", "new-clients", "customer-retention-rate", "customer-churn-rate", "net-revenue-retention",
        "arr-per-client", "revenue", "revenue-growth-rate", "gross-profit-margin", "operating-margin",
        "labor-cost-percentage", "average-contract-value", "customer-acquisition-cost", "customer-lifetime-value",
        "clv-cac-ratio", "net-promoter-score", "customer-satisfaction-score", "customer-effort-score",
        "marketing-qualified-leads", "lead-conversion-rate", "win-rate", "average-deal-size", "sales-cycle-length",
        "pipeline-velocity", "cost-per-lead", "sales-marketing-roi",
        // api.md "Added next": the relationship KPIs.
        "relationship-breadth", "dmu-coverage-rate", "economic-buyer-nps", "dmu-detractor-rate", "dmu-nps-spread",
    ];

    [Fact]
    public void The_catalog_holds_exactly_the_26_kpis_of_kpis_md_in_order_then_the_5_relationship_kpis()
    {
        Assert.Equal(31, KpiCatalog.All.Count);
        Assert.Equal(SpecIds, KpiCatalog.All.Select(d => d.Id));
        Assert.Equal(31, KpiCatalog.All.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void Every_definition_is_version_1_and_described()
    {
        Assert.All(KpiCatalog.All, d =>
        {
            Assert.Equal(1, d.DefinitionVersion);
            Assert.False(string.IsNullOrWhiteSpace(d.Name));
            Assert.False(string.IsNullOrWhiteSpace(d.Description));
            Assert.False(string.IsNullOrWhiteSpace(d.Formula));
            Assert.NotEmpty(d.Reads);
        });
    }

    public static TheoryData<string, Unit, Direction> UnitsAndDirections => new()
    {
        { "customer-retention-rate", Unit.Percent, Direction.HigherIsBetter },
        { "customer-churn-rate", Unit.Percent, Direction.LowerIsBetter },
        { "arr-per-client", Unit.Money, Direction.HigherIsBetter },
        { "labor-cost-percentage", Unit.Percent, Direction.LowerIsBetter },
        { "customer-acquisition-cost", Unit.Money, Direction.LowerIsBetter },
        { "clv-cac-ratio", Unit.Ratio, Direction.HigherIsBetter },
        { "net-promoter-score", Unit.Score, Direction.HigherIsBetter },
        { "customer-effort-score", Unit.Score, Direction.HigherIsBetter },
        { "marketing-qualified-leads", Unit.Count, Direction.HigherIsBetter },
        { "sales-cycle-length", Unit.Days, Direction.LowerIsBetter },
        { "pipeline-velocity", Unit.MoneyPerDay, Direction.HigherIsBetter },
        { "cost-per-lead", Unit.Money, Direction.LowerIsBetter },
        { "relationship-breadth", Unit.Ratio, Direction.HigherIsBetter },
        { "dmu-coverage-rate", Unit.Percent, Direction.HigherIsBetter },
        { "economic-buyer-nps", Unit.Score, Direction.HigherIsBetter },
        { "dmu-detractor-rate", Unit.Percent, Direction.LowerIsBetter },
        { "dmu-nps-spread", Unit.Score, Direction.LowerIsBetter },
    };

    [Theory]
    [MemberData(nameof(UnitsAndDirections))]
    public void Units_and_directions_follow_the_table(string id, Unit unit, Direction direction)
    {
        Assert.True(KpiCatalog.TryGet(id, out var definition));
        Assert.Equal((unit, direction), (definition.Unit, definition.Direction));
    }

    [Fact]
    public void Every_perspective_is_used_and_arr_per_client_is_learning_and_growth()
    {
        Assert.Equal(Enum.GetValues<Perspective>().Order(), KpiCatalog.All.Select(d => d.Perspective).Distinct().Order());
        Assert.True(KpiCatalog.TryGet("arr-per-client", out var arrPerClient));
        Assert.Equal(Perspective.LearningGrowth, arrPerClient.Perspective);
    }

    [Fact]
    public void Lookup_is_by_wire_id_and_optionally_version()
    {
        Assert.True(KpiCatalog.TryGet("win-rate", 1, out var v1));
        Assert.True(KpiCatalog.TryGet("win-rate", out var latest));
        Assert.Equal(v1, latest);
        Assert.False(KpiCatalog.TryGet("win-rate", 2, out _));
        Assert.False(KpiCatalog.TryGet("Win-Rate", out _));
        Assert.False(KpiCatalog.TryGet("mrr", out _));
        Assert.Equal(KpiCatalog.All, KpiCatalog.AllVersions);
    }

    [Fact]
    public void A_definition_outside_the_catalog_cannot_be_computed()
    {
        Assert.True(KpiCatalog.TryGet("win-rate", out var winRate));
        Assert.Throws<ArgumentException>(() => KpiCalculator.Compute(winRate with { DefinitionVersion = 2 }, EmptyFacts));
    }

    [Fact]
    public void Wire_names_are_kebab_case()
    {
        Assert.Equal(
            ["count", "percent", "money", "ratio", "score", "days", "money-per-day"],
            Enum.GetValues<Unit>().Select(Wire.Of));
        Assert.Equal(["higher", "lower"], Enum.GetValues<Direction>().Select(Wire.Of));
        Assert.Equal(["financial", "customer", "internal-process", "learning-growth"], Enum.GetValues<Perspective>().Select(Wire.Of));
        Assert.Equal(["leading", "lagging"], Enum.GetValues<Timing>().Select(Wire.Of));
        Assert.Equal(["below", "within", "above"], Enum.GetValues<BandPosition>().Select(Wire.Of));
        Assert.Equal(["clients", "revenue", "costs", "surveys", "leads", "relationships"], Enum.GetValues<FactFamily>().Select(Wire.Of));
    }

    [Fact]
    public void A_kpi_is_not_applicable_exactly_when_a_family_it_reads_is_missing()
    {
        foreach (var family in Enum.GetValues<FactFamily>())
        {
            var facts = family switch
            {
                FactFamily.Clients => EmptyFacts with { Clients = null },
                FactFamily.Revenue => EmptyFacts with { Revenue = null },
                FactFamily.Costs => EmptyFacts with { Costs = null },
                FactFamily.Surveys => EmptyFacts with { Surveys = null },
                FactFamily.Leads => EmptyFacts with { Leads = null },
                _ => EmptyFacts with { Relationships = null },
            };
            Assert.All(KpiCalculator.ComputeAll(facts), r =>
                Assert.Equal(r.Definition.Reads.Contains(family), r.Reason == KpiReasons.FilterNotApplicable));
        }
    }

    [Fact]
    public void Compute_all_gives_every_kpi_in_catalog_order_for_the_facts_period()
    {
        var results = KpiCalculator.ComputeAll(EmptyFacts);
        Assert.Equal(SpecIds, results.Select(r => r.Definition.Id));
        Assert.All(results, r => Assert.Equal(Q1, r.Period));
    }

    [Fact]
    public void Value_is_null_exactly_when_reason_is_set_and_values_stay_in_the_declared_range()
    {
        Prop.ForAll(Generators.TenantAndPeriod, t =>
        {
            foreach (var r in KpiCalculator.ComputeAll(ReferenceFacts.Compute(t.Data, t.Period)))
            {
                Assert.Equal(r.Value is null, r.Reason is not null);
                if (r.Value is not { } value)
                    continue;
                Assert.Equal(value, Rounding.Round(value, r.Definition.Unit));
                if (r.Definition.Minimum is { } min)
                    Assert.True(value >= min, $"{r.Definition.Id} = {value} < {min}");
                if (r.Definition.Maximum is { } max)
                    Assert.True(value <= max, $"{r.Definition.Id} = {value} > {max}");
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_trend_is_the_signed_difference_of_the_rounded_values()
    {
        var now = Kpi(KpiIds.CustomerChurnRate, EmptyFacts with { Clients = NoClients with { AtStart = 3, Lost = 1 } }); // 33.33
        var before = Kpi(KpiIds.CustomerChurnRate, EmptyFacts with { Clients = NoClients with { AtStart = 8, Lost = 1 } }); // 12.50
        Assert.Equal(new KpiTrend(12.50m, 33.33m - 12.50m), KpiTrend.Between(now, before));
        Assert.Equal(new KpiTrend(33.33m, 12.50m - 33.33m), KpiTrend.Between(before, now));
        var undefined = Kpi(KpiIds.CustomerChurnRate, EmptyFacts);
        Assert.Equal(new KpiTrend(null, null), KpiTrend.Between(now, undefined));
        Assert.Equal(new KpiTrend(33.33m, null), KpiTrend.Between(undefined, now));
        Assert.Throws<ArgumentException>(() => KpiTrend.Between(now, Kpi(KpiIds.WinRate, EmptyFacts)));
    }
}

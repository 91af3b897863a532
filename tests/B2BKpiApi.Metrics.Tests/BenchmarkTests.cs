namespace B2BKpiApi.Metrics.Tests;

public sealed class BenchmarkTests
{
    private static KpiDefinition Def(string id) => KpiCatalog.TryGet(id, out var d) ? d : throw new ArgumentException(id);

    private static BenchmarkComparison Compare(string id, decimal? value, string? industry = null, string currency = "USD") =>
        BenchmarkComparer.Compare(Def(id), value, industry, currency, BenchmarkSets.Seed2025);

    private static BandComparison Band(BenchmarkComparison comparison, string label) =>
        Assert.Single(comparison.Verdict!.Bands, b => b.Band.Label == label);

    [Fact]
    public void Nps_of_60_is_world_class_and_above_commendable()
    {
        var comparison = Compare(KpiIds.NetPromoterScore, 60m);
        Assert.Equal(("seed-2025", 1, null), (comparison.Set, comparison.SetVersion, comparison.NoVerdictReason));
        Assert.Equal("world-class", comparison.Verdict!.MatchedBand);
        var worldClass = Band(comparison, "world-class");
        Assert.Equal((BandPosition.Within, true, 0m), (worldClass.Position, worldClass.Favourable, worldClass.Distance));
        var commendable = Band(comparison, "commendable");
        Assert.Equal((BandPosition.Above, true, 60m - 50m), (commendable.Position, commendable.Favourable, commendable.Distance));
        Assert.Equal("001", commendable.Band.Source);
    }

    [Fact]
    public void Nps_of_50_is_commendable_because_an_open_band_excludes_its_bound()
    {
        var comparison = Compare(KpiIds.NetPromoterScore, 50m);
        Assert.Equal("commendable", comparison.Verdict!.MatchedBand);
        var worldClass = Band(comparison, "world-class");
        Assert.Equal((BandPosition.Below, false, 0m), (worldClass.Position, worldClass.Favourable, worldClass.Distance));
    }

    [Fact]
    public void Nps_of_20_is_below_both_bands_and_unfavourable()
    {
        var comparison = Compare(KpiIds.NetPromoterScore, 20m);
        Assert.Null(comparison.Verdict!.MatchedBand);
        var commendable = Band(comparison, "commendable");
        Assert.Equal((BandPosition.Below, false, 30m - 20m), (commendable.Position, commendable.Favourable, commendable.Distance));
    }

    [Fact]
    public void A_manufacturer_sees_its_own_band_first_and_matched_and_the_any_industry_band_too()
    {
        var comparison = Compare(KpiIds.CustomerRetentionRate, 78m, industry: "Manufacturing");
        Assert.Equal("typical", comparison.Verdict!.MatchedBand);
        Assert.Equal(["manufacturing", "*"], comparison.Verdict.Bands.Select(b => b.Band.Industry));
        var leading = Band(comparison, "leading");
        Assert.Equal((BandPosition.Below, false, 90m - 78m), (leading.Position, leading.Favourable, leading.Distance));
    }

    [Fact]
    public void Other_industries_get_only_the_any_industry_bands()
    {
        var comparison = Compare(KpiIds.CustomerRetentionRate, 95m, industry: "software");
        Assert.Equal("leading", Assert.Single(comparison.Verdict!.Bands).Band.Label);
        Assert.Equal("leading", comparison.Verdict.MatchedBand);
    }

    [Fact]
    public void A_lower_is_better_kpi_is_favourable_below_its_band()
    {
        var comparison = Compare(KpiIds.LaborCostPercentage, 35m);
        var target = Band(comparison, "target");
        Assert.Equal((BandPosition.Above, false, 35m - 30m), (target.Position, target.Favourable, target.Distance));
        Assert.True(Band(Compare(KpiIds.LaborCostPercentage, 29.99m), "target").Favourable);

        var grossMargin = Band(Compare(KpiIds.GrossProfitMargin, 60m, industry: "manufacturing"), "typical");
        Assert.Equal((BandPosition.Above, true, 60m - 50m), (grossMargin.Position, grossMargin.Favourable, grossMargin.Distance));
    }

    [Fact]
    public void Closed_ranges_include_both_bounds()
    {
        Assert.Equal("typical", Compare(KpiIds.AverageContractValue, 10_000m).Verdict!.MatchedBand);
        Assert.Equal("typical", Compare(KpiIds.AverageContractValue, 50_000m).Verdict!.MatchedBand);
        Assert.Null(Compare(KpiIds.AverageContractValue, 50_000.01m).Verdict!.MatchedBand);
    }

    [Fact]
    public void Money_bands_give_no_verdict_to_a_tenant_outside_usd()
    {
        var comparison = Compare(KpiIds.CustomerAcquisitionCost, 1_500m, currency: "EUR");
        Assert.Null(comparison.Verdict);
        Assert.Equal("currency-not-usd", comparison.NoVerdictReason);
        Assert.Equal("typical", Compare(KpiIds.CustomerAcquisitionCost, 1_500m, currency: "usd").Verdict!.MatchedBand);
        // Bands that are not money apply whatever the currency.
        Assert.NotNull(Compare(KpiIds.NetPromoterScore, 40m, currency: "EUR").Verdict);
    }

    public static TheoryData<string, decimal?, string?, string> NoVerdicts => new()
    {
        { KpiIds.Revenue, 1_000m, "manufacturing", "no-benchmark-for-kpi" },
        { KpiIds.GrossProfitMargin, 40m, "software", "no-benchmark-for-industry" },
        { KpiIds.ClvCacRatio, 7m, null, "no-benchmark-for-industry" },
        { KpiIds.NetPromoterScore, null, null, "value-undefined" },
    };

    [Theory]
    [MemberData(nameof(NoVerdicts))]
    public void Without_an_applicable_band_or_a_value_there_is_no_verdict(string id, decimal? value, string? industry, string reason)
    {
        var comparison = Compare(id, value, industry);
        Assert.Null(comparison.Verdict);
        Assert.Equal(reason, comparison.NoVerdictReason);
    }

    [Fact]
    public void Clv_cac_band_carries_its_note()
    {
        var strong = Band(Compare(KpiIds.ClvCacRatio, 7m, "manufacturing"), "strong");
        Assert.Equal("CAC is 10–20 % of CLV", strong.Band.Note);
        Assert.Null(strong.Band.Currency);
    }

    [Fact]
    public void The_seed_set_holds_the_nine_bands_of_kpis_md_for_catalog_kpis()
    {
        var set = BenchmarkSets.Seed2025;
        Assert.Equal(("seed-2025", 1, 9), (set.Name, set.Version, set.Bands.Count));
        Assert.All(set.Bands, b => Assert.True(KpiCatalog.TryGet(b.KpiId, out _)));
        Assert.Equal(
            [KpiIds.AverageContractValue, KpiIds.CustomerAcquisitionCost],
            set.Bands.Where(b => b.Currency == "USD").Select(b => b.KpiId));
        Assert.Same(set, Assert.Single(BenchmarkSets.All));
    }

    [Fact]
    public void A_result_is_compared_by_its_rounded_value()
    {
        var result = Kpi(KpiIds.NetPromoterScore, EmptyFacts with { Surveys = NoSurveys with { NpsPromoters = 6, NpsPassives = 4 } });
        var comparison = BenchmarkComparer.Compare(result, null, "USD", BenchmarkSets.Seed2025);
        Assert.Equal("world-class", comparison.Verdict!.MatchedBand); // 6 / 10 × 100 = 60
    }
}

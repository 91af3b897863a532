namespace B2BKpiApi.Metrics;

/// <summary>The published benchmark sets.</summary>
public static class BenchmarkSets
{
    private const string Manufacturing = "manufacturing";
    private const string Any = BenchmarkBand.AnyIndustry;
    private const string Usd = "USD";

    /// <summary>The bands of kpis.md's "Benchmarks from the seeds" table, all from seed 001: set <c>seed-2025</c>, version 1.</summary>
    public static BenchmarkSet Seed2025 { get; } = new("seed-2025", 1,
    [
        BenchmarkBand.Above(KpiIds.CustomerRetentionRate, Any, 90, "leading", "001"),
        BenchmarkBand.Between(KpiIds.CustomerRetentionRate, Manufacturing, 75, 80, "typical", "001"),
        BenchmarkBand.Between(KpiIds.GrossProfitMargin, Manufacturing, 30, 50, "typical", "001"),
        BenchmarkBand.Between(KpiIds.NetPromoterScore, Any, 30, 50, "commendable", "001"),
        BenchmarkBand.Above(KpiIds.NetPromoterScore, Any, 50, "world-class", "001"),
        BenchmarkBand.Between(KpiIds.AverageContractValue, Any, 10_000, 50_000, "typical", "001") with { Currency = Usd },
        BenchmarkBand.Below(KpiIds.CustomerAcquisitionCost, Any, 2_000, "typical", "001") with { Currency = Usd },
        BenchmarkBand.Between(KpiIds.ClvCacRatio, Manufacturing, 5, 10, "strong", "001") with { Note = "CAC is 10–20 % of CLV" },
        BenchmarkBand.Below(KpiIds.LaborCostPercentage, Any, 30, "target", "001"),
    ]);

    /// <summary>Every published set, oldest first.</summary>
    public static IReadOnlyList<BenchmarkSet> All { get; } = [Seed2025];
}

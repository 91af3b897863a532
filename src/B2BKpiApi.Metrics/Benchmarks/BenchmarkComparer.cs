namespace B2BKpiApi.Metrics;

/// <summary>Compares KPI values with benchmark bands (kpis.md "Benchmarks from the seeds").</summary>
public static class BenchmarkComparer
{
    /// <summary>Compares a result's rounded value; see <see cref="Compare(KpiDefinition, decimal?, string?, string, BenchmarkSet)"/>.</summary>
    public static BenchmarkComparison Compare(KpiResult result, string? tenantIndustry, string tenantCurrency, BenchmarkSet set)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Compare(result.Definition, result.Value, tenantIndustry, tenantCurrency, set);
    }

    /// <summary>
    /// Compares <paramref name="value"/> with the set's bands for the KPI that apply to the tenant: those of the tenant's
    /// industry (case-insensitive) and the <c>*</c> bands. Money bands are in USD and apply to USD tenants only.
    /// No verdict, with the first reason that holds: <c>no-benchmark-for-kpi</c>, <c>no-benchmark-for-industry</c>,
    /// <c>currency-not-usd</c>, <c>value-undefined</c>. Otherwise each applicable band gets a position, whether that
    /// is favourable given the KPI's direction, and the distance to the band (see <see cref="BandComparison"/>).
    /// </summary>
    public static BenchmarkComparison Compare(
        KpiDefinition definition, decimal? value, string? tenantIndustry, string tenantCurrency, BenchmarkSet set)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(set);
        var forKpi = set.Bands.Where(b => b.KpiId == definition.Id).ToArray();
        var forIndustry = forKpi.Where(b => IsIndustry(b, tenantIndustry))
            .Concat(forKpi.Where(b => b.Industry == BenchmarkBand.AnyIndustry))
            .ToArray();
        var applicable = forIndustry
            .Where(b => b.Currency is null || string.Equals(b.Currency, tenantCurrency, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        var noVerdict =
            forKpi.Length == 0 ? BenchmarkReasons.NoBenchmarkForKpi
            : forIndustry.Length == 0 ? BenchmarkReasons.NoBenchmarkForIndustry
            : applicable.Length == 0 ? BenchmarkReasons.CurrencyNotUsd
            : value is null ? BenchmarkReasons.ValueUndefined
            : null;
        if (noVerdict is not null || value is not { } v)
            return new BenchmarkComparison(set.Name, set.Version, null, noVerdict);

        var bands = applicable.Select(b => Against(b, v, definition.Direction)).ToArray();
        var matched = bands
            .Where(c => c.Position == BandPosition.Within)
            .OrderByDescending(c => c.Band.Industry != BenchmarkBand.AnyIndustry)
            .ThenByDescending(c => c.Band.Lower ?? decimal.MinValue)
            .FirstOrDefault();
        return new BenchmarkComparison(set.Name, set.Version, new BenchmarkVerdict(matched?.Band.Label, bands), null);
    }

    private static bool IsIndustry(BenchmarkBand band, string? tenantIndustry) =>
        band.Industry != BenchmarkBand.AnyIndustry
        && string.Equals(band.Industry, tenantIndustry, StringComparison.OrdinalIgnoreCase);

    private static BandComparison Against(BenchmarkBand band, decimal value, Direction direction)
    {
        if (band.Contains(value))
            return new BandComparison(band, BandPosition.Within, true, 0);
        return band.Lower is { } lower && value <= lower
            ? new BandComparison(band, BandPosition.Below, direction == Direction.LowerIsBetter, lower - value)
            : new BandComparison(band, BandPosition.Above, direction == Direction.HigherIsBetter, value - band.Upper!.Value);
    }
}

namespace B2BKpiApi.Metrics;

/// <summary>Why a <see cref="BenchmarkComparison"/> has no verdict, checked in this order.</summary>
public static class BenchmarkReasons
{
    /// <summary>The set has no band for the KPI.</summary>
    public const string NoBenchmarkForKpi = "no-benchmark-for-kpi";
    /// <summary>The set's bands for the KPI are all for other industries than the tenant's.</summary>
    public const string NoBenchmarkForIndustry = "no-benchmark-for-industry";
    /// <summary>
    /// The applicable bands are money bands in USD and the tenant's base currency is another: no conversion is made,
    /// so no verdict is given rather than a wrong one.
    /// </summary>
    public const string CurrencyNotUsd = "currency-not-usd";
    /// <summary>The KPI's value is undefined for the period.</summary>
    public const string ValueUndefined = "value-undefined";
}

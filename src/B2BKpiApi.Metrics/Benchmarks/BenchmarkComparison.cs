namespace B2BKpiApi.Metrics;

/// <summary>A KPI value set against a benchmark set.</summary>
/// <param name="Set">The set's name.</param>
/// <param name="SetVersion">The set's version.</param>
/// <param name="Verdict">The comparison, or <c>null</c> when there is none.</param>
/// <param name="NoVerdictReason">Why <paramref name="Verdict"/> is <c>null</c>, one of <see cref="BenchmarkReasons"/>; otherwise <c>null</c>.</param>
public sealed record BenchmarkComparison(string Set, int SetVersion, BenchmarkVerdict? Verdict, string? NoVerdictReason);

/// <summary>The value against every band that applies to the tenant.</summary>
/// <param name="MatchedBand">
/// The label of the band the value falls in, or <c>null</c> when it is in none. A band of the tenant's own industry is
/// preferred to a <c>*</c> band; among several, the one with the highest lower bound.
/// </param>
/// <param name="Bands">Every applicable band, the tenant's industry first, then <c>*</c>, each in set order.</param>
public sealed record BenchmarkVerdict(string? MatchedBand, IReadOnlyList<BandComparison> Bands);

/// <summary>The value against one band.</summary>
/// <param name="Band">The band, with its label, industry, bounds, source, currency and note.</param>
/// <param name="Position">Below, within or above the band.</param>
/// <param name="Favourable">
/// True within the band; above it when higher is better; below it when lower is better.
/// </param>
/// <param name="Distance">
/// 0 within; otherwise the absolute gap to the nearest bound in the KPI's unit (0 also for a value exactly on an
/// excluded bound, which is outside the band).
/// </param>
public sealed record BandComparison(BenchmarkBand Band, BandPosition Position, bool Favourable, decimal Distance);

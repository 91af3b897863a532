namespace B2BKpiApi.Metrics;

/// <summary>
/// A named, versioned set of benchmark bands. A set never changes once published: a new or changed band (which needs
/// a cited public source) ships as a new version.
/// </summary>
/// <param name="Name">The set's name, e.g. <c>seed-2025</c>.</param>
/// <param name="Version">The set's version, starting at 1.</param>
/// <param name="Bands">The bands, in the order of their source table.</param>
public sealed record BenchmarkSet(string Name, int Version, IReadOnlyList<BenchmarkBand> Bands);

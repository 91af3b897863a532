namespace B2BKpiApi.Metrics;

/// <summary>
/// The number of observations behind a survey- or lead-based ratio or average, so a reader can tell a
/// signal from noise. The minimum is 30 for every such KPI, the usual rule of thumb below which a mean
/// or share of a sample is too unstable to act on; a small sample still gets a value.
/// </summary>
/// <param name="Count">Answers, leads or (for the relationship KPIs) clients the value is computed over.</param>
/// <param name="Minimum">The count from which the sample is not small.</param>
public sealed record SampleSize(int Count, int Minimum)
{
    /// <summary>The minimum used for every survey- and lead-based KPI.</summary>
    public const int RecommendedMinimum = 30;

    /// <summary>Whether <see cref="Count"/> is below <see cref="Minimum"/>.</summary>
    public bool IsSmall => Count < Minimum;

    internal static SampleSize Of(int count) => new(count, RecommendedMinimum);
}

namespace B2BKpiApi.Metrics;

/// <summary>
/// A KPI's value beside its value for another (usually the previous) period.
/// </summary>
/// <param name="PreviousValue">The other period's rounded value, or <c>null</c> when undefined there.</param>
/// <param name="Change">
/// <c>current − previous</c> of the two rounded values, in the KPI's unit (percentage points for a percent):
/// signed, not relative, and <c>null</c> when either value is undefined.
/// </param>
public sealed record KpiTrend(decimal? PreviousValue, decimal? Change)
{
    /// <summary>
    /// Compares two results of the same KPI and definition version. The difference of two rounded values is
    /// exact, so it needs no rounding of its own.
    /// </summary>
    /// <exception cref="ArgumentException">The results are of different KPIs or definition versions.</exception>
    public static KpiTrend Between(KpiResult current, KpiResult previous)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);
        if (current.Definition != previous.Definition)
            throw new ArgumentException(
                $"Cannot compare {current.Definition.Id} v{current.Definition.DefinitionVersion} " +
                $"with {previous.Definition.Id} v{previous.Definition.DefinitionVersion}.", nameof(previous));
        return new KpiTrend(previous.Value, current.Value - previous.Value);
    }
}

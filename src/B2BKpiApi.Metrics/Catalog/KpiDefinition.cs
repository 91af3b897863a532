namespace B2BKpiApi.Metrics;

/// <summary>
/// One version of one KPI: what it means and how it is shown. A definition is identified by
/// (<see cref="Id"/>, <see cref="DefinitionVersion"/>); a changed formula ships as a new version and the
/// old one stays computable, so two definitions are equal exactly when their id and version are.
/// </summary>
/// <param name="Id">The wire name, e.g. <c>customer-retention-rate</c>; never changes.</param>
/// <param name="DefinitionVersion">The version of the formula, starting at 1.</param>
/// <param name="Name">A short human name.</param>
/// <param name="Description">What the KPI means, with every choice made where kpis.md leaves room.</param>
/// <param name="Formula">The formula as text, in the notation of kpis.md.</param>
/// <param name="Unit">The unit of the value; it also sets the rounding (see <see cref="Rounding"/>).</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Perspective">The balanced-scorecard perspective.</param>
/// <param name="Timing">Leading or lagging.</param>
/// <param name="Reads">The fact families the formula reads, in the order it reads them.</param>
/// <param name="Minimum">The smallest value valid records can produce, or <c>null</c> when unbounded below.</param>
/// <param name="Maximum">The largest value valid records can produce, or <c>null</c> when unbounded above.</param>
public sealed record KpiDefinition(
    string Id,
    int DefinitionVersion,
    string Name,
    string Description,
    string Formula,
    Unit Unit,
    Direction Direction,
    Perspective Perspective,
    Timing Timing,
    IReadOnlyList<FactFamily> Reads,
    decimal? Minimum,
    decimal? Maximum)
{
    /// <summary>Whether the definition is identified by the same id and version.</summary>
    public bool Equals(KpiDefinition? other) =>
        other is not null && Id == other.Id && DefinitionVersion == other.DefinitionVersion;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, DefinitionVersion);
}

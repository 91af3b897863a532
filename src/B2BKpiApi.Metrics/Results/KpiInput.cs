namespace B2BKpiApi.Metrics;

/// <summary>
/// One named quantity a KPI value was computed from (a numerator, a denominator, a count or a component),
/// so the value can be re-derived by hand. <see cref="Value"/> is exact and unrounded: only the KPI's own
/// value is rounded, and a display may shorten an input but must not feed the shortened figure back in.
/// </summary>
/// <param name="Name">camelCase name, e.g. <c>clientsAtStart</c>; stable per KPI and definition version. A group of
/// quantities has a dotted name (<c>revenue</c>'s <c>terms.365.valueDays</c>, one group per term length).</param>
/// <param name="Value">The quantity, or <c>null</c> when it is itself undefined (a composite's component).</param>
public sealed record KpiInput(string Name, decimal? Value);

namespace B2BKpiApi.Metrics;

/// <summary>A definition bound to the function that computes it; the catalog keys these by (id, version).</summary>
internal sealed record KpiFormula(KpiDefinition Definition, Func<PeriodFacts, Measurement> Evaluate);

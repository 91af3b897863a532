namespace B2BKpiApi.Metrics;

/// <summary>Turns the aggregated facts of a period into KPI results.</summary>
public static class KpiCalculator
{
    /// <summary>
    /// Computes one KPI (the definition's own version) over <paramref name="facts"/>. When a fact family the KPI reads
    /// is <c>null</c>, the result is undefined with reason <c>filter-not-applicable</c> and carries no inputs; otherwise
    /// the formula's denominators decide (see each definition's description). The value is rounded once, at the end.
    /// </summary>
    /// <exception cref="ArgumentException">The definition is not in <see cref="KpiCatalog"/>.</exception>
    public static KpiResult Compute(KpiDefinition definition, PeriodFacts facts)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(facts);
        var formula = KpiCatalog.FormulaOf(definition);
        var measurement = definition.Reads.All(family => Facts.Has(facts, family))
            ? formula.Evaluate(facts)
            : Measurement.NotApplicable;
        return new KpiResult(formula.Definition, facts.Period, measurement);
    }

    /// <summary>Computes every KPI of <see cref="KpiCatalog.All"/>, in the catalog's order.</summary>
    public static IReadOnlyList<KpiResult> ComputeAll(PeriodFacts facts) =>
        KpiCatalog.All.Select(definition => Compute(definition, facts)).ToArray();
}

namespace B2BKpiApi.Metrics;

/// <summary>
/// A family of aggregated facts in <see cref="PeriodFacts"/>. A KPI that reads a family the request's
/// filter cannot apply to (the family is <c>null</c>) is undefined with reason <c>filter-not-applicable</c>.
/// <see cref="Wire.Of(FactFamily)"/> gives its wire name.
/// </summary>
public enum FactFamily
{
    /// <summary><see cref="PeriodFacts.Clients"/> (<c>clients</c>).</summary>
    Clients,
    /// <summary><see cref="PeriodFacts.Revenue"/>: revenue, ARR and signed contracts (<c>revenue</c>).</summary>
    Revenue,
    /// <summary><see cref="PeriodFacts.Costs"/> (<c>costs</c>).</summary>
    Costs,
    /// <summary><see cref="PeriodFacts.Surveys"/> (<c>surveys</c>).</summary>
    Surveys,
    /// <summary><see cref="PeriodFacts.Leads"/> (<c>leads</c>).</summary>
    Leads,
    /// <summary><see cref="PeriodFacts.Relationships"/>: the buying committee of each active client (<c>relationships</c>).</summary>
    Relationships,
}

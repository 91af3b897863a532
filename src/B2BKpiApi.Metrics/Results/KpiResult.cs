namespace B2BKpiApi.Metrics;

/// <summary>
/// The value of one KPI for one period. <see cref="Value"/> is <c>null</c> exactly when
/// <see cref="Reason"/> is not: an undefined KPI is never 0, NaN or infinity.
/// </summary>
public sealed record KpiResult
{
    internal KpiResult(KpiDefinition definition, Period period, Measurement measurement)
    {
        Definition = definition;
        Period = period;
        Value = measurement.Value is { } value ? Rounding.Round(value, definition.Unit) : null;
        Reason = measurement.Reason;
        Inputs = measurement.Inputs;
        Sample = measurement.Sample;
    }

    /// <summary>The KPI and version the value was computed by.</summary>
    public KpiDefinition Definition { get; }

    /// <summary>The period, both ends inclusive.</summary>
    public Period Period { get; }

    /// <summary>
    /// The value, rounded once, half away from zero, as <see cref="Rounding"/> says for the unit;
    /// <c>null</c> when undefined.
    /// </summary>
    public decimal? Value { get; }

    /// <summary>Why <see cref="Value"/> is undefined, one of <see cref="KpiReasons"/>; <c>null</c> when defined.</summary>
    public string? Reason { get; }

    /// <summary>
    /// The named quantities the value is computed from, in a fixed order per KPI; exact and unrounded.
    /// Empty when the KPI is <c>filter-not-applicable</c>.
    /// </summary>
    public IReadOnlyList<KpiInput> Inputs { get; }

    /// <summary>
    /// The sample behind a survey- or lead-based ratio or average (also when it is empty and the value is
    /// undefined); <c>null</c> for every other KPI and when the KPI is <c>filter-not-applicable</c>.
    /// </summary>
    public SampleSize? Sample { get; }
}

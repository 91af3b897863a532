namespace B2BKpiApi.Metrics;

/// <summary>
/// A reference range for one KPI. A closed range "a – b" (<see cref="Between"/>) includes both bounds; an open-ended
/// band excludes its one bound, as the seeds' strict inequalities say: "&gt; x" (<see cref="Above"/>) and
/// "&lt; x" (<see cref="Below"/>). So NPS 50 is "commendable" (30 – 50), not "world-class" (&gt; 50).
/// </summary>
/// <param name="KpiId">The KPI's id.</param>
/// <param name="Industry">The tenant industry it applies to, or <c>*</c> for any B2B tenant.</param>
/// <param name="Lower">The lower bound, or <c>null</c> for none.</param>
/// <param name="Upper">The upper bound, or <c>null</c> for none.</param>
/// <param name="Label">What a value inside means, e.g. <c>world-class</c>.</param>
/// <param name="Source">The seed document it is drawn from, e.g. <c>001</c>.</param>
/// <param name="Currency">ISO 4217 code of a money band's bounds, <c>null</c> for bands that are not money.</param>
/// <param name="Note">The source's own gloss on the band, if any.</param>
public sealed record BenchmarkBand(
    string KpiId, string Industry, decimal? Lower, decimal? Upper, string Label, string Source,
    string? Currency = null, string? Note = null)
{
    /// <summary>The industry of a band that applies to every tenant.</summary>
    public const string AnyIndustry = "*";

    /// <summary>A closed range: <c>lower &lt;= value &lt;= upper</c>.</summary>
    public static BenchmarkBand Between(string kpiId, string industry, decimal lower, decimal upper, string label, string source) =>
        new(kpiId, industry, lower, upper, label, source);

    /// <summary>An open-ended range: <c>value &gt; lower</c>.</summary>
    public static BenchmarkBand Above(string kpiId, string industry, decimal lower, string label, string source) =>
        new(kpiId, industry, lower, null, label, source);

    /// <summary>An open-ended range: <c>value &lt; upper</c>.</summary>
    public static BenchmarkBand Below(string kpiId, string industry, decimal upper, string label, string source) =>
        new(kpiId, industry, null, upper, label, source);

    /// <summary>Whether the value lies inside the band, with the inclusivity described on the type.</summary>
    public bool Contains(decimal value)
    {
        var closed = Lower is not null && Upper is not null;
        var aboveLower = Lower is not { } lower || (closed ? value >= lower : value > lower);
        var belowUpper = Upper is not { } upper || (closed ? value <= upper : value < upper);
        return aboveLower && belowUpper;
    }
}

using B2BKpiApi.Metrics;

namespace B2BKpiApi.Features.Kpis;

/// <summary>
/// Computes KPI results for a request: the facts of every period it needs (the period and its previous one,
/// or every point of a series with theirs) in one pass, and only the fact families the requested KPIs read.
/// Every computation runs within the compute budget; heavy ones (scorecard, series) also under the tenant's
/// concurrency limit.
/// </summary>
public sealed class KpiEngine(FactsQuery facts, TenantContext tenant, ComputeGate gate)
{
    /// <summary>One KPI compared with the previous period of the same length (kpis.md), as without <c>compare</c>.</summary>
    public Task<KpiResultResponse> ComputeAsync(KpiDefinition definition, Period period, KpiFilter filter, CancellationToken ct) =>
        ComputeAsync(definition, period, filter, CompareMode.Default, ct);

    public Task<KpiResultResponse> ComputeAsync(KpiDefinition definition, Period period, KpiFilter filter, CompareMode compare,
        CancellationToken ct) =>
        WithinBudget(heavy: false, async budget =>
        {
            using var timing = Observability.KpiMetrics.MeasureKpi(definition);
            var all = await facts.ComputeAsync(WithCompared([period], compare), filter, FactNeeds.Of(definition), budget);
            return Result(definition, period, compare, all);
        }, ct);

    public Task<IReadOnlyList<KpiResultResponse>> ComputeAllAsync(Period period, KpiFilter filter, CompareMode compare, CancellationToken ct) =>
        WithinBudget<IReadOnlyList<KpiResultResponse>>(heavy: true, async budget =>
        {
            using var timing = Observability.KpiMetrics.MeasureScorecard();
            var all = await facts.ComputeAsync(WithCompared([period], compare), filter, FactNeeds.All, budget);
            return KpiCatalog.All.Select(d => Result(d, period, compare, all)).ToList();
        }, ct);

    /// <summary>One result per point, each compared per its own dates; all points and their compared periods computed in one pass.</summary>
    public Task<IReadOnlyList<KpiResultResponse>> ComputeSeriesAsync(KpiDefinition definition, IReadOnlyList<Period> points, KpiFilter filter,
        CompareMode compare, CancellationToken ct) =>
        WithinBudget<IReadOnlyList<KpiResultResponse>>(heavy: true, async budget =>
        {
            using var timing = Observability.KpiMetrics.MeasureKpi(definition);
            var all = await facts.ComputeAsync(WithCompared(points, compare), filter, FactNeeds.Of(definition), budget);
            return points.Select(p => Result(definition, p, compare, all)).ToList();
        }, ct);

    /// <summary>The periods and the periods they are compared with (none for compare=none), each once.</summary>
    private static List<Period> WithCompared(IReadOnlyList<Period> periods, CompareMode compare) =>
        periods.Concat(periods.Select(p => Comparison.For(p, compare).Period).OfType<Period>()).Distinct().ToList();

    private KpiResultResponse Result(KpiDefinition definition, Period period, CompareMode compare, IReadOnlyDictionary<Period, PeriodFacts> all)
    {
        var comparison = Comparison.For(period, compare);
        var previous = comparison.Period is { } compared ? KpiCalculator.Compute(definition, all[compared]) : null;
        return KpiResultResponse.From(KpiCalculator.Compute(definition, all[period]), previous, comparison, compare, tenant);
    }

    private Task<T> WithinBudget<T>(bool heavy, Func<CancellationToken, Task<T>> compute, CancellationToken requestAborted) =>
        gate.RunAsync(heavy, compute, requestAborted);
}

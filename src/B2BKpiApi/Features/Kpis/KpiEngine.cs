using B2BKpiApi.Metrics;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.Kpis;

/// <summary>
/// Computes KPI results for a request: the facts of every period it needs (the period and its previous one,
/// or every point of a series with theirs) in one pass, and only the fact families the requested KPIs read.
/// Every computation runs within the compute budget; heavy ones (scorecard, series) also under the tenant's
/// concurrency limit.
/// </summary>
public sealed class KpiEngine(FactsQuery facts, TenantContext tenant, KpiReadLimiter limiter, IOptions<KpiOptions> options)
{
    public Task<KpiResultResponse> ComputeAsync(KpiDefinition definition, Period period, KpiFilter filter, CancellationToken ct) =>
        WithinBudget(heavy: false, async budget =>
        {
            using var timing = Observability.KpiMetrics.MeasureKpi(definition);
            var all = await facts.ComputeAsync([period, period.Previous()], filter, FactNeeds.Of(definition), budget);
            return Result(definition, period, all);
        }, ct);

    public Task<IReadOnlyList<KpiResultResponse>> ComputeAllAsync(Period period, KpiFilter filter, CancellationToken ct) =>
        WithinBudget<IReadOnlyList<KpiResultResponse>>(heavy: true, async budget =>
        {
            using var timing = Observability.KpiMetrics.MeasureScorecard();
            var all = await facts.ComputeAsync([period, period.Previous()], filter, FactNeeds.All, budget);
            return KpiCatalog.All.Select(d => Result(d, period, all)).ToList();
        }, ct);

    /// <summary>One result per point, all points and their previous periods computed together in one pass.</summary>
    public Task<IReadOnlyList<KpiResultResponse>> ComputeSeriesAsync(KpiDefinition definition, IReadOnlyList<Period> points, KpiFilter filter,
        CancellationToken ct) =>
        WithinBudget<IReadOnlyList<KpiResultResponse>>(heavy: true, async budget =>
        {
            using var timing = Observability.KpiMetrics.MeasureKpi(definition);
            var all = await facts.ComputeAsync(points.Concat(points.Select(p => p.Previous())).ToList(), filter, FactNeeds.Of(definition), budget);
            return points.Select(p => Result(definition, p, all)).ToList();
        }, ct);

    private KpiResultResponse Result(KpiDefinition definition, Period period, IReadOnlyDictionary<Period, PeriodFacts> all) =>
        KpiResultResponse.From(KpiCalculator.Compute(definition, all[period]), KpiCalculator.Compute(definition, all[period.Previous()]), tenant);

    private async Task<T> WithinBudget<T>(bool heavy, Func<CancellationToken, Task<T>> compute, CancellationToken requestAborted)
    {
        var budget = TimeSpan.FromSeconds(options.Value.ComputeBudgetSeconds);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(budget);
        try
        {
            // Waiting for a slot counts against the budget: a queued read never outlives it.
            using var slot = heavy ? await limiter.AcquireAsync(tenant.TenantId, timeout.Token) : null;
            return await compute(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !requestAborted.IsCancellationRequested)
        {
            throw new KpiBudgetExceededException(budget);
        }
    }
}

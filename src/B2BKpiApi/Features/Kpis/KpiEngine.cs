using B2BKpiApi.Common;
using B2BKpiApi.Metrics;

namespace B2BKpiApi.Features.Kpis;

/// <summary>Computes KPI results for a request: facts per period from SQL, each period's facts computed once.</summary>
public sealed class KpiEngine(FactsQuery facts, TenantContext tenant)
{
    private readonly Dictionary<Period, PeriodFacts> _cache = [];

    public async Task<KpiResultResponse> ComputeAsync(KpiDefinition definition, Period period, KpiFilter filter, CancellationToken ct)
    {
        var current = await FactsFor(period, filter, ct);
        var previous = await FactsFor(period.Previous(), filter, ct);
        return KpiResultResponse.From(KpiCalculator.Compute(definition, current), KpiCalculator.Compute(definition, previous), tenant);
    }

    public async Task<IReadOnlyList<KpiResultResponse>> ComputeAllAsync(Period period, KpiFilter filter, CancellationToken ct)
    {
        var current = await FactsFor(period, filter, ct);
        var previous = await FactsFor(period.Previous(), filter, ct);
        return KpiCatalog.All
            .Select(d => KpiResultResponse.From(KpiCalculator.Compute(d, current), KpiCalculator.Compute(d, previous), tenant))
            .ToList();
    }

    private async Task<PeriodFacts> FactsFor(Period period, KpiFilter filter, CancellationToken ct)
    {
        if (!_cache.TryGetValue(period, out var found))
            _cache[period] = found = await facts.ComputeAsync(period, filter, ct);
        return found;
    }
}

using B2BKpiApi.Metrics;

namespace B2BKpiApi.Features.Kpis;

/// <summary>
/// Computes KPI results for a request: facts per period from SQL, each (period, families) computed once,
/// and only the fact families the requested KPIs read.
/// </summary>
public sealed class KpiEngine(FactsQuery facts, TenantContext tenant)
{
    private readonly Dictionary<(Period, string), PeriodFacts> _cache = [];

    public async Task<KpiResultResponse> ComputeAsync(KpiDefinition definition, Period period, KpiFilter filter, CancellationToken ct)
    {
        var current = await FactsFor(period, filter, definition.Reads, ct);
        var previous = await FactsFor(period.Previous(), filter, definition.Reads, ct);
        return KpiResultResponse.From(KpiCalculator.Compute(definition, current), KpiCalculator.Compute(definition, previous), tenant);
    }

    public async Task<IReadOnlyList<KpiResultResponse>> ComputeAllAsync(Period period, KpiFilter filter, CancellationToken ct)
    {
        var current = await FactsFor(period, filter, FactsQuery.AllFamilies, ct);
        var previous = await FactsFor(period.Previous(), filter, FactsQuery.AllFamilies, ct);
        return KpiCatalog.All
            .Select(d => KpiResultResponse.From(KpiCalculator.Compute(d, current), KpiCalculator.Compute(d, previous), tenant))
            .ToList();
    }

    private async Task<PeriodFacts> FactsFor(Period period, KpiFilter filter, IReadOnlyCollection<FactFamily> families, CancellationToken ct)
    {
        var key = (period, string.Join(',', families.Order()));
        if (!_cache.TryGetValue(key, out var found))
            _cache[key] = found = await facts.ComputeAsync(period, filter, families, ct);
        return found;
    }
}

using System.Globalization;
using System.Text.Json;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Metrics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Caching;

/// <summary>
/// Keeps the computed KPI results of the reads the response cache cannot keep: those with <c>peers=true</c>, whose
/// answers also depend on the tenant's peer setting and on the latest peer snapshots, neither of which moves the
/// tenant's data version. The KPI results themselves depend only on the tenant's data and the request, so they are
/// kept like a response (build, tenant, data version, what was asked) and <c>peers</c> is added afresh to every
/// answer: an opted-out tenant, or a new snapshot, is seen by the very next read. The results are kept as the JSON
/// the API writes (its own serializer options), so an answer built from them is byte for byte a computed one.
/// </summary>
public sealed class KpiResultCache(HybridCache cache, TenantContext tenant, IOptions<KpiCacheOptions> options,
    IOptions<KpiOptions> kpis, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    /// <summary>
    /// The results of <paramref name="what"/> (the KPI or the scorecard) for <paramref name="period"/>, filter and
    /// compare mode, from the cache or from <paramref name="compute"/>.
    /// </summary>
    public async Task<IReadOnlyList<KpiResultResponse>> GetOrComputeAsync(string what, Period period, KpiFilter filter, CompareMode compare,
        Func<CancellationToken, Task<IReadOnlyList<KpiResultResponse>>> compute, CancellationToken ct)
    {
        if (!options.Value.Enabled)
            return await compute(ct);
        var key = string.Join('|', "kpi-results", KpiResponseCacheMiddleware.Namespace(kpis.Value), tenant.TenantId.ToString("N"),
            tenant.DataVersion.ToString(CultureInfo.InvariantCulture), what, period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Escape(filter.Industry), Escape(filter.Segment), Escape(filter.Source),
            compare.ToString());
        var serializer = json.Value.SerializerOptions;
        var bytes = await cache.GetOrComputeAsync(key, async c => JsonSerializer.SerializeToUtf8Bytes(await compute(c), serializer), ct);
        return JsonSerializer.Deserialize<List<KpiResultResponse>>(bytes, serializer)!;
    }

    /// <summary>A filter value in the key: null and every string kept apart (the separator is escaped).</summary>
    private static string Escape(string? value) => value is null ? "-" : "=" + Uri.EscapeDataString(value);
}

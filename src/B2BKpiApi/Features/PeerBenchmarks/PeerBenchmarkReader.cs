using System.ComponentModel;
using B2BKpiApi.Data;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Metrics;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>
/// Where the tenant stands among its peers (<c>?peers=true</c>): the published percentiles of the first cohort that
/// exists (industry × size band, then industry, then all), or a reason. <c>reason</c> is null exactly when the
/// percentiles are there; <c>position</c> is null when the tenant's own value is.
/// </summary>
public sealed record PeersResponse(
    [property: Description("industry-size, industry or all: the cohort the figures come from (null with a reason).")] string? Cohort,
    [property: Description("The cohort's industry, or * for all.")] string? Industry,
    [property: Description("The cohort's size band (by active clients), or * for every size.")] string? SizeBand,
    [property: Description("How many tenants contributed, as a band (10-19, 20-49, 50-99, 100-249, 250-999, 1000+); never the exact number.")] string? Tenants,
    [property: Description("10th percentile; only with 20 or more contributing tenants.")] decimal? P10,
    decimal? P25, decimal? P50, decimal? P75,
    [property: Description("90th percentile; only with 20 or more contributing tenants.")] decimal? P90,
    [property: Description("below-p25, p25-p50, p50-p75 or above-p75: the tenant's own value against the published percentiles.")] string? Position,
    [property: Description("When the figures were computed.")] DateTime? ComputedAt,
    [property: Description("not-opted-in, cohort-too-small or kpi-not-comparable when there are no figures.")] string? Reason)
{
    public static PeersResponse Absent(string reason) => new(null, null, null, null, null, null, null, null, null, null, null, reason);

    public static PeersResponse Of(PeerBenchmarkSnapshot s, decimal? ownValue) => new(
        s.Cohort, s.Industry, s.SizeBand, PeerBenchmarkRules.TenantBand(s.TenantCount), s.P10, s.P25, s.P50, s.P75, s.P90,
        ownValue is { } v ? PeerBenchmarkRules.PositionOf(v, s.P25, s.P50, s.P75) : null, s.ComputedAt, null);
}

/// <summary>
/// The request path of peer benchmarks: two reads, the tenant's own setting (through the tenant filter) and the
/// published snapshot rows of the requested period. It never reads another tenant's records or computes anything
/// across tenants: all of that happened earlier, in <see cref="PeerBenchmarkJob"/>.
/// </summary>
public sealed class PeerBenchmarkReader(KpiDbContext db)
{
    /// <summary>The <c>peers</c> query parameter: absent or <c>false</c> changes nothing, <c>true</c> adds the object.</summary>
    public const string QueryName = "peers";

    /// <summary>Whether the request asks for peers (exactly <c>true</c>).</summary>
    public static bool Requested(HttpRequest request) => request.Query[QueryName] is [ "true" ];

    /// <summary>Null when the parameter is absent or valid, otherwise the message of its 400.</summary>
    public static string? Invalid(HttpRequest request) =>
        request.Query[QueryName] is { Count: 0 } or [ "true" ] or [ "false" ]
            ? null
            : "'peers' must be true or false, written exactly so (lowercase), once.";

    /// <summary>Adds <c>peers</c> to each result (one KPI or the whole scorecard of one period).</summary>
    public async Task<IReadOnlyList<KpiResultResponse>> AddAsync(IReadOnlyList<KpiResultResponse> results, Period period, KpiFilter filter,
        CancellationToken ct)
    {
        var setting = await db.PeerBenchmarkSettings.AsNoTracking().Where(s => s.OptIn)
            .Select(s => new { s.Industry, s.SizeBand }).FirstOrDefaultAsync(ct);
        if (setting is null)
            return results.Select(r => r with { Peers = PeersResponse.Absent(PeerBenchmarkRules.NotOptedIn) }).ToList();
        // Filtered reads, money KPIs and periods that are not one calendar month, quarter or year have no peer figures.
        if (filter != KpiFilter.None || PeerBenchmarkRules.KindOf(period) is null)
            return results.Select(r => r with { Peers = PeersResponse.Absent(PeerBenchmarkRules.KpiNotComparable) }).ToList();

        var ids = results.Select(r => r.Kpi).ToList();
        var rows = await db.PeerBenchmarkSnapshots.AsNoTracking()
            .Where(s => s.Published && ids.Contains(s.KpiId) && s.PeriodFrom == period.From && s.PeriodTo == period.To
                        && ((s.Cohort == PeerBenchmarkRules.IndustrySizeCohort && s.Industry == setting.Industry && s.SizeBand == setting.SizeBand)
                            || (s.Cohort == PeerBenchmarkRules.IndustryCohort && s.Industry == setting.Industry)
                            || s.Cohort == PeerBenchmarkRules.AllCohort))
            .ToListAsync(ct);
        return results.Select(r => r with { Peers = PeersOf(r, rows) }).ToList();
    }

    private static PeersResponse PeersOf(KpiResultResponse result, List<PeerBenchmarkSnapshot> rows)
    {
        if (!KpiCatalog.TryGet(result.Kpi, out var kpi) || !PeerBenchmarkRules.Comparable(kpi))
            return PeersResponse.Absent(PeerBenchmarkRules.KpiNotComparable);
        var mine = rows.Where(s => s.KpiId == result.Kpi).ToList();
        var best = mine.FirstOrDefault(s => s.Cohort == PeerBenchmarkRules.IndustrySizeCohort)
                   ?? mine.FirstOrDefault(s => s.Cohort == PeerBenchmarkRules.IndustryCohort)
                   ?? mine.FirstOrDefault(s => s.Cohort == PeerBenchmarkRules.AllCohort);
        return best is null ? PeersResponse.Absent(PeerBenchmarkRules.CohortTooSmall) : PeersResponse.Of(best, result.Value);
    }
}

/// <summary>The tenant's size: its active clients on a day (acquired on or before it, not churned by it).</summary>
public static class PeerSize
{
    public static Task<int> ActiveClientsAsync(KpiDbContext db, DateOnly day, CancellationToken ct) =>
        db.Clients.CountAsync(c => c.AcquiredOn <= day && (c.ChurnedOn == null || c.ChurnedOn > day), ct);
}

using System.ComponentModel;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>A tenant's peer-benchmark settings. Off by default: only opted-in tenants contribute and see peer figures.</summary>
public sealed record PeerBenchmarkSettingsResponse(
    [property: Description("Whether the tenant contributes its KPI results to peer benchmarks and sees them (give to get). Off by default.")] bool OptIn,
    [property: Description("The industry the tenant is compared within (lowercase); by default the tenant's own.")] string Industry,
    [property: Description("Derived, never set: the band of the tenant's active client count today (under-10, 10-49, 50-199, 200-999, 1000+).")] string SizeBand)
{
    /// <summary>The tenant's settings, or the defaults (not opted in, its own industry) when it never set any; the size band is derived now.</summary>
    public static async Task<(PeerBenchmarkSetting? Stored, PeerBenchmarkSettingsResponse Response)> ReadAsync(
        KpiDbContext db, TenantContext tenant, TimeProvider clock, bool track, CancellationToken ct)
    {
        var query = track ? db.PeerBenchmarkSettings : db.PeerBenchmarkSettings.AsNoTracking();
        var stored = await query.FirstOrDefaultAsync(ct);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var sizeBand = PeerBenchmarkRules.SizeBandOf(await PeerSize.ActiveClientsAsync(db, today, ct));
        return (stored, new PeerBenchmarkSettingsResponse(stored?.OptIn ?? false, stored?.Industry ?? tenant.Industry, sizeBand));
    }
}

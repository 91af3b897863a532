namespace B2BKpiApi.Data;

/// <summary>
/// A tenant's peer-benchmark settings (<c>GET/PUT /v1/settings/peer-benchmarks</c>): tenant data like any other
/// setting, behind the tenant query filter. No row means not opted in.
/// </summary>
public sealed class PeerBenchmarkSetting : TenantSetting
{
    public bool OptIn { get; set; }
    /// <summary>The industry the tenant compares itself within (lowercase); by default the tenant's own.</summary>
    public string Industry { get; set; } = "";
    /// <summary>Derived from the tenant's active client count on every PUT and every computation, never set by the tenant.</summary>
    public string SizeBand { get; set; } = "";
}

/// <summary>
/// The published peer distribution of one KPI, period and cohort. Cross-tenant by nature, so it is NOT tenant data:
/// it has no TenantId and no query filter, it is written only by the peer-benchmark job and read only through
/// <c>PeerBenchmarkReader</c>, which gives out the percentiles and a tenant band, never <see cref="Members"/> or
/// <see cref="TenantCount"/>.
/// </summary>
public sealed class PeerBenchmarkSnapshot
{
    public Guid Id { get; set; }
    public string KpiId { get; set; } = "";
    /// <summary>month, quarter or year.</summary>
    public string PeriodKind { get; set; } = "";
    public DateOnly PeriodFrom { get; set; }
    public DateOnly PeriodTo { get; set; }
    /// <summary>industry-size, industry or all.</summary>
    public string Cohort { get; set; } = "";
    /// <summary>The cohort's industry, or "*" for all.</summary>
    public string Industry { get; set; } = "";
    /// <summary>The cohort's size band, or "*" for every size.</summary>
    public string SizeBand { get; set; } = "";
    /// <summary>The exact number of contributing tenants; only its band goes on the wire.</summary>
    public int TenantCount { get; set; }
    public decimal? P10 { get; set; }
    public decimal P25 { get; set; }
    public decimal P50 { get; set; }
    public decimal P75 { get; set; }
    public decimal? P90 { get; set; }
    /// <summary>The sorted ids of the contributing tenants the published figures were computed over (for the differencing rule).</summary>
    public string Members { get; set; } = "";
    /// <summary>False while the latest computation found the cohort below the minimum: kept only for the differencing rule.</summary>
    public bool Published { get; set; }
    /// <summary>When the published figures were computed.</summary>
    public DateTime ComputedAt { get; set; }
    /// <summary>When the job last looked at this cohort (it may have kept the figures, see the differencing rule).</summary>
    public DateTime CheckedAt { get; set; }
}

/// <summary>
/// The one row (<see cref="SingletonId"/>) that coordinates the peer-benchmark job across instances: an instance
/// computes only after claiming the lease with a conditional UPDATE, so several instances never compute at once.
/// </summary>
public sealed class PeerBenchmarkRun
{
    public const int SingletonId = 1;
    public int Id { get; set; }
    public string? LeaseHolder { get; set; }
    public DateTime? LeaseUntil { get; set; }
    /// <summary>When an operator last asked for a refresh (POST /v1/admin/peer-benchmarks/refresh).</summary>
    public DateTime? RequestedAt { get; set; }
    public DateTime? LastStartedAt { get; set; }
    public DateTime? LastCompletedAt { get; set; }
}

using B2BKpiApi.Data;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>
/// Computes the peer snapshots: each opted-in tenant's own KPI results (the KPI engine, in a scope resolved to that
/// tenant exactly as a request of its own), grouped into cohorts, with the privacy rules applied before anything is
/// published. It runs only in the background (<see cref="PeerBenchmarkWorker"/>), never on a request, and only on the
/// instance that holds the database lease (<see cref="PeerBenchmarkRun"/>), so several instances never compute at once.
/// </summary>
public sealed partial class PeerBenchmarkJob(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<PeerBenchmarkOptions> options, ILogger<PeerBenchmarkJob> logger)
{
    private static readonly Dictionary<string, KpiDefinition> Kpis = KpiCatalog.All.ToDictionary(d => d.Id);

    /// <summary>This job's name in the lease row: unique per instance and per job object.</summary>
    private readonly string _holder = $"{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>One contribution: a tenant's own value of one KPI for one period.</summary>
    internal sealed record Contribution(Guid TenantId, string Industry, string SizeBand, string KpiId, string PeriodKind, Period Period, decimal Value);

    /// <summary>Computes when due (not yet today, or an operator asked since the last start) and this instance wins the lease; true when it computed.</summary>
    public async Task<bool> RunIfDueAsync(CancellationToken ct)
    {
        var now = KpiDbContext.Now(clock);
        if (!await ClaimAsync(now, ct))
            return false;
        var completed = false;
        try
        {
            await ComputeAsync(now, ct);
            completed = true;
        }
        finally
        {
            await ReleaseAsync(completed, CancellationToken.None);
        }
        return true;
    }

    private async Task<bool> ClaimAsync(DateTime now, CancellationToken ct)
    {
        var dayStart = now.Date;
        var until = now + options.Value.LeaseDuration;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        // One conditional UPDATE: due and not leased (or the lease ran out). Two instances may both try; the database
        // lets exactly one row update happen, and the loser sees 0 rows.
        var claimed = await db.PeerBenchmarkRuns
            .Where(r => r.Id == PeerBenchmarkRun.SingletonId && (r.LeaseUntil == null || r.LeaseUntil < now)
                        && (r.LastCompletedAt == null || r.LastCompletedAt < dayStart
                            || (r.RequestedAt != null && (r.LastStartedAt == null || r.RequestedAt >= r.LastStartedAt))))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.LeaseHolder, _holder)
                .SetProperty(r => r.LeaseUntil, until)
                .SetProperty(r => r.LastStartedAt, now), ct);
        return claimed == 1;
    }

    private async Task ReleaseAsync(bool completed, CancellationToken ct)
    {
        var now = KpiDbContext.Now(clock);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var mine = db.PeerBenchmarkRuns.Where(r => r.Id == PeerBenchmarkRun.SingletonId && r.LeaseHolder == _holder);
        if (completed)
            await mine.ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseHolder, (string?)null).SetProperty(r => r.LeaseUntil, (DateTime?)null)
                .SetProperty(r => r.LastCompletedAt, now), ct);
        else
            await mine.ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseHolder, (string?)null).SetProperty(r => r.LeaseUntil, (DateTime?)null), ct);
    }

    private async Task ComputeAsync(DateTime now, CancellationToken ct)
    {
        var settings = options.Value;
        var today = DateOnly.FromDateTime(now);
        var periods = PeerBenchmarkRules.PeriodsToCompute(today, settings);
        List<(Guid TenantId, string Industry)> optedIn;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
            // The job works across tenants, so it reads the settings past the tenant filter, and only these columns.
            optedIn = (await db.PeerBenchmarkSettings.IgnoreQueryFilters().AsNoTracking().Where(s => s.OptIn)
                    .Select(s => new { s.TenantId, s.Industry }).ToListAsync(ct))
                .Select(s => (s.TenantId, s.Industry)).ToList();
        }

        var contributions = new List<Contribution>();
        foreach (var (tenantId, industry) in optedIn)
        {
            try
            {
                contributions.AddRange(await ContributionsOfAsync(tenantId, industry, today, periods, ct));
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // One tenant's failure (a KPI past its budget) leaves it out of this run; the others are still published.
                LogTenantFailed(logger, tenantId, e.GetType().FullName ?? "?");
            }
        }
        var published = await PublishAsync(contributions, periods, now, ct);
        LogCompleted(logger, optedIn.Count, contributions.Count, published);
    }

    /// <summary>A tenant's own results for every period, computed as its own request would, with its size band refreshed.</summary>
    private async Task<List<Contribution>> ContributionsOfAsync(Guid tenantId, string industry, DateOnly today,
        IReadOnlyList<(string Kind, Period Period)> periods, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var owner = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId)
            .Select(t => new { t.Id, t.Currency, t.Industry, t.DataVersion }).FirstOrDefaultAsync(ct);
        if (owner is null)
            return [];
        var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
        tenant.Resolve(owner.Id, owner.Currency, owner.Industry, owner.DataVersion);
        var sizeBand = PeerBenchmarkRules.SizeBandOf(await PeerSize.ActiveClientsAsync(db, today, ct));
        await db.PeerBenchmarkSettings.Where(s => s.SizeBand != sizeBand).ExecuteUpdateAsync(s => s.SetProperty(x => x.SizeBand, sizeBand), ct);

        var engine = scope.ServiceProvider.GetRequiredService<KpiEngine>();
        var list = new List<Contribution>();
        foreach (var (kind, period) in periods)
        {
            var results = await engine.ComputeAllAsync(period, KpiFilter.None, CompareMode.None, ct);
            foreach (var (definition, result) in KpiCatalog.All.Zip(results))
                if (PeerBenchmarkRules.Comparable(definition) && result.Value is { } value && result.Sample is not { IsSmall: true })
                    list.Add(new Contribution(tenantId, industry, sizeBand, definition.Id, kind, period, value));
        }
        return list;
    }

    internal sealed record CohortKey(string KpiId, Period Period, string Cohort, string Industry, string SizeBand);

    /// <summary>Applies the privacy rules to this run's cohorts and writes the snapshots; returns the number of published cohorts.</summary>
    private async Task<int> PublishAsync(List<Contribution> contributions, IReadOnlyList<(string Kind, Period Period)> periods, DateTime now,
        CancellationToken ct)
    {
        var k = options.Value.MinTenants;
        var kinds = periods.ToDictionary(p => p.Period, p => p.Kind);
        var candidates = contributions
            .SelectMany(c => new[]
            {
                (Key: new CohortKey(c.KpiId, c.Period, PeerBenchmarkRules.IndustrySizeCohort, c.Industry, c.SizeBand), c),
                (Key: new CohortKey(c.KpiId, c.Period, PeerBenchmarkRules.IndustryCohort, c.Industry, PeerBenchmarkRules.Any), c),
                (Key: new CohortKey(c.KpiId, c.Period, PeerBenchmarkRules.AllCohort, PeerBenchmarkRules.Any, PeerBenchmarkRules.Any), c),
            })
            .GroupBy(x => x.Key, x => x.c)
            .ToDictionary(g => g.Key, g => g.ToList());

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var froms = periods.Select(p => p.Period.From).Distinct().ToList();
        var existing = (await db.PeerBenchmarkSnapshots.Where(s => froms.Contains(s.PeriodFrom)).ToListAsync(ct))
            .Where(s => kinds.ContainsKey(new Period(s.PeriodFrom, s.PeriodTo)))
            .ToDictionary(s => new CohortKey(s.KpiId, new Period(s.PeriodFrom, s.PeriodTo), s.Cohort, s.Industry, s.SizeBand));

        foreach (var key in candidates.Keys.Union(existing.Keys).ToList())
        {
            var members = candidates.TryGetValue(key, out var list) ? list : [];
            existing.TryGetValue(key, out var snapshot);
            if (snapshot is not null)
                snapshot.CheckedAt = now;
            if (members.Count < k)
            {
                // Below k: not published. The last published composition stays for the differencing rule.
                if (snapshot is not null)
                    snapshot.Published = false;
                continue;
            }
            var ids = members.Select(m => m.TenantId).Order().ToList();
            if (snapshot is not null && Difference(Members(snapshot), ids) == 1)
                continue; // changed by a single tenant: the previous figures (published or not) stay as they are
            if (snapshot is null)
            {
                snapshot = new PeerBenchmarkSnapshot
                {
                    Id = Guid.CreateVersion7(), KpiId = key.KpiId, PeriodKind = kinds[key.Period], PeriodFrom = key.Period.From,
                    PeriodTo = key.Period.To, Cohort = key.Cohort, Industry = key.Industry, SizeBand = key.SizeBand, CheckedAt = now,
                };
                db.PeerBenchmarkSnapshots.Add(snapshot);
                existing[key] = snapshot;
            }
            Fill(snapshot, Kpis[key.KpiId], members.Select(m => m.Value).Order().ToList(), ids, now);
        }

        WithdrawParentsOneAwayFromAChild(existing);
        await db.SaveChangesAsync(ct);
        return existing.Values.Count(s => s.Published);
    }

    private static void Fill(PeerBenchmarkSnapshot snapshot, KpiDefinition kpi, List<decimal> sorted, List<Guid> ids, DateTime now)
    {
        decimal P(decimal q) => Rounding.Round(PeerBenchmarkRules.Percentile(sorted, q), kpi.Unit);
        var tails = sorted.Count >= PeerBenchmarkRules.TailPercentilesFrom;
        snapshot.TenantCount = sorted.Count;
        snapshot.P10 = tails ? P(0.10m) : null;
        snapshot.P25 = P(0.25m);
        snapshot.P50 = P(0.50m);
        snapshot.P75 = P(0.75m);
        snapshot.P90 = tails ? P(0.90m) : null;
        snapshot.Members = string.Join(',', ids.Select(i => i.ToString("N")));
        snapshot.Published = true;
        snapshot.ComputedAt = now;
    }

    /// <summary>
    /// Nested cohorts published side by side must not differ by exactly one tenant either (an industry of 11 beside its
    /// size cohort of 10 would isolate the eleventh): the larger one is withdrawn.
    /// </summary>
    private static void WithdrawParentsOneAwayFromAChild(Dictionary<CohortKey, PeerBenchmarkSnapshot> snapshots)
    {
        var published = snapshots.Where(s => s.Value.Published).ToList();
        foreach (var (key, parent) in published.Where(p => p.Key.Cohort != PeerBenchmarkRules.IndustrySizeCohort))
        {
            var parentMembers = Members(parent).ToHashSet();
            var children = published.Where(c => c.Key.KpiId == key.KpiId && c.Key.Period == key.Period && c.Value != parent
                                                 && IsChild(c.Key, key));
            if (children.Any(c => Members(c.Value).All(parentMembers.Contains) && parentMembers.Count - Members(c.Value).Count == 1))
                parent.Published = false;
        }
    }

    private static bool IsChild(CohortKey child, CohortKey parent) => parent.Cohort switch
    {
        PeerBenchmarkRules.AllCohort => child.Cohort != PeerBenchmarkRules.AllCohort,
        PeerBenchmarkRules.IndustryCohort => child.Cohort == PeerBenchmarkRules.IndustrySizeCohort && child.Industry == parent.Industry,
        _ => false,
    };

    private static List<Guid> Members(PeerBenchmarkSnapshot snapshot) =>
        snapshot.Members.Length == 0 ? [] : snapshot.Members.Split(',').Select(Guid.Parse).ToList();

    /// <summary>The size of the symmetric difference: tenants that joined plus tenants that left.</summary>
    internal static int Difference(IReadOnlyCollection<Guid> before, IReadOnlyCollection<Guid> after) =>
        before.Except(after).Count() + after.Except(before).Count();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer benchmarks: tenant {TenantId} was left out of this run ({ExceptionType})")]
    private static partial void LogTenantFailed(ILogger logger, Guid tenantId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer benchmarks computed: {Tenants} opted-in tenants, {Contributions} contributions, {Published} cohorts published")]
    private static partial void LogCompleted(ILogger logger, int tenants, int contributions, int published);
}

using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Alerts;

/// <summary>The <c>Alerts</c> configuration section.</summary>
public sealed class AlertOptions
{
    /// <summary>Whether this instance runs the evaluation worker (every instance may: they never emit twice).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the worker looks for rules to evaluate.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a tenant's data must stay unchanged before its rules are evaluated: a burst of writes is one evaluation.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest a tenant that never stops writing waits for an evaluation.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first wait after a failed evaluation; it doubles on each further failure, up to 10 minutes.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most alert rules one tenant may keep; creating one more is a 400 naming the limit.</summary>
    public int MaxRulesPerTenant { get; set; } = 100;

    /// <summary>Tenants one instance evaluates at once.</summary>
    public int MaxParallelTenants { get; set; } = 2;

    /// <summary>
    /// How long one tenant's turn may go on: no further rule of the tenant is started past it (the rest wait for its
    /// next turn, after every other due tenant had one), so a tenant with many rules over much data delays the others
    /// by at most about this plus one rule's evaluation (two KPI reads, each within the compute budget).
    /// </summary>
    public TimeSpan TenantTurnBudget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claim on a tenant's evaluation lasts: beyond a whole turn, so a live instance never loses it.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>A test seam: awaited before each rule's evaluation (nothing is registered outside tests).</summary>
public sealed class AlertEvaluationSeam
{
    public Func<Guid, CancellationToken, Task>? BeforeRule { get; set; }
}

/// <summary>Wakes the worker at once (a rule was created or edited) instead of at its next poll.</summary>
public sealed class AlertWake : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the worker will look once, which covers every rule changed since.
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct) => await _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Evaluates alert rules in the background, never on a request: a write only raises the tenant's DataVersion
/// (as it always did), so it answers as fast with rules as without. A rule is due when
/// <list type="bullet">
/// <item>it is new or was edited (no evaluated version): at once;</item>
/// <item>it was last evaluated before today (UTC): at once, so the latest complete period follows the calendar;</item>
/// <item>its tenant's DataVersion differs from the one it saw: once the version has been still for
/// <see cref="AlertOptions.QuietPeriod"/> (or after <see cref="AlertOptions.MaxDelay"/>), so a CSV import or a
/// burst of batches is one evaluation.</item>
/// </list>
/// Every piece of state lives in the database (<see cref="AlertSchedule"/> per tenant, the back-off on the rule),
/// so a restart keeps the quiet period and any number of instances share it. Tenants take turns: the least
/// recently served first, <see cref="AlertOptions.MaxParallelTenants"/> at once, each turn claimed with a
/// conditional update (one instance evaluates a tenant's data version) and bounded by
/// <see cref="AlertOptions.TenantTurnBudget"/>; the rule's own conditional update keeps an event from being written twice.
/// </summary>
public sealed partial class AlertWorker(
    IServiceScopeFactory scopes, TimeProvider clock, AlertWake wake, IOptions<AlertOptions> options, IHostApplicationLifetime lifetime,
    ILogger<AlertWorker> logger)
    : BackgroundService
{
    /// <summary>This instance's name in a claim.</summary>
    private readonly Guid _instance = Guid.NewGuid();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hosted services start before the server listens: an instance that never starts serving (its port is taken,
        // say) must not have begun evaluating, and shutting it down must not cancel a query half-way.
        if (!options.Value.Enabled || !await lifetime.WaitUntilStartedAsync(stoppingToken))
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(logger, e.GetType().FullName ?? "?", e.Message);
            }
            try
            {
                await wake.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }


    private sealed record Due(Guid Id, Guid TenantId, long? EvaluatedDataVersion, DateTime? LastEvaluatedAt, long DataVersion);

    private sealed record Turn(Guid TenantId, List<Guid> RuleIds, bool Settled, long? Version, DateTime? LastTurnAt);

    /// <summary>One look at every enabled rule that may be due, and a turn for each tenant that has some.</summary>
    internal async Task PollAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = KpiDbContext.Now(clock);
        var dayStart = now.Date;
        var turns = new List<Turn>();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
            var due = await (
                    from r in db.AlertRules.IgnoreQueryFilters()
                    join t in db.Tenants on r.TenantId equals t.Id
                    where r.Enabled && (r.RetryAt == null || r.RetryAt <= now)
                                    && (r.EvaluatedDataVersion == null || r.EvaluatedDataVersion != t.DataVersion
                                        || r.LastEvaluatedAt == null || r.LastEvaluatedAt < dayStart)
                    select new Due(r.Id, r.TenantId, r.EvaluatedDataVersion, r.LastEvaluatedAt, t.DataVersion))
                .AsNoTracking().ToListAsync(ct);
            if (due.Count == 0)
                return;
            var tenantIds = due.Select(d => d.TenantId).Distinct().ToList();
            var schedules = await db.AlertSchedules.AsNoTracking().Where(s => tenantIds.Contains(s.TenantId)).ToDictionaryAsync(s => s.TenantId, ct);

            foreach (var tenant in due.GroupBy(d => d.TenantId))
            {
                var immediate = tenant.Where(d => d.EvaluatedDataVersion is null || d.LastEvaluatedAt is null || d.LastEvaluatedAt < dayStart).ToList();
                var changed = tenant.Except(immediate).ToList();
                var schedule = schedules.GetValueOrDefault(tenant.Key);
                if (schedule is null)
                    schedule = await CreateScheduleAsync(db, tenant.Key, ct);
                var settled = false;
                long? version = null;
                if (changed.Count > 0)
                {
                    version = changed[0].DataVersion;
                    if (schedule.SettlingVersion != version)
                    {
                        // The version moved since it was last seen (or is seen for the first time): the quiet period starts now.
                        var firstSeen = schedule.FirstSeenAt ?? now;
                        await db.AlertSchedules.Where(s => s.TenantId == tenant.Key && s.SettlingVersion == schedule.SettlingVersion)
                            .ExecuteUpdateAsync(u => u
                                .SetProperty(s => s.SettlingVersion, version)
                                .SetProperty(s => s.SettlingSince, now)
                                .SetProperty(s => s.FirstSeenAt, firstSeen), ct);
                        settled = now - firstSeen >= settings.MaxDelay;
                    }
                    else
                    {
                        settled = now - (schedule.SettlingSince ?? now) >= settings.QuietPeriod
                                  || now - (schedule.FirstSeenAt ?? now) >= settings.MaxDelay;
                    }
                }
                var ruleIds = (settled ? immediate.Concat(changed) : immediate).Select(d => d.Id).ToList();
                if (ruleIds.Count > 0)
                    turns.Add(new Turn(tenant.Key, ruleIds, settled, version, schedule.LastTurnAt));
            }
        }

        // Round-robin: the tenant served longest ago first, a bounded number at once.
        var ordered = turns.OrderBy(t => t.LastTurnAt ?? DateTime.MinValue).ThenBy(t => t.TenantId).ToList();
        await Parallel.ForEachAsync(ordered,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.MaxParallelTenants), CancellationToken = ct },
            async (turn, token) =>
            {
                try
                {
                    await TakeTurnAsync(turn, settings, token);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    LogPollFailed(logger, e.GetType().FullName ?? "?", e.Message);
                }
            });
    }

    /// <summary>The tenant's row of worker state, created on first sight (another instance may create it at the same time).</summary>
    private static async Task<AlertSchedule> CreateScheduleAsync(KpiDbContext db, Guid tenantId, CancellationToken ct)
    {
        var schedule = new AlertSchedule { TenantId = tenantId };
        db.AlertSchedules.Add(schedule);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (Database.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            return await db.AlertSchedules.AsNoTracking().SingleAsync(s => s.TenantId == tenantId, ct);
        }
        db.Entry(schedule).State = EntityState.Detached;
        return schedule;
    }

    /// <summary>Claims the tenant, evaluates its due rules within the turn budget, and releases it.</summary>
    private async Task TakeTurnAsync(Turn turn, AlertOptions settings, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var now = KpiDbContext.Now(clock);
        var until = now + settings.ClaimLease;
        var claimed = await db.AlertSchedules
            .Where(s => s.TenantId == turn.TenantId && (s.ClaimedUntil == null || s.ClaimedUntil < now))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ClaimedUntil, until).SetProperty(s => s.ClaimedBy, _instance), ct);
        if (claimed != 1)
            return; // another instance has the tenant's turn

        var complete = false;
        try
        {
            var evaluator = scope.ServiceProvider.GetRequiredService<AlertEvaluator>();
            var deadline = clock.GetTimestamp() + (long)(settings.TenantTurnBudget.TotalSeconds * clock.TimestampFrequency);
            complete = await evaluator.EvaluateTurnAsync(turn.TenantId, turn.RuleIds, deadline, ct);
        }
        finally
        {
            var end = KpiDbContext.Now(clock);
            var me = _instance;
            // Released even when cancelled: the claim must not outlive this instance's work by the whole lease.
            await db.AlertSchedules.Where(s => s.TenantId == turn.TenantId && s.ClaimedBy == me)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.ClaimedUntil, (DateTime?)null).SetProperty(s => s.ClaimedBy, (Guid?)null)
                    .SetProperty(s => s.LastTurnAt, end), CancellationToken.None);
            if (complete && turn.Settled)
            {
                // The version that settled is evaluated: the next change starts a new quiet period (and a new MaxDelay).
                await db.AlertSchedules.Where(s => s.TenantId == turn.TenantId && s.SettlingVersion == turn.Version)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.SettlingVersion, (long?)null).SetProperty(s => s.SettlingSince, (DateTime?)null)
                        .SetProperty(s => s.FirstSeenAt, (DateTime?)null).SetProperty(s => s.LastEvaluatedAt, end), CancellationToken.None);
            }
            else if (complete)
            {
                await db.AlertSchedules.Where(s => s.TenantId == turn.TenantId)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastEvaluatedAt, end), CancellationToken.None);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for alert rules to evaluate failed ({ExceptionType}: {ExceptionMessage}); trying again at the next poll")]
    private static partial void LogPollFailed(ILogger logger, string exceptionType, string exceptionMessage);
}

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
/// The debounce state is this instance's memory; the database's conditional update keeps instances from emitting twice.
/// </summary>
public sealed partial class AlertWorker(
    IServiceScopeFactory scopes, TimeProvider clock, AlertWake wake, IOptions<AlertOptions> options, IHostApplicationLifetime lifetime,
    ILogger<AlertWorker> logger)
    : BackgroundService
{
    private readonly Dictionary<Guid, Settling> _settling = [];
    private readonly Dictionary<Guid, Backoff> _backoff = [];

    private sealed record Settling(long Version, long SeenAt, long FirstSeenAt);

    private sealed record Backoff(int Failures, long RetryAt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Hosted services start before the server listens: an instance that never starts serving (its port is taken,
        // say) must not have begun evaluating, and shutting it down must not cancel a query half-way.
        if (!options.Value.Enabled || !await Started(stoppingToken))
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

    private async Task<bool> Started(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record Due(Guid Id, Guid TenantId, long? EvaluatedDataVersion, DateTime? LastEvaluatedAt, long DataVersion);

    /// <summary>One look at every enabled rule that may be due, and the evaluation of those that are.</summary>
    internal async Task PollAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var dayStart = clock.GetUtcNow().UtcDateTime.Date;
        List<Due> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
            due = await (
                    from r in db.AlertRules.IgnoreQueryFilters()
                    join t in db.Tenants on r.TenantId equals t.Id
                    where r.Enabled && (r.EvaluatedDataVersion == null || r.EvaluatedDataVersion != t.DataVersion
                                        || r.LastEvaluatedAt == null || r.LastEvaluatedAt < dayStart)
                    select new Due(r.Id, r.TenantId, r.EvaluatedDataVersion, r.LastEvaluatedAt, t.DataVersion))
                .AsNoTracking().ToListAsync(ct);
        }

        var now = clock.GetTimestamp();
        var waiting = new HashSet<Guid>();
        foreach (var tenant in due.GroupBy(d => d.TenantId))
        {
            var immediate = tenant.Where(d => d.EvaluatedDataVersion is null || d.LastEvaluatedAt is null || d.LastEvaluatedAt < dayStart).ToList();
            var changed = tenant.Except(immediate).ToList();
            var settled = false;
            if (changed.Count > 0)
            {
                var version = changed[0].DataVersion;
                var seen = _settling.TryGetValue(tenant.Key, out var s)
                    ? s.Version == version ? s : s with { Version = version, SeenAt = now }
                    : new Settling(version, now, now);
                _settling[tenant.Key] = seen;
                settled = clock.GetElapsedTime(seen.SeenAt, now) >= settings.QuietPeriod
                          || clock.GetElapsedTime(seen.FirstSeenAt, now) >= settings.MaxDelay;
                if (!settled)
                    waiting.Add(tenant.Key);
            }
            var ruleIds = (settled ? immediate.Concat(changed) : immediate)
                .Where(d => !_backoff.TryGetValue(d.Id, out var b) || now >= b.RetryAt)
                .Select(d => d.Id).ToList();
            if (ruleIds.Count == 0)
                continue;
            if (settled)
                _settling.Remove(tenant.Key);
            await EvaluateTenantAsync(tenant.Key, ruleIds, settings, ct);
        }
        foreach (var gone in _settling.Keys.Where(k => !waiting.Contains(k)).ToList())
            _settling.Remove(gone);
    }

    private async Task EvaluateTenantAsync(Guid tenantId, List<Guid> ruleIds, AlertOptions settings, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var evaluator = scope.ServiceProvider.GetRequiredService<AlertEvaluator>();
        var failed = await evaluator.EvaluateAsync(tenantId, ruleIds, ct);
        var now = clock.GetTimestamp();
        foreach (var id in ruleIds)
        {
            if (!failed.Contains(id))
            {
                _backoff.Remove(id);
                continue;
            }
            var failures = _backoff.TryGetValue(id, out var b) ? b.Failures + 1 : 1;
            var delay = TimeSpan.FromTicks(Math.Min(settings.RetryDelay.Ticks << Math.Min(failures - 1, 16), TimeSpan.FromMinutes(10).Ticks));
            _backoff[id] = new Backoff(failures, now + (long)(delay.TotalSeconds * clock.TimestampFrequency));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for alert rules to evaluate failed ({ExceptionType}: {ExceptionMessage}); trying again at the next poll")]
    private static partial void LogPollFailed(ILogger logger, string exceptionType, string exceptionMessage);
}

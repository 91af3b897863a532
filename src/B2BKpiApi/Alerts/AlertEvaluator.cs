using B2BKpiApi.Data;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Metrics;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Alerts;

/// <summary>
/// Evaluates one tenant's rules in a scope of its own: the tenant is resolved into this scope's
/// <see cref="TenantContext"/>, so the KPI engine, the query filters and the benchmark comparison are exactly those
/// of a request by that tenant, and a result is the JSON <c>GET /v1/kpis/{id}</c> answers.
/// </summary>
public sealed partial class AlertEvaluator(
    KpiDbContext db, TenantContext tenant, KpiEngine engine, AtRiskClientsTarget atRiskClients, TimeProvider clock, AlertMetrics metrics, AlertEvaluationSeam seam,
    Microsoft.Extensions.Options.IOptions<AlertOptions> options, ILogger<AlertEvaluator> logger)
{
    /// <summary>Evaluates the given rules of a tenant; returns the ids of the rules whose evaluation failed (to retry later).</summary>
    public async Task<IReadOnlyList<Guid>> EvaluateAsync(Guid tenantId, IReadOnlyCollection<Guid> ruleIds, CancellationToken ct)
    {
        var failed = new List<Guid>();
        await EvaluateRulesAsync(tenantId, ruleIds, onlyDue: false, deadline: null, failed, ct);
        return failed;
    }

    /// <summary>
    /// One tenant's turn of the worker: the given rules that are still due (read again now, under the claim, so a turn
    /// that another instance has just taken leaves nothing to do), one after another until
    /// <paramref name="deadline"/> (a <see cref="TimeProvider.GetTimestamp"/>) has passed. Returns whether every
    /// due rule was evaluated (false: the rest waits for the tenant's next turn).
    /// </summary>
    public async Task<bool> EvaluateTurnAsync(Guid tenantId, IReadOnlyCollection<Guid> ruleIds, long deadline, CancellationToken ct) =>
        await EvaluateRulesAsync(tenantId, ruleIds, onlyDue: true, deadline, [], ct);

    private async Task<bool> EvaluateRulesAsync(Guid tenantId, IReadOnlyCollection<Guid> ruleIds, bool onlyDue, long? deadline,
        List<Guid> failed, CancellationToken ct)
    {
        // The version is read before any KPI: a write that lands during the evaluation leaves the rule behind it, so it is evaluated again.
        var owner = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId)
            .Select(t => new { t.Id, t.Currency, t.Industry, t.DataVersion })
            .FirstOrDefaultAsync(ct);
        if (owner is null)
            return true;
        tenant.Resolve(owner.Id, owner.Currency, owner.Industry, owner.DataVersion);
        var now = KpiDbContext.Now(clock);
        var dayStart = now.Date;
        var query = db.AlertRules.AsNoTracking().Where(r => ruleIds.Contains(r.Id) && r.Enabled);
        if (onlyDue)
            query = query.Where(r => (r.RetryAt == null || r.RetryAt <= now)
                                     && (r.EvaluatedDataVersion == null || r.EvaluatedDataVersion != owner.DataVersion
                                         || r.LastEvaluatedAt == null || r.LastEvaluatedAt < dayStart));
        // New and edited rules first, then the oldest evaluated: a turn cut short resumes where it stopped.
        var rules = (await query.ToListAsync(ct)).OrderBy(r => r.LastEvaluatedAt ?? DateTime.MinValue).ThenBy(r => r.Id).ToList();

        var evaluated = 0;
        foreach (var rule in rules)
        {
            if (deadline is { } end && evaluated > 0 && clock.GetTimestamp() > end)
                return false;
            evaluated++;
            try
            {
                if (seam.BeforeRule is { } before)
                    await before(tenantId, ct);
                await EvaluateRuleAsync(rule, owner.DataVersion, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // A KPI past its compute budget, a database hiccup: the rule keeps its state and is tried again after a back-off.
                metrics.Evaluated(rule.KpiId, "failed");
                LogFailed(logger, rule.Id, rule.KpiId, e.GetType().FullName ?? "?", e.Message);
                failed.Add(rule.Id);
                await BackOffAsync(rule);
            }
        }
        return true;
    }

    /// <summary>Records a failure on the rule: the next try waits RetryDelay, doubling with each failure in a row, at most 10 minutes.</summary>
    private async Task BackOffAsync(AlertRule rule)
    {
        try
        {
            var failures = rule.EvaluationFailures + 1;
            var delay = TimeSpan.FromTicks(Math.Min(options.Value.RetryDelay.Ticks << Math.Min(failures - 1, 16), TimeSpan.FromMinutes(10).Ticks));
            var retryAt = KpiDbContext.Now(clock) + delay;
            db.ChangeTracker.Clear();
            await db.AlertRules.Where(r => r.Id == rule.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.EvaluationFailures, failures).SetProperty(r => r.RetryAt, retryAt));
        }
        catch (Exception e)
        {
            LogFailed(logger, rule.Id, rule.KpiId, e.GetType().FullName ?? "?", e.Message);
        }
    }

    private async Task EvaluateRuleAsync(AlertRule rule, long dataVersion, CancellationToken ct)
    {
        var now = KpiDbContext.Now(clock);
        var today = DateOnly.FromDateTime(now);
        var (period, previousPeriod) = AlertPeriods.For(AlertWire.Parse<AlertWindow>(rule.Window), rule.ToDate, today);
        KpiResultResponse result, previous;
        AtRiskClientsResult? atRisk = null;
        if (AtRiskClientsTarget.Is(rule.KpiId))
        {
            // The count of clients at risk as of the period's last day, scored as GET /v1/churn-risk scores them.
            var threshold = rule.RiskThreshold
                            ?? throw new InvalidOperationException($"The {AtRiskClientsTarget.Id} rule has no risk threshold.");
            (result, previous, atRisk) = await atRiskClients.EvaluateAsync(threshold, period, previousPeriod, ct);
        }
        else
        {
            if (!KpiCatalog.TryGet(rule.KpiId, out var kpi))
                throw new InvalidOperationException($"The rule names the KPI '{rule.KpiId}', which the catalog no longer has.");
            var filter = new KpiFilter(rule.Industry, rule.Segment, rule.Source);
            result = await engine.ComputeAsync(kpi, period, filter, ct);
            previous = await engine.ComputeAsync(kpi, previousPeriod, filter, ct);
        }

        var condition = KpiAlertRule.ConditionOf(rule);
        var outcome = AlertConditions.Judge(condition, result, previous);
        if (atRisk is not null)
            outcome = outcome with { Why = AtRiskClientsTarget.Describe(atRisk) + " " + outcome.Why };
        var before = AlertWire.Parse<AlertState>(rule.State);
        var eventType = EventOf(before, outcome.State);
        var evaluation = new AlertEvaluation(result.Period, result.Value, result.Reason, previous.Period, previous.Value, outcome.State,
            outcome.Why, now);

        var stateText = AlertWire.Of(outcome.State);
        var changedAt = outcome.State == before ? rule.StateChangedAt : now;
        var evaluationJson = AlertJson.Serialize(evaluation);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Conditional on what was read: another instance that evaluated this rule meanwhile, or its owner editing it
        // (Version), leaves nothing to update here, so the event is emitted once. ExecuteUpdate leaves Version, the
        // rule's ETag, alone: only the owner's edits move it.
        var updated = await db.AlertRules
            .Where(r => r.Id == rule.Id && r.Version == rule.Version && r.State == rule.State
                        && r.LastEvaluatedAt == rule.LastEvaluatedAt && r.EvaluatedDataVersion == rule.EvaluatedDataVersion)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, stateText)
                .SetProperty(r => r.StateChangedAt, changedAt)
                .SetProperty(r => r.LastEvaluatedAt, now)
                .SetProperty(r => r.EvaluatedDataVersion, dataVersion)
                .SetProperty(r => r.LastEvaluation, evaluationJson)
                .SetProperty(r => r.EvaluationFailures, 0)
                .SetProperty(r => r.RetryAt, (DateTime?)null), ct);
        if (updated != 1)
        {
            await transaction.RollbackAsync(ct);
            metrics.Evaluated(rule.KpiId, "superseded");
            return;
        }
        if (eventType is not null)
        {
            var data = new KpiAlertEvent(KpiAlertRule.From(rule), outcome.State, before, outcome.Why, result, previous, now, atRisk);
            var message = await WebhookOutbox.EnqueueAsync(db, rule.TenantId, eventType, AlertJson.ToNode(data), now, ct);
            await db.SaveChangesAsync(ct);
            metrics.Emitted(eventType, sent: message is not null);
        }
        await transaction.CommitAsync(ct);
        metrics.Evaluated(rule.KpiId, stateText);
        if (outcome.State != before)
            LogTransition(logger, rule.Id, rule.State, stateText, eventType ?? "none");
    }

    /// <summary>
    /// Events mark the start and the end of a firing spell, so that every triggered is followed by exactly one
    /// resolved: entering firing (from pending, ok or no-data) triggers; leaving it resolves, whether the KPI is
    /// ok again or has no value any more (the event's state says which). Moves between pending, ok and no-data are silent.
    /// </summary>
    public static string? EventOf(AlertState before, AlertState after) => (before, after) switch
    {
        (not AlertState.Firing, AlertState.Firing) => AlertEventTypes.Triggered,
        (AlertState.Firing, AlertState.Ok or AlertState.NoData) => AlertEventTypes.Resolved,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluating alert rule {RuleId} ({KpiId}) failed ({ExceptionType}: {ExceptionMessage}); it is retried later")]
    private static partial void LogFailed(ILogger logger, Guid ruleId, string kpiId, string exceptionType, string exceptionMessage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert rule {RuleId} went from {From} to {To} (event: {EventType})")]
    private static partial void LogTransition(ILogger logger, Guid ruleId, string from, string to, string eventType);
}

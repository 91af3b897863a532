namespace B2BKpiApi.Data;

/// <summary>
/// A tenant's configuration row (webhook endpoints, alert rules): tenant-isolated like records, but not a
/// KPI input, so saving one does not raise <see cref="Tenant.DataVersion"/> or retire cached KPI results.
/// </summary>
public abstract class TenantSetting
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Incremented on every change: the ETag and the optimistic-concurrency token.</summary>
    public int Version { get; set; }
}

/// <summary>A URL of the tenant's that receives Standard Webhooks events.</summary>
public sealed class WebhookEndpoint : TenantSetting
{
    public string Url { get; set; } = "";
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>The event types it receives, space-separated (e.g. <c>kpi.alert.triggered kpi.alert.resolved</c>).</summary>
    public string EventTypes { get; set; } = "";
    /// <summary>The signing secret (<c>whsec_…</c>), encrypted at rest; never returned after creation or rotation.</summary>
    public string SecretProtected { get; set; } = "";
    /// <summary>The secret before the last rotation: it keeps signing, alongside the new one, until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecretProtected { get; set; }
    public DateTime? PreviousSecretExpiresAt { get; set; }
    /// <summary>When deliveries to it started failing without a success since; null while healthy.</summary>
    public DateTime? FailingSince { get; set; }
    /// <summary>Set when the service disabled it (e.g. failing for 3 days); cleared when the tenant enables it again.</summary>
    public string? DisabledReason { get; set; }
    public DateTime? DisabledAt { get; set; }
}

/// <summary>A tenant's rule on one KPI; its state changes emit <c>kpi.alert.triggered</c> / <c>kpi.alert.resolved</c>.</summary>
public sealed class AlertRule : TenantSetting
{
    public string Name { get; set; } = "";
    public string KpiId { get; set; } = "";
    public string? Industry { get; set; }
    public string? Segment { get; set; }
    public string? Source { get; set; }
    /// <summary><c>month</c>, <c>quarter</c> or <c>year</c>.</summary>
    public string Window { get; set; } = "";
    /// <summary>False: the latest complete calendar period; true: the running period to date.</summary>
    public bool ToDate { get; set; }
    /// <summary><c>above</c>, <c>below</c>, <c>outside-benchmark</c> or <c>change</c>.</summary>
    public string Condition { get; set; } = "";
    /// <summary>The threshold of <c>above</c>/<c>below</c>, or the least change of <c>change</c>.</summary>
    public decimal? Threshold { get; set; }
    /// <summary>For <c>change</c>: <c>points</c> (percentage points) or <c>percent</c> (relative).</summary>
    public string? ChangeUnit { get; set; }
    /// <summary>
    /// For the <c>at-risk-clients</c> target only: the churn-risk probability (0–1] from which an active client counts
    /// as at risk; null for catalog KPIs.
    /// </summary>
    public decimal? RiskThreshold { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary><c>pending</c> (never evaluated), <c>ok</c>, <c>firing</c> or <c>no-data</c>.</summary>
    public string State { get; set; } = "pending";
    public DateTime? StateChangedAt { get; set; }
    public DateTime? LastEvaluatedAt { get; set; }
    /// <summary>The tenant's <see cref="Tenant.DataVersion"/> the last evaluation saw: a rule is re-evaluated only when it moved (or on the daily run).</summary>
    public long? EvaluatedDataVersion { get; set; }
    /// <summary>The last evaluation as JSON (period, KPI result, outcome), shown by <c>GET /v1/alerts/{id}</c>.</summary>
    public string? LastEvaluation { get; set; }
    /// <summary>Failed evaluations in a row (a KPI past its compute budget, a database error); 0 after a success.</summary>
    public int EvaluationFailures { get; set; }
    /// <summary>After a failure, the rule is not tried again before this (back-off shared by every instance).</summary>
    public DateTime? RetryAt { get; set; }
}

/// <summary>
/// The alert worker's state for one tenant, in the database so that a restart neither forgets nor repeats it and
/// every instance sees the same: the debounce of the tenant's data version and the claim of its evaluation.
/// </summary>
public sealed class AlertSchedule
{
    public Guid TenantId { get; set; }
    /// <summary>The data version the worker saw moving, and since when it has been still at it (the quiet period).</summary>
    public long? SettlingVersion { get; set; }
    public DateTime? SettlingSince { get; set; }
    /// <summary>When the tenant's data was first seen changed since its last complete evaluation (for <c>Alerts:MaxDelay</c>).</summary>
    public DateTime? FirstSeenAt { get; set; }
    /// <summary>An instance evaluating the tenant owns it until then (a conditional update claims it; a crashed claim lapses).</summary>
    public DateTime? ClaimedUntil { get; set; }
    public Guid? ClaimedBy { get; set; }
    /// <summary>When the tenant last had a turn: the least recently served tenant goes first (round-robin).</summary>
    public DateTime? LastTurnAt { get; set; }
    /// <summary>When a turn last evaluated every due rule of the tenant.</summary>
    public DateTime? LastEvaluatedAt { get; set; }
}

/// <summary>
/// The outbox: one event, written in the same transaction as the state change that caused it. Its
/// <see cref="Id"/> is the <c>webhook-id</c> of every delivery and redelivery, so receivers de-duplicate on it.
/// </summary>
public sealed class WebhookMessage
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public string EventType { get; set; } = "";
    /// <summary>The exact JSON body sent (and signed) on every attempt.</summary>
    public string Payload { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

/// <summary>One message on its way to one endpoint, with its durable schedule.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid MessageId { get; set; }
    public Guid EndpointId { get; set; }
    /// <summary><c>pending</c>, <c>succeeded</c> or <c>failed</c> (every scheduled attempt used).</summary>
    public string Status { get; set; } = "pending";
    /// <summary>How many scheduled attempts were made (each may contain in-process retries).</summary>
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>A worker that took the delivery owns it until then; a crashed worker's claim simply lapses.</summary>
    public DateTime? LockedUntil { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public int? LastResponseStatus { get; set; }
    public string? LastError { get; set; }
}

/// <summary>One HTTP attempt of a delivery, as listed by <c>GET /v1/webhook-endpoints/{id}/deliveries</c>.</summary>
public sealed class WebhookAttempt
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTime StartedAt { get; set; }
    public int DurationMs { get; set; }
    public int? ResponseStatus { get; set; }
    /// <summary>Why it failed when there was no response (timeout, refused address, circuit open), without secrets.</summary>
    public string? Error { get; set; }
}

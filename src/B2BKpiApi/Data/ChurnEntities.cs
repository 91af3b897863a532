namespace B2BKpiApi.Data;

/// <summary>
/// A tenant's churn model: one row per tenant, written only by the background trainer (ChurnModelWorker). The row
/// also holds the trainer's claim, so that of several instances exactly one trains a tenant at a time.
/// </summary>
public sealed class ChurnModel
{
    public Guid TenantId { get; set; }
    /// <summary><c>logistic-regression</c> or <c>rules</c>; null until the first training finished.</summary>
    public string? Method { get; set; }
    /// <summary>Why the rules score is used (e.g. <c>fewer-than-20-churn-events</c>); null for the model.</summary>
    public string? MethodReason { get; set; }
    public DateTime? TrainedAt { get; set; }
    /// <summary>The tenant's DataVersion the training read: a write since then makes the row due again.</summary>
    public long? DataVersion { get; set; }
    /// <summary>The day the training stood on (its latest cut-off is 90 days before).</summary>
    public DateOnly? AsOf { get; set; }
    public int ChurnEvents { get; set; }
    /// <summary>The served logistic regression (bias, weights, means, scales) as JSON; null for rules.</summary>
    public string? Parameters { get; set; }
    /// <summary>The back-test (windows, held-out measures of the model or rules and of the baseline) as JSON.</summary>
    public string? BackTest { get; set; }
    /// <summary>The instance's token while it trains; the claim lapses at <see cref="ClaimedUntil"/>.</summary>
    public Guid? ClaimToken { get; set; }
    public DateTime? ClaimedUntil { get; set; }
}

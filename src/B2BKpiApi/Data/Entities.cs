namespace B2BKpiApi.Data;

/// <summary>A customer of the product: owns every record pushed with one of its API keys.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Industry { get; set; } = "";
    public string Currency { get; set; } = "";
    /// <summary>The public half of the API key, used to find the tenant without comparing secrets in SQL.</summary>
    public string ApiKeyId { get; set; } = "";
    /// <summary>SHA-256 of the secret half of the API key; the key itself is never stored.</summary>
    public byte[] ApiKeyHash { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// Raised by every write to the tenant's records, in the write's own transaction (see
    /// <c>KpiDbContext.TouchTenantDataAsync</c>): cached KPI results are keyed by it.
    /// </summary>
    public long DataVersion { get; set; }
}

/// <summary>Every record a tenant owns. <see cref="TenantId"/> is stamped on save, never taken from a request.</summary>
public abstract class TenantOwned
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public string? ExternalId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Incremented by the application on every change (SQLite cannot generate it).</summary>
    public int Version { get; set; }
}

public sealed class Client : TenantOwned
{
    public string Name { get; set; } = "";
    public DateOnly AcquiredOn { get; set; }
    public DateOnly? ChurnedOn { get; set; }
    public string? Industry { get; set; }
    public string? Segment { get; set; }
}

public enum ContractKind { New, Renewal, Expansion }

public sealed class Contract : TenantOwned
{
    public Guid ClientId { get; set; }
    public DateOnly SignedOn { get; set; }
    public DateOnly StartsOn { get; set; }
    public DateOnly EndsOn { get; set; }
    /// <summary>Money in minor units (cents) so that sums are exact in SQL on every provider.</summary>
    public long ValueMinor { get; set; }
    public string Currency { get; set; } = "";
    public ContractKind Kind { get; set; }
}

public enum LeadOutcome { Won, Lost }

public sealed class Lead : TenantOwned
{
    public DateOnly CreatedOn { get; set; }
    public DateOnly? QualifiedOn { get; set; }
    public DateOnly? OpportunityOn { get; set; }
    public DateOnly? ClosedOn { get; set; }
    public LeadOutcome? Outcome { get; set; }
    public long? DealValueMinor { get; set; }
    public string? Currency { get; set; }
    public string? Source { get; set; }
}

public enum SurveyKind { Nps, Csat, Ces }

public enum RespondentRole { EconomicBuyer, TechnicalBuyer, User, Gatekeeper, Other }

public sealed class Survey : TenantOwned
{
    public SurveyKind Kind { get; set; }
    public int Score { get; set; }
    public DateOnly RespondedOn { get; set; }
    public Guid? ClientId { get; set; }
    public RespondentRole? RespondentRole { get; set; }
}

public enum CostCategory { Cogs, DirectLabor, Sales, Marketing, Overhead }

public sealed class Cost : TenantOwned
{
    public CostCategory Category { get; set; }
    public long AmountMinor { get; set; }
    public string Currency { get; set; } = "";
    public DateOnly IncurredOn { get; set; }
}

/// <summary>
/// The stored outcome of a POST sent with an <c>Idempotency-Key</c>: a retry with the same key and
/// body gets this response back instead of running again. Kept 24 hours.
/// </summary>
public sealed class IdempotencyRecord
{
    public Guid Id { get; set; }
    /// <summary>The tenant that sent the key, or <see cref="Guid.Empty"/> for the operator: keys never cross tenants.</summary>
    public Guid Scope { get; set; }
    public string Key { get; set; } = "";
    /// <summary>SHA-256 of the method, path, query and body: the same key with another request is refused.</summary>
    public byte[] RequestHash { get; set; } = [];
    /// <summary>Null while the first request is still running.</summary>
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public byte[]? Body { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    /// <summary>
    /// Set by the request's own write, in the write's transaction (see <c>KpiDbContext</c>): once it is set, the
    /// request's effect is stored, so the key is never run again, even when its answer could not be kept.
    /// </summary>
    public DateTime? ExecutedAt { get; set; }
}

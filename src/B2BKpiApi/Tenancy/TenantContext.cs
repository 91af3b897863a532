namespace B2BKpiApi.Tenancy;

/// <summary>
/// The tenant of the current request, set once by <see cref="ApiKeyMiddleware"/>. Until it is set,
/// <see cref="TenantId"/> is empty and the tenant query filters match nothing.
/// </summary>
public sealed class TenantContext
{
    public Guid TenantId { get; private set; }
    public string Currency { get; private set; } = "";
    public string Industry { get; private set; } = "";
    public bool IsResolved => TenantId != Guid.Empty;

    public void Resolve(Guid tenantId, string currency, string industry)
    {
        if (IsResolved)
            throw new InvalidOperationException("The tenant of a request is resolved once.");
        TenantId = tenantId;
        Currency = currency;
        Industry = industry;
    }
}

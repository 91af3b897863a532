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
    /// <summary>
    /// The tenant's data version when the request began, read with the key in one query: a cached KPI
    /// result is reused only under the same version, so any write, on any instance, retires it.
    /// </summary>
    public long DataVersion { get; private set; }
    public bool IsResolved => TenantId != Guid.Empty;

    public void Resolve(Guid tenantId, string currency, string industry, long dataVersion = 0)
    {
        if (IsResolved)
            throw new InvalidOperationException("The tenant of a request is resolved once.");
        TenantId = tenantId;
        Currency = currency;
        Industry = industry;
        DataVersion = dataVersion;
    }
}

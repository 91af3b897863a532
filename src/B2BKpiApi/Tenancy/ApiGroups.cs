using FastEndpoints;

namespace B2BKpiApi.Tenancy;

/// <summary>
/// The /v1 routes a tenant calls with its own key. <see cref="ApiKeyMiddleware"/> resolves the tenant for
/// them (the only place a request gets one), and they are rate limited per tenant.
/// </summary>
public sealed class TenantApi : Group
{
    public TenantApi() => Configure("/v1", ep =>
    {
        // The key is checked by ApiKeyMiddleware, not by ASP.NET Core authorization.
        ep.AllowAnonymous();
        ep.Options(b => b.WithMetadata(new TenantKeyRequired()).RequireRateLimiting(RateLimits.PerTenant));
    });
}

/// <summary>The /v1 routes only the operator's key may call (tenants); a tenant key is a 403.</summary>
public sealed class OperatorApi : Group
{
    public OperatorApi() => Configure("/v1", ep =>
    {
        ep.AllowAnonymous();
        ep.Options(b => b.WithMetadata(new OperatorKeyRequired()));
    });
}

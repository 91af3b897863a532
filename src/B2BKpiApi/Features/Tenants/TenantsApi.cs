using B2BKpiApi.Common;

namespace B2BKpiApi.Features.Tenants;

public static class TenantsApi
{
    public static RouteGroupBuilder MapTenants(this RouteGroupBuilder v1)
    {
        var tenants = v1.MapGroup("/tenants").WithTags("Tenants").RequireOperatorKey();
        CreateTenant.Map(tenants);
        GetTenant.Map(tenants);
        RotateTenantKey.Map(tenants);
        return tenants;
    }
}

namespace B2BKpiApi.Tenancy;

public static class OperatorKey
{
    /// <summary>
    /// The operator key is a valid key with no tenant: it is refused on tenant routes (401, as before) with a
    /// detail that says why, and it is not counted as a failed authentication.
    /// </summary>
    public const string OnTenantRoute = "The operator key cannot call tenant routes; send a tenant's API key (from POST /v1/tenants).";
}

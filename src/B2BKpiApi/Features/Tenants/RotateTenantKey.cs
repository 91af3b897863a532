using B2BKpiApi.Common;
using B2BKpiApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Tenants;

public static class RotateTenantKey
{
    /// <summary>The tenant's new API key, shown only here; the previous key no longer works.</summary>
    public sealed record Response(Guid Id, string ApiKey);

    public static void Map(RouteGroupBuilder tenants) =>
        tenants.MapPost("/{id:guid}/api-key", Handle)
            .WithName(nameof(RotateTenantKey))
            .WithSummary("Replace a tenant's API key (operator key)")
            .WithDescription("Issues a new API key for the tenant and revokes the previous one at once, for a key that was lost " +
                             "or leaked. The new key is shown once and stored only as a hash.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<Ok<Response>, ProblemHttpResult>> Handle(Guid id, KpiDbContext db, CancellationToken ct)
    {
        var key = ApiKeys.Create();
        var updated = await db.Tenants.Where(t => t.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.ApiKeyId, key.KeyId)
            .SetProperty(t => t.ApiKeyHash, key.SecretHash), ct);
        return updated == 0 ? Problems.NotFound("tenant") : TypedResults.Ok(new Response(id, key.Key));
    }
}

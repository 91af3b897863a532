using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Tenants;

/// <summary>POST /v1/tenants/{id}/api-key (operator key): a new key; the previous one stops working at once.</summary>
public sealed class RotateTenantKey(KpiDbContext db, TenantChangeSignal changes) : EndpointWithoutRequest<Results<Ok<RotateTenantKey.Response>, ProblemHttpResult>>
{
    /// <summary>The tenant's new API key, shown only here; the previous key no longer works.</summary>
    public new sealed record Response(Guid Id, string ApiKey);

    public override void Configure()
    {
        Post("tenants/{id:guid}/api-key");
        Group<OperatorApi>();
        Description(b => b.OperatorOperation(new Action<Guid>(Signature))
            .WithTags("Tenants").WithName(nameof(RotateTenantKey))
            .WithSummary("Replace a tenant's API key (operator key)")
            .WithDescription("Issues a new API key for the tenant and revokes the previous one at once, for a key that was lost " +
                             "or leaked. The new key is shown once and stored only as a hash.")
            .Produces<Response>()
            .ProducesProblem(StatusCodes.Status404NotFound));
    }

    private static void Signature(Guid id) { }

    public override async Task<Results<Ok<Response>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var key = ApiKeys.Create();
        var updated = await db.Tenants.Where(t => t.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.ApiKeyId, key.KeyId)
            .SetProperty(t => t.ApiKeyHash, key.SecretHash), ct);
        if (updated == 0)
            return Problems.NotFound("tenant");
        // The previous key stops working on this instance before the answer is sent, on the others when the signal arrives.
        await changes.PublishAsync(id);
        return TypedResults.Ok(new Response(id, key.Key));
    }
}

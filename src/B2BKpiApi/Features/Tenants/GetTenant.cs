using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Tenants;

/// <summary>GET /v1/tenants/{id} (operator key).</summary>
public sealed class GetTenant(KpiDbContext db) : EndpointWithoutRequest<Results<Ok<GetTenant.Response>, ProblemHttpResult>>
{
    /// <summary>A tenant as the operator sees it; its API key is never shown again.</summary>
    public new sealed record Response(Guid Id, string Name, string Industry, string Currency, DateTime CreatedAt);

    public override void Configure()
    {
        Get("tenants/{id:guid}");
        Group<OperatorApi>();
        Description(b => b.OperatorOperation(new Action<Guid>(Signature))
            .WithTags("Tenants").WithName(nameof(GetTenant))
            .WithSummary("Read a tenant (operator key)")
            .WithDescription("The tenant's name, industry and base currency. The API key is not returned: only its hash is stored.")
            .Produces<Response>()
            .ProducesProblem(StatusCodes.Status404NotFound));
    }

    private static void Signature(Guid id) { }

    public override async Task<Results<Ok<Response>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var tenant = await db.Tenants.AsNoTracking()
            .Where(t => t.Id == id)
            .Select(t => new Response(t.Id, t.Name, t.Industry, t.Currency, t.CreatedAt))
            .SingleOrDefaultAsync(ct);
        return tenant is null ? Problems.NotFound("tenant") : TypedResults.Ok(tenant);
    }
}

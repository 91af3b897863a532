using B2BKpiApi.Common;
using B2BKpiApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Tenants;

public static class GetTenant
{
    /// <summary>A tenant as the operator sees it; its API key is never shown again.</summary>
    public sealed record Response(Guid Id, string Name, string Industry, string Currency, DateTime CreatedAt);

    public static void Map(RouteGroupBuilder tenants) =>
        tenants.MapGet("/{id:guid}", Handle)
            .WithName(nameof(GetTenant))
            .WithSummary("Read a tenant (operator key)")
            .WithDescription("The tenant's name, industry and base currency. The API key is not returned: only its hash is stored.")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Results<Ok<Response>, ProblemHttpResult>> Handle(Guid id, KpiDbContext db, CancellationToken ct)
    {
        var tenant = await db.Tenants.AsNoTracking()
            .Where(t => t.Id == id)
            .Select(t => new Response(t.Id, t.Name, t.Industry, t.Currency, t.CreatedAt))
            .SingleOrDefaultAsync(ct);
        return tenant is null ? Problems.NotFound("tenant") : TypedResults.Ok(tenant);
    }
}

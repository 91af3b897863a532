using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>GET /v1/{resource}/{id}: one record; another tenant's id is a 404, like a missing one.</summary>
public abstract class GetResource<TEntity, TRequest, TResponse>(
    ResourceDefinition<TEntity, TRequest, TResponse> def, KpiDbContext db)
    : EndpointWithoutRequest<Results<Ok<TResponse>, ProblemHttpResult>>
    where TEntity : TenantOwned, new()
    where TRequest : class, IResourceRequest<TEntity>
{
    public override void Configure()
    {
        Get($"{def.Route}/{{id:guid}}");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<Guid>(Signature))
            .WithTags(def.Plural).WithName($"Get{def.Singular}").WithSummary($"Read a {def.Noun}")
            .WithDescription("Another tenant's id answers 404, exactly like an id that does not exist. The `ETag` header identifies this revision " +
                             "of the record: send it back in `If-Match` to update or delete only what was read.")
            .Produces<TResponse>()
            .WithMetadata(new OpenApi.AnswersEntityTag())
            .ProducesProblem(StatusCodes.Status404NotFound));
    }

    private static void Signature(Guid id) { }

    public override async Task<Results<Ok<TResponse>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var entity = await def.Set(db).AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
            return Problems.NotFound(def.Noun);
        EntityTags.Stamp(HttpContext.Response, entity);
        return TypedResults.Ok(def.ToResponse(entity));
    }
}

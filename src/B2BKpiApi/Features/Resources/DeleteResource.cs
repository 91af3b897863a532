using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>DELETE /v1/{resource}/{id}: 204; a record that others still name is a 409.</summary>
public abstract class DeleteResource<TEntity, TRequest, TResponse>(
    ResourceDefinition<TEntity, TRequest, TResponse> def, KpiDbContext db)
    : EndpointWithoutRequest<Results<NoContent, ProblemHttpResult>>
    where TEntity : TenantOwned, new()
    where TRequest : class, IResourceRequest<TEntity>
{
    public override void Configure()
    {
        Delete($"{def.Route}/{{id:guid}}");
        Group<TenantApi>();
        Description(b =>
        {
            b.TenantOperation(new Action<Guid>(Signature))
                .WithTags(def.Plural).WithName($"Delete{def.Singular}").WithSummary($"Delete a {def.Noun}")
                .WithDescription(def.DeleteConflict is null
                    ? "Answers 204. Another tenant's id answers 404."
                    : "Answers 204. Another tenant's id answers 404; a record that others still name answers 409.")
                .Produces(StatusCodes.Status204NoContent)
                .ProducesProblem(StatusCodes.Status404NotFound);
            if (def.DeleteConflict is not null)
                b.ProducesProblem(StatusCodes.Status409Conflict);
        });
    }

    private static void Signature(Guid id) { }

    public override async Task<Results<NoContent, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var entity = await def.Set(db).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
            return Problems.NotFound(def.Noun);
        if (def.DeleteConflict is not null && await def.DeleteConflict(db, id, ct) is { } conflict)
            return Problems.Conflict(conflict);
        def.Set(db).Remove(entity);
        return await ResourceChecks.TrySave(db, ct) switch
        {
            Saved.ChangedMeanwhile => Problems.NotFound(def.Noun),
            Saved.ReferenceBroken => Problems.Conflict("Another record started to name this one meanwhile; delete that record first."),
            _ => TypedResults.NoContent(),
        };
    }
}

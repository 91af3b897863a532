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
            b.TenantOperation(new Action<Guid, string?>(Signature))
                .WithTags(def.Plural).WithName($"Delete{def.Singular}").WithSummary($"Delete a {def.Noun}")
                .WithDescription(def.DeleteConflict is null
                    ? "Answers 204. Another tenant's id answers 404. " + IfMatchRule
                    : "Answers 204. Another tenant's id answers 404; a record that others still name answers 409. " + IfMatchRule)
                .Produces(StatusCodes.Status204NoContent)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status412PreconditionFailed);
            if (def.DeleteConflict is not null)
                b.ProducesProblem(StatusCodes.Status409Conflict);
        });
    }

    private const string IfMatchRule = "With `If-Match`, a record changed since that ETag was read answers 412 and stays.";

    private static void Signature(Guid id, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "If-Match")] string? ifMatch) { }

    public override async Task<Results<NoContent, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        // As in ReplaceResource: the tenant's write lock first, so If-Match and the conflict check judge the record this delete removes.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.TouchTenantDataAsync(ct);
        var entity = await def.Set(db).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
            return Problems.NotFound(def.Noun);
        if (EntityTags.Precondition(HttpContext.Request, entity) is { } failed)
            return failed;
        if (def.DeleteConflict is not null && await def.DeleteConflict(db, id, ct) is { } conflict)
            return Problems.Conflict(conflict);
        def.Set(db).Remove(entity);
        switch (await ResourceChecks.TrySave(db, ct))
        {
            case Saved.ChangedMeanwhile: return Problems.NotFound(def.Noun);
            case Saved.ReferenceBroken: return Problems.Conflict("Another record started to name this one meanwhile; delete that record first.");
        }
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}

using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>PUT /v1/{resource}/{id}: replaces every client-settable field of a record.</summary>
public abstract class ReplaceResource<TEntity, TRequest, TResponse>(
    ResourceDefinition<TEntity, TRequest, TResponse> def, KpiDbContext db)
    : JsonBodyEndpoint<TRequest, Results<Ok<TResponse>, ValidationProblem, ProblemHttpResult>>
    where TEntity : TenantOwned, new()
    where TRequest : class, IResourceRequest<TEntity>
{
    public override void Configure()
    {
        Put($"{def.Route}/{{id:guid}}");
        Group<TenantApi>();
        AcceptJsonBodyOnly();
        Description(b => b.TenantOperation(new Action<Guid, string?, TRequest>(Signature))
            .WithTags(def.Plural).WithName($"Replace{def.Singular}").WithSummary($"Replace a {def.Noun}")
            .WithDescription("Replaces every client-settable field; a field left out is cleared or refused as required. " +
                             "Another tenant's id answers 404. With `If-Match`, a record changed since that ETag was read answers 412 and nothing is written; " +
                             "without it the last writer wins. The `ETag` header identifies the stored revision.")
            .Accepts<TRequest>("application/json")
            .Produces<TResponse>()
            .WithMetadata(new OpenApi.AnswersEntityTag())
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status409Conflict));
    }

    private static void Signature(Guid id, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "If-Match")] string? ifMatch, TRequest request) { }

    public override async Task<Results<Ok<TResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(TRequest request, CancellationToken ct)
    {
        var id = Route<Guid>("id");
        // Read, check and write inside one transaction that first takes the tenant's write lock (see
        // KpiDbContext.TouchTenantDataAsync): concurrent writers of the tenant queue there, so the record read
        // here is the one this write replaces, If-Match is judged against it, and two PUTs never race to a 409.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.TouchTenantDataAsync(ct);
        var entity = await def.Set(db).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
            return Problems.NotFound(def.Noun);
        if (EntityTags.Precondition(HttpContext.Request, entity) is { } failed)
            return failed;
        if (await ResourceChecks.MissingClient(db, request, ct) is { } missing)
            return missing;
        if (request.ExternalId is { } externalId && await def.Set(db).AnyAsync(e => e.ExternalId == externalId && e.Id != id, ct))
            return ResourceChecks.ExternalIdTaken(externalId);

        request.ApplyTo(entity);
        switch (await ResourceChecks.TrySave(db, ct))
        {
            case Saved.DuplicateExternalId: return ResourceChecks.ExternalIdTaken(request.ExternalId);
            case Saved.ReferenceBroken: return Problems.Invalid("clientId", ResourceChecks.NoSuchClient);
            case Saved.ChangedMeanwhile: return ResourceChecks.ChangedMeanwhile();
        }
        await transaction.CommitAsync(ct);
        EntityTags.Stamp(HttpContext.Response, entity);
        return TypedResults.Ok(def.ToResponse(entity));
    }
}

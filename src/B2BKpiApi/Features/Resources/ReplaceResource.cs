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
        Description(b => b.TenantOperation(new Action<Guid, TRequest>(Signature))
            .WithTags(def.Plural).WithName($"Replace{def.Singular}").WithSummary($"Replace a {def.Noun}")
            .WithDescription("Replaces every client-settable field; a field left out is cleared or refused as required. " +
                             "Another tenant's id answers 404.")
            .Accepts<TRequest>("application/json")
            .Produces<TResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict));
    }

    private static void Signature(Guid id, TRequest request) { }

    public override async Task<Results<Ok<TResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(TRequest request, CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var entity = await def.Set(db).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
            return Problems.NotFound(def.Noun);
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
        return TypedResults.Ok(def.ToResponse(entity));
    }
}

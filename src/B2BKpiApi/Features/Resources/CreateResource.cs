using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>POST /v1/{resource}: stores a new record for the calling tenant (201 with its Location).</summary>
public abstract class CreateResource<TEntity, TRequest, TResponse>(
    ResourceDefinition<TEntity, TRequest, TResponse> def, KpiDbContext db)
    : JsonBodyEndpoint<TRequest, Results<Created<TResponse>, ValidationProblem, ProblemHttpResult>>
    where TEntity : TenantOwned, new()
    where TRequest : class, IResourceRequest<TEntity>
{
    public override void Configure()
    {
        Post(def.Route);
        Group<TenantApi>();
        AcceptJsonBodyOnly();
        Description(b => b.TenantOperation(new Action<TRequest>(Signature))
            .WithTags(def.Plural).WithName($"Create{def.Singular}").WithSummary($"Create a {def.Noun}")
            .WithDescription($"Stores a new {def.Noun} for the calling tenant and answers 201 with its Location. " +
                             "An externalId already used by another of the tenant's records is a 409. The `ETag` header identifies the stored revision.")
            .Accepts<TRequest>("application/json")
            .Produces<TResponse>(StatusCodes.Status201Created)
            .WithMetadata(new OpenApi.AnswersEntityTag())
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict));
    }

    private static void Signature(TRequest request) { }

    public override async Task<Results<Created<TResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(TRequest request, CancellationToken ct)
    {
        if (await ResourceChecks.MissingClient(db, request, ct) is { } missing)
            return missing;
        if (request.ExternalId is { } externalId && await def.Set(db).AnyAsync(e => e.ExternalId == externalId, ct))
            return ResourceChecks.ExternalIdTaken(externalId);

        var entity = new TEntity { Id = Guid.CreateVersion7() };
        request.ApplyTo(entity);
        def.Set(db).Add(entity);
        switch (await ResourceChecks.TrySave(db, ct))
        {
            case Saved.DuplicateExternalId: return ResourceChecks.ExternalIdTaken(request.ExternalId);
            case Saved.ReferenceBroken: return Problems.Invalid("clientId", ResourceChecks.NoSuchClient);
            case Saved.ChangedMeanwhile: return ResourceChecks.ChangedMeanwhile();
        }
        EntityTags.Stamp(HttpContext.Response, entity);
        return TypedResults.Created($"/v1/{def.Route}/{entity.Id}", def.ToResponse(entity));
    }
}

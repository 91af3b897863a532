using B2BKpiApi.Data;
using B2BKpiApi.Ingest;
using FastEndpoints;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Resources;

/// <summary>POST /v1/{resource}/batch: creates or updates up to 1,000 records by externalId, all or nothing.</summary>
public abstract class BatchUpsertResource<TEntity, TRequest, TResponse>(
    ResourceDefinition<TEntity, TRequest, TResponse> def, KpiDbContext db, IValidator<TRequest> validator)
    : JsonBodyEndpoint<BatchRequest<TRequest>, Results<Ok<BatchResponse<TResponse>>, ValidationProblem, ProblemHttpResult>>
    where TEntity : TenantOwned, new()
    where TRequest : class, IResourceRequest<TEntity>
{
    public override void Configure()
    {
        Post($"{def.Route}/batch");
        Group<TenantApi>();
        AcceptJsonBodyOnly();
        Description(b => b.TenantOperation(new Action<BatchRequest<TRequest>>(Signature))
            .WithTags(def.Plural).WithName($"BatchUpsert{def.Plural}")
            .WithSummary($"Create or update up to {BatchLimits.MaxItems} {def.Plural.ToLowerInvariant()} by externalId")
            .WithDescription("All or nothing, in one transaction: every item needs an externalId; an item whose externalId the tenant " +
                             "already has updates that record, any other creates one. A refusal names each failing item as `items[i].field`. " +
                             ResourceChecks.LostRaceRule)
            .Accepts<BatchRequest<TRequest>>("application/json")
            .Produces<BatchResponse<TResponse>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithMetadata(new OpenApi.AnswersRetryableConflict()));
    }

    private static void Signature(BatchRequest<TRequest> request) { }

    public override async Task<Results<Ok<BatchResponse<TResponse>>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(
        BatchRequest<TRequest> batch, CancellationToken ct)
    {
        if (batch.Items is not { Count: > 0 and <= BatchLimits.MaxItems } items)
            return Problems.Invalid("items", $"'items' must hold 1 to {BatchLimits.MaxItems} records.");

        var errors = new Dictionary<string, string[]>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null)
            {
                errors[$"items[{i}]"] = ["The item is null."];
                continue;
            }
            var result = await validator.ValidateAsync(item, ct);
            foreach (var (field, messages) in result.ToDictionary())
                errors[$"items[{i}].{field}"] = messages;
            if (string.IsNullOrWhiteSpace(item.ExternalId))
                errors[$"items[{i}].externalId"] = ["'externalId' is required in a batch: it is the key of the upsert."];
            else if (!seen.TryAdd(item.ExternalId, i))
                errors[$"items[{i}].externalId"] = [$"'externalId' repeats items[{seen[item.ExternalId]}]."];
        }
        var positions = Enumerable.Range(0, items.Count).Where(i => items[i] is not null).ToList();
        var valid = positions.Select(i => items[i]!).ToList();
        foreach (var index in await ResourceChecks.MissingClients(db, valid, ct))
            errors[$"items[{positions[index]}].clientId"] = [ResourceChecks.NoSuchClient];
        if (errors.Count > 0)
            return Problems.Invalid(errors);

        // One transaction: the whole batch lands or none of it does.
        var saved = ResourceUpsert.ToEntities<TEntity, TRequest>(valid);
        if (await Resolve<BulkWriter>().UpsertAsync(saved, ct) is not { } created)
            return ResourceChecks.LostRace(HttpContext.Response, "batch");
        Observability.KpiMetrics.RecordImportedRows(def.Plural.ToLowerInvariant(), "batch", saved.Count);
        return TypedResults.Ok(new BatchResponse<TResponse>(created, saved.Count - created, saved.Select(def.ToResponse).ToList()));
    }
}

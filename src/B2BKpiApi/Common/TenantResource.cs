using System.Linq.Expressions;
using B2BKpiApi.Data;
using B2BKpiApi.Ingest;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Common;

/// <summary>The body of a create or replace: it writes every client-settable field of the entity.</summary>
public interface IResourceRequest<in TEntity>
{
    string? ExternalId { get; }

    /// <summary>The client this record names, which must be a client of the same tenant; null when none.</summary>
    Guid? ReferencedClientId => null;

    void ApplyTo(TEntity entity);
}

/// <summary>What differs between the five tenant resources; the operations are the same for all.</summary>
public sealed record ResourceDefinition<TEntity, TRequest, TResponse>(
    string Singular,
    string Plural,
    Func<KpiDbContext, DbSet<TEntity>> Set,
    Expression<Func<TEntity, DateOnly>> MainDate,
    Func<TEntity, TResponse> ToResponse,
    Func<TEntity, TRequest> ToRequest)
    where TEntity : TenantOwned, new()
    where TRequest : class, IResourceRequest<TEntity>
{
    /// <summary>Answers why a record cannot be deleted (records still refer to it), or null.</summary>
    public Func<KpiDbContext, Guid, CancellationToken, Task<string?>>? DeleteConflict { get; init; }
}

/// <summary>1 to 1,000 records, each with an externalId: the key of the upsert.</summary>
public sealed record BatchRequest<TRequest>(
    [property: System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.MinLength(1),
               System.ComponentModel.DataAnnotations.MaxLength(TenantResource.MaxBatchItems)]
    IReadOnlyList<TRequest?>? Items);

public sealed record BatchResponse<TResponse>(int Created, int Updated, IReadOnlyList<TResponse> Items);

/// <summary>
/// Create, read, list, replace, delete and batch upsert for one tenant resource. Tenant isolation is
/// not done here: the DbContext's query filters and save stamping do it for every operation.
/// </summary>
public static partial class TenantResource
{
    public const int MaxBatchItems = 1000;

    public static RouteGroupBuilder MapTenantResource<TEntity, TRequest, TResponse>(
        this RouteGroupBuilder v1, ResourceDefinition<TEntity, TRequest, TResponse> def)
        where TEntity : TenantOwned, new()
        where TRequest : class, IResourceRequest<TEntity>
    {
        var group = v1.MapGroup($"/{def.Plural.ToLowerInvariant()}").WithTags(def.Plural);
        var one = def.Singular;
        var many = def.Plural;

        group.MapPost("/", (TRequest request, KpiDbContext db, CancellationToken ct) => Create(def, request, db, ct))
            .WithName($"Create{one}").WithSummary($"Create a {one.ToLowerInvariant()}")
            .WithDescription($"Stores a new {one.ToLowerInvariant()} for the calling tenant and answers 201 with its Location. " +
                             "An externalId already used by another of the tenant's records is a 409.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .Validate<TRequest>();

        group.MapGet("/{id:guid}", (Guid id, KpiDbContext db, CancellationToken ct) => Get(def, id, db, ct))
            .WithName($"Get{one}").WithSummary($"Read a {one.ToLowerInvariant()}")
            .WithDescription("Another tenant's id answers 404, exactly like an id that does not exist.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/", ([AsParameters] ListQuery query, HttpRequest http, KpiDbContext db, CancellationToken ct) => List(def, query, http, db, ct))
            .WithName($"List{many}").WithSummary($"List {many.ToLowerInvariant()}, page by page")
            .WithDescription($"Cursor-paginated in a stable order. `from`/`to` filter on the main date, both inclusive. " +
                             $"`limit` is 1–{ListQuery.MaxLimit} (default {ListQuery.DefaultLimit}). With `Accept: text/csv` the answer " +
                             "is every matching record as CSV (no paging), with the columns of the import, so an export re-imports unchanged.")
            .Validate<ListQuery>();

        group.MapPut("/{id:guid}", (Guid id, TRequest request, KpiDbContext db, CancellationToken ct) => Replace(def, id, request, db, ct))
            .WithName($"Replace{one}").WithSummary($"Replace a {one.ToLowerInvariant()}")
            .WithDescription("Replaces every client-settable field; a field left out is cleared or refused as required. " +
                             "Another tenant's id answers 404.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .Validate<TRequest>();

        var delete = group.MapDelete("/{id:guid}", (Guid id, KpiDbContext db, CancellationToken ct) => Delete(def, id, db, ct))
            .WithName($"Delete{one}").WithSummary($"Delete a {one.ToLowerInvariant()}")
            .WithDescription(def.DeleteConflict is null
                ? "Answers 204. Another tenant's id answers 404."
                : "Answers 204. Another tenant's id answers 404; a record that others still name answers 409.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        if (def.DeleteConflict is not null)
            delete.ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/batch", (BatchRequest<TRequest> request, IValidator<TRequest> validator, KpiDbContext db, BulkWriter bulk, CancellationToken ct) =>
                BatchUpsert(def, request, validator, db, bulk, ct))
            .WithName($"BatchUpsert{many}").WithSummary($"Create or update up to {MaxBatchItems} {many.ToLowerInvariant()} by externalId")
            .WithDescription("All or nothing, in one transaction: every item needs an externalId; an item whose externalId the tenant " +
                             "already has updates that record, any other creates one. A refusal names each failing item as `items[i].field`.")
            .ProducesValidationProblem();

        MapCsvImport(group, def);
        return group;
    }

    private static async Task<Results<Created<TResponse>, ValidationProblem, ProblemHttpResult>> Create<TEntity, TRequest, TResponse>(
        ResourceDefinition<TEntity, TRequest, TResponse> def, TRequest request, KpiDbContext db, CancellationToken ct)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        if (await MissingClient(db, request, ct) is { } missing)
            return missing;
        if (request.ExternalId is { } externalId && await def.Set(db).AnyAsync(e => e.ExternalId == externalId, ct))
            return ExternalIdTaken(externalId);

        var entity = new TEntity { Id = Guid.CreateVersion7() };
        request.ApplyTo(entity);
        def.Set(db).Add(entity);
        switch (await TrySave(db, ct))
        {
            case Saved.DuplicateExternalId: return ExternalIdTaken(request.ExternalId);
            case Saved.ReferenceBroken: return Problems.Invalid("clientId", NoSuchClient);
            case Saved.ChangedMeanwhile: return ChangedMeanwhile();
        }
        return TypedResults.Created($"/v1/{def.Plural.ToLowerInvariant()}/{entity.Id}", def.ToResponse(entity));
    }

    private static async Task<Results<Ok<TResponse>, ProblemHttpResult>> Get<TEntity, TRequest, TResponse>(
        ResourceDefinition<TEntity, TRequest, TResponse> def, Guid id, KpiDbContext db, CancellationToken ct)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        var entity = await def.Set(db).AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        return entity is null ? Problems.NotFound(def.Singular.ToLowerInvariant()) : TypedResults.Ok(def.ToResponse(entity));
    }

    private static async Task<Results<Ok<Page<TResponse>>, CsvExport<TEntity, TRequest>>> List<TEntity, TRequest, TResponse>(
        ResourceDefinition<TEntity, TRequest, TResponse> def, ListQuery query, HttpRequest http, KpiDbContext db, CancellationToken ct)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        var rows = InRange(def.Set(db).AsNoTracking(), def.MainDate, query);
        if (WantsCsv(http))
            return new CsvExport<TEntity, TRequest>(rows.OrderBy(e => e.Id), def.ToRequest, def.Plural.ToLowerInvariant());
        if (query.After is { } after)
            rows = rows.Where(e => e.Id > after);

        var page = await rows.OrderBy(e => e.Id).Take(query.PageSize + 1).ToListAsync(ct);
        var hasMore = page.Count > query.PageSize;
        if (hasMore)
            page.RemoveAt(page.Count - 1);
        var next = hasMore ? Cursors.Encode(page[^1].Id) : null;
        return TypedResults.Ok(new Page<TResponse>(page.Select(def.ToResponse).ToList(), next));
    }

    private static async Task<Results<Ok<TResponse>, ValidationProblem, ProblemHttpResult>> Replace<TEntity, TRequest, TResponse>(
        ResourceDefinition<TEntity, TRequest, TResponse> def, Guid id, TRequest request, KpiDbContext db, CancellationToken ct)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        var entity = await def.Set(db).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
            return Problems.NotFound(def.Singular.ToLowerInvariant());
        if (await MissingClient(db, request, ct) is { } missing)
            return missing;
        if (request.ExternalId is { } externalId && await def.Set(db).AnyAsync(e => e.ExternalId == externalId && e.Id != id, ct))
            return ExternalIdTaken(externalId);

        request.ApplyTo(entity);
        switch (await TrySave(db, ct))
        {
            case Saved.DuplicateExternalId: return ExternalIdTaken(request.ExternalId);
            case Saved.ReferenceBroken: return Problems.Invalid("clientId", NoSuchClient);
            case Saved.ChangedMeanwhile: return ChangedMeanwhile();
        }
        return TypedResults.Ok(def.ToResponse(entity));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete<TEntity, TRequest, TResponse>(
        ResourceDefinition<TEntity, TRequest, TResponse> def, Guid id, KpiDbContext db, CancellationToken ct)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        var entity = await def.Set(db).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entity is null)
            return Problems.NotFound(def.Singular.ToLowerInvariant());
        if (def.DeleteConflict is not null && await def.DeleteConflict(db, id, ct) is { } conflict)
            return Problems.Conflict(conflict);
        def.Set(db).Remove(entity);
        return await TrySave(db, ct) switch
        {
            Saved.ChangedMeanwhile => Problems.NotFound(def.Singular.ToLowerInvariant()),
            Saved.ReferenceBroken => Problems.Conflict("Another record started to name this one meanwhile; delete that record first."),
            _ => TypedResults.NoContent(),
        };
    }

    private static async Task<Results<Ok<BatchResponse<TResponse>>, ValidationProblem>> BatchUpsert<TEntity, TRequest, TResponse>(
        ResourceDefinition<TEntity, TRequest, TResponse> def, BatchRequest<TRequest> batch, IValidator<TRequest> validator,
        KpiDbContext db, BulkWriter bulk, CancellationToken ct)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        if (batch.Items is not { Count: > 0 and <= MaxBatchItems } items)
            return Problems.Invalid("items", $"'items' must hold 1 to {MaxBatchItems} records.");

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
        foreach (var index in await MissingClients(db, valid, ct))
            errors[$"items[{positions[index]}].clientId"] = [NoSuchClient];
        if (errors.Count > 0)
            return Problems.Invalid(errors);

        // One transaction: the whole batch lands or none of it does.
        var saved = ToEntities<TEntity, TRequest>(valid);
        if (await bulk.UpsertAsync(saved, ct) is not { } created)
            return Problems.Invalid("items", "Another request changed these externalIds at the same time; retry the batch.");
        Observability.KpiMetrics.RecordImportedRows(def.Plural.ToLowerInvariant(), "batch", saved.Count);
        return TypedResults.Ok(new BatchResponse<TResponse>(created, saved.Count - created, saved.Select(def.ToResponse).ToList()));
    }

    /// <summary>The positions of the items that name a client the tenant does not have.</summary>
    private static async Task<List<int>> MissingClients<TEntity>(KpiDbContext db, IReadOnlyList<IResourceRequest<TEntity>> items, CancellationToken ct)
    {
        var clientIds = items.Select(r => r.ReferencedClientId).OfType<Guid>().Distinct().ToList();
        if (clientIds.Count == 0)
            return [];
        var known = (await db.Clients.Where(c => clientIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        return Enumerable.Range(0, items.Count).Where(i => items[i].ReferencedClientId is { } id && !known.Contains(id)).ToList();
    }

    /// <summary>
    /// The records the items write. The bulk writer sets the server-owned fields and upserts them by externalId
    /// (see <see cref="BulkWriter"/>).
    /// </summary>
    private static List<TEntity> ToEntities<TEntity, TRequest>(IEnumerable<TRequest> items)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        var entities = new List<TEntity>();
        foreach (var item in items)
        {
            var entity = new TEntity();
            item.ApplyTo(entity);
            entities.Add(entity);
        }
        return entities;
    }

    private const string NoSuchClient = "No client with this id belongs to the tenant.";

    private static async Task<ValidationProblem?> MissingClient<TEntity>(KpiDbContext db, IResourceRequest<TEntity> request, CancellationToken ct) =>
        request.ReferencedClientId is { } clientId && !await db.Clients.AnyAsync(c => c.Id == clientId, ct)
            ? Problems.Invalid("clientId", NoSuchClient)
            : null;

    private static ProblemHttpResult ExternalIdTaken(string? externalId) =>
        Problems.Conflict($"The externalId '{externalId}' is already used by another record of this kind; " +
                          "use PUT on that record, or the batch endpoint to upsert by externalId.");

    private enum Saved { Yes, DuplicateExternalId, ChangedMeanwhile, ReferenceBroken }

    /// <summary>Saves, and says which race was lost when another request got there first.</summary>
    private static async Task<Saved> TrySave(KpiDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return Saved.Yes;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Saved.ChangedMeanwhile;
        }
        catch (DbUpdateException e) when (Database.IsUniqueViolation(e) || Database.IsForeignKeyViolation(e))
        {
            db.ChangeTracker.Clear();
            return Database.IsUniqueViolation(e) ? Saved.DuplicateExternalId : Saved.ReferenceBroken;
        }
    }

    private static ProblemHttpResult ChangedMeanwhile() =>
        Problems.Conflict("Another request changed or deleted this record at the same time; read it again and retry.");

    private static Expression<Func<TEntity, bool>> Compare<TEntity>(Expression<Func<TEntity, DateOnly>> date, DateOnly value, ExpressionType op) =>
        Expression.Lambda<Func<TEntity, bool>>(
            Expression.MakeBinary(op, date.Body, Expression.Constant(value)), date.Parameters);
}

using System.Linq.Expressions;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>The body of a create or replace: it writes every client-settable field of the entity.</summary>
public interface IResourceRequest<in TEntity>
{
    string? ExternalId { get; }

    /// <summary>The client this record names, which must be a client of the same tenant; null when none.</summary>
    Guid? ReferencedClientId => null;

    void ApplyTo(TEntity entity);
}

/// <summary>What differs between the five tenant resources; the operations (the base classes in this folder) are the same for all.</summary>
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

    /// <summary>The route of the collection under /v1, e.g. clients.</summary>
    public string Route => Plural.ToLowerInvariant();

    /// <summary>The record's name in prose, e.g. client.</summary>
    public string Noun => Singular.ToLowerInvariant();
}

/// <summary>1 to 1,000 records, each with an externalId: the key of the upsert.</summary>
public sealed record BatchRequest<TRequest>(
    [property: System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.MinLength(1),
               System.ComponentModel.DataAnnotations.MaxLength(BatchLimits.MaxItems)]
    IReadOnlyList<TRequest?>? Items);

public static class BatchLimits
{
    public const int MaxItems = 1000;
}

public sealed record BatchResponse<TResponse>(int Created, int Updated, IReadOnlyList<TResponse> Items);

public sealed record ImportResponse(int Rows, int Created, int Updated);

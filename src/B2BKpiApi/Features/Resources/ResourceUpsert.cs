using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>
/// The persistence of batch upserts and CSV imports, kept in one place so that a bulk writer can
/// replace it at this single call site.
/// </summary>
public static class ResourceUpsert
{
    /// <summary>
    /// Creates or updates the items (by externalId when they have one) in one SaveChanges. Answers the
    /// saved entities in item order and how many were created, or null when another request won a race
    /// on an externalId.
    /// </summary>
    public static async Task<(List<TEntity>? Saved, int Created)> WriteAsync<TEntity, TRequest, TResponse>(
        ResourceDefinition<TEntity, TRequest, TResponse> def, KpiDbContext db, IReadOnlyList<TRequest> items, CancellationToken ct)
        where TEntity : TenantOwned, new() where TRequest : class, IResourceRequest<TEntity>
    {
        var externalIds = items.Select(i => i.ExternalId).OfType<string>().ToList();
        var existing = externalIds.Count == 0
            ? []
            : await def.Set(db).Where(e => externalIds.Contains(e.ExternalId!)).ToDictionaryAsync(e => e.ExternalId!, ct);
        var saved = new List<TEntity>(items.Count);
        var created = 0;
        foreach (var item in items)
        {
            if (item.ExternalId is null || !existing.TryGetValue(item.ExternalId, out var entity))
            {
                entity = new TEntity { Id = Guid.CreateVersion7() };
                def.Set(db).Add(entity);
                created++;
            }
            item.ApplyTo(entity);
            saved.Add(entity);
        }
        return await ResourceChecks.TrySave(db, ct) == Saved.Yes ? (saved, created) : (null, 0);
    }
}

using B2BKpiApi.Data;
using B2BKpiApi.Ingest;

namespace B2BKpiApi.Features.Resources;

/// <summary>What batch upserts and CSV imports hand to the <see cref="BulkWriter"/>.</summary>
public static class ResourceUpsert
{
    /// <summary>
    /// The records the items write. The bulk writer sets the server-owned fields and upserts them by externalId
    /// (see <see cref="BulkWriter"/>).
    /// </summary>
    public static List<TEntity> ToEntities<TEntity, TRequest>(IEnumerable<TRequest> items)
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
}

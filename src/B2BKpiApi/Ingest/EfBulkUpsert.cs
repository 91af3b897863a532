using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Ingest;

/// <summary>
/// Any other provider: the upsert through EF's change tracker and SaveChanges, one chunk at a time. It is
/// correct everywhere (SaveChanges stamps the server-set fields) but runs at EF's speed, not at bulk speed.
/// </summary>
internal sealed class EfBulkUpsert<TEntity>(KpiDbContext db, BulkTable<TEntity> table) : IBulkUpsert<TEntity> where TEntity : TenantOwned
{
    private readonly string[] _dataProperties = db.Model.FindEntityType(typeof(TEntity))!.GetProperties()
        .Where(p => table.DataColumns.Any(c => c.Sql == BulkTable<TEntity>.Quote(p.GetColumnName())))
        .Select(p => p.Name).ToArray();

    public async Task<int> UpsertAsync(IReadOnlyList<TEntity> rows, CancellationToken ct)
    {
        var keys = rows.Select(r => r.ExternalId).OfType<string>().ToList();
        var existing = keys.Count == 0
            ? []
            : await db.Set<TEntity>().Where(e => keys.Contains(e.ExternalId!)).ToDictionaryAsync(e => e.ExternalId!, ct);
        var updates = new List<(TEntity Row, TEntity Stored)>();
        foreach (var row in rows)
        {
            if (row.ExternalId is not null && existing.TryGetValue(row.ExternalId, out var stored))
            {
                var source = db.Entry(row);
                var target = db.Entry(stored);
                foreach (var name in _dataProperties)
                    target.Property(name).CurrentValue = source.Property(name).CurrentValue;
                updates.Add((row, stored));
            }
            else
            {
                db.Set<TEntity>().Add(row);
            }
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.ChangeTracker.Clear(); // the chunk is written: keep none of it in memory
        }
        foreach (var (row, stored) in updates)
        {
            row.Id = stored.Id;
            row.CreatedAt = stored.CreatedAt;
            row.UpdatedAt = stored.UpdatedAt;
            row.Version = stored.Version;
        }
        return rows.Count - updates.Count;
    }

    public Task RefreshStatisticsAsync(KpiDbContext context, CancellationToken ct) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

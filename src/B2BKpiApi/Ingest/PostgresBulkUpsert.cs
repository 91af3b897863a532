using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace B2BKpiApi.Ingest;

/// <summary>
/// PostgreSQL: each chunk goes by binary COPY into a temporary table shaped like the target (no indexes,
/// dropped at commit), then one <c>INSERT … SELECT … ON CONFLICT DO UPDATE … RETURNING</c> merges it,
/// then the staging table is emptied for the next chunk.
/// </summary>
internal sealed class PostgresBulkUpsert<TEntity> : IBulkUpsert<TEntity> where TEntity : TenantOwned
{
    private readonly BulkTable<TEntity> _table;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _staging;
    private readonly string _copy;
    private readonly string _merge;

    private PostgresBulkUpsert(BulkTable<TEntity> table, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _table = table;
        _connection = connection;
        _transaction = transaction;
        _staging = BulkTable<TEntity>.Quote($"bulk_{table.Name}");
        _copy = $"COPY {_staging} ({table.ColumnList}) FROM STDIN (FORMAT BINARY)";
        _merge = Merge(table, _staging);
    }

    public static async Task<PostgresBulkUpsert<TEntity>> CreateAsync(
        BulkTable<TEntity> table, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var upsert = new PostgresBulkUpsert<TEntity>(table, connection, transaction);
        // LIKE copies the columns, their types and NOT NULL, but no index: COPY into it costs only the write.
        await using var create = new NpgsqlCommand(
            $"CREATE TEMPORARY TABLE {upsert._staging} (LIKE {table.Sql}) ON COMMIT DROP", connection, transaction);
        await create.ExecuteNonQueryAsync(ct);
        return upsert;
    }

    public async Task<int> UpsertAsync(IReadOnlyList<TEntity> rows, CancellationToken ct)
    {
        var columns = _table.Columns;
        await using (var copy = await _connection.BeginBinaryImportAsync(_copy, ct))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync(ct);
                foreach (var column in columns)
                    await Write(copy, column.Read(row), ct);
            }
            await copy.CompleteAsync(ct);
        }

        // RETURNING names the stored row: our new Id means it was created, another Id means it updated that record.
        var created = 0;
        var byId = new Dictionary<Guid, TEntity>(rows.Count);
        var byExternalId = new Dictionary<string, TEntity>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            byId.Add(row.Id, row);
            if (row.ExternalId is not null)
                byExternalId.Add(row.ExternalId, row);
        }
        await using var batch = new NpgsqlBatch(_connection, _transaction)
        {
            BatchCommands = { new NpgsqlBatchCommand(_merge), new NpgsqlBatchCommand($"TRUNCATE {_staging}") },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (byId.ContainsKey(id))
            {
                created++;
                continue;
            }
            var row = byExternalId[reader.GetString(1)];
            row.Id = id;
            row.CreatedAt = reader.GetFieldValue<DateTime>(2);
            row.UpdatedAt = reader.GetFieldValue<DateTime>(3);
            row.Version = reader.GetInt32(4);
        }
        return created;
    }

    public async Task RefreshStatisticsAsync(KpiDbContext db, CancellationToken ct)
    {
        var analyze = $"ANALYZE {_table.Sql}";
        await db.Database.ExecuteSqlRawAsync(analyze, ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Writes one value in the binary format of the column type EF maps its provider type to.</summary>
    private static Task Write(NpgsqlBinaryImporter copy, object? value, CancellationToken ct) => value switch
    {
        null => copy.WriteNullAsync(ct),
        Guid v => copy.WriteAsync(v, NpgsqlDbType.Uuid, ct),
        string v => copy.WriteAsync(v, NpgsqlDbType.Varchar, ct),
        DateOnly v => copy.WriteAsync(v, NpgsqlDbType.Date, ct),
        DateTime v => copy.WriteAsync(v, NpgsqlDbType.TimestampTz, ct),
        long v => copy.WriteAsync(v, NpgsqlDbType.Bigint, ct),
        int v => copy.WriteAsync(v, NpgsqlDbType.Integer, ct),
        _ => throw new NotSupportedException($"No COPY format for {value.GetType().Name}."),
    };

    private static string Merge(BulkTable<TEntity> table, string staging)
    {
        var data = table.DataColumns.ToList();
        var changed = $"({string.Join(", ", data.Select(c => $"t.{c.Sql}"))}) IS DISTINCT FROM " +
                      $"({string.Join(", ", data.Select(c => $"EXCLUDED.{c.Sql}"))})";
        var id = BulkTable<TEntity>.Quote(nameof(TenantOwned.Id));
        var externalId = BulkTable<TEntity>.Quote(nameof(TenantOwned.ExternalId));
        var createdAt = BulkTable<TEntity>.Quote(nameof(TenantOwned.CreatedAt));
        var updatedAt = BulkTable<TEntity>.Quote(nameof(TenantOwned.UpdatedAt));
        var version = BulkTable<TEntity>.Quote(nameof(TenantOwned.Version));
        var set = data.Select(c => $"{c.Sql} = EXCLUDED.{c.Sql}")
            .Append($"{updatedAt} = CASE WHEN {changed} THEN EXCLUDED.{updatedAt} ELSE t.{updatedAt} END")
            .Append($"{version} = CASE WHEN {changed} THEN t.{version} + 1 ELSE t.{version} END");
        return $"""
            INSERT INTO {table.Sql} AS t ({table.ColumnList}) SELECT {table.ColumnList} FROM {staging}
            ON CONFLICT ({table.ConflictKey}) DO UPDATE SET {string.Join(", ", set)}
            RETURNING t.{id}, t.{externalId}, t.{createdAt}, t.{updatedAt}, t.{version}
            """;
    }
}

using B2BKpiApi.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Ingest;

/// <summary>
/// SQLite: one prepared <c>INSERT … ON CONFLICT DO UPDATE … RETURNING</c>, its parameters reused row
/// after row in the session's transaction. That is SQLite's bulk path: there is no COPY, and a prepared
/// statement per row in one transaction is what its fastest loaders do.
/// </summary>
internal sealed class SqliteBulkUpsert<TEntity> : IBulkUpsert<TEntity> where TEntity : TenantOwned
{
    private readonly BulkTable<TEntity> _table;
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    public SqliteBulkUpsert(BulkTable<TEntity> table, SqliteConnection connection, SqliteTransaction transaction)
    {
        _table = table;
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = Sql(table);
        // EF's own type mappings create the parameters, so values bind exactly as SaveChanges binds them
        // (Guid as upper-case TEXT, DateOnly as yyyy-MM-dd, DateTime in EF's text format).
        _parameters = table.Columns
            .Select((c, i) => (SqliteParameter)c.Mapping.CreateParameter(_command, $"@p{i}", null, c.IsNullable))
            .ToArray();
        _command.Parameters.AddRange(_parameters);
        _command.Prepare();
    }

    public Task<int> UpsertAsync(IReadOnlyList<TEntity> rows, CancellationToken ct)
    {
        var columns = _table.Columns;
        var created = 0;
        // Synchronous on purpose: Microsoft.Data.Sqlite's async methods run synchronously anyway, and a
        // Task per row would cost more than the statement.
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < _parameters.Length; i++)
                _parameters[i].Value = columns[i].Read(row) ?? DBNull.Value;
            using var reader = _command.ExecuteReader();
            if (!reader.Read())
                throw new InvalidOperationException($"The upsert into {_table.Name} returned no row.");
            var id = reader.GetGuid(0);
            if (id == row.Id)
            {
                created++;
                continue;
            }
            row.Id = id;
            row.CreatedAt = DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc);
            row.UpdatedAt = DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc);
            row.Version = reader.GetInt32(3);
        }
        return Task.FromResult(created);
    }

    public async Task RefreshStatisticsAsync(KpiDbContext db, CancellationToken ct)
    {
        // A bounded sample per index keeps ANALYZE to milliseconds on a large table; SQLite's planner needs
        // only rough row counts to stop picking the date index for the per-client lookups.
        var analyze = $"PRAGMA analysis_limit = 1000; ANALYZE {_table.Sql};";
        await db.Database.ExecuteSqlRawAsync(analyze, ct);
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();

    private static string Sql(BulkTable<TEntity> table)
    {
        var data = table.DataColumns.ToList();
        var changed = string.Join(" OR ", data.Select(c => $"t.{c.Sql} IS NOT excluded.{c.Sql}"));
        var updatedAt = BulkTable<TEntity>.Quote(nameof(TenantOwned.UpdatedAt));
        var version = BulkTable<TEntity>.Quote(nameof(TenantOwned.Version));
        var set = data.Select(c => $"{c.Sql} = excluded.{c.Sql}")
            .Append($"{updatedAt} = CASE WHEN {changed} THEN excluded.{updatedAt} ELSE t.{updatedAt} END")
            .Append($"{version} = CASE WHEN {changed} THEN t.{version} + 1 ELSE t.{version} END");
        var values = string.Join(", ", table.Columns.Select((_, i) => $"@p{i}"));
        return $"""
            INSERT INTO {table.Sql} AS t ({table.ColumnList}) VALUES ({values})
            ON CONFLICT ({table.ConflictKey}) DO UPDATE SET {string.Join(", ", set)}
            RETURNING {BulkTable<TEntity>.Quote(nameof(TenantOwned.Id))}, {BulkTable<TEntity>.Quote(nameof(TenantOwned.CreatedAt))}, {updatedAt}, {version}
            """;
    }
}

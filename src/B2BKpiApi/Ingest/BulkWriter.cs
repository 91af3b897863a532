using System.Data.Common;
using B2BKpiApi.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace B2BKpiApi.Ingest;

/// <summary>
/// Writes many records of one tenant at the database's bulk speed, with the semantics of EF's
/// SaveChanges: upsert by (tenant, externalId), a row without an externalId is created, server-set
/// fields (<c>Id</c>, <c>TenantId</c>, timestamps, <c>Version</c>) are set here and never taken
/// from the caller, and an update that changes nothing leaves <c>UpdatedAt</c> and <c>Version</c> as
/// they were. SQLite reuses one prepared upsert per row; PostgreSQL copies each chunk (binary COPY)
/// into a temporary table and upserts it with one set-based statement; any other provider goes through
/// SaveChanges chunk by chunk (correct, at EF's speed).
/// </summary>
public sealed class BulkWriter(KpiDbContext db, TenantContext tenant, TimeProvider clock)
{
    /// <summary>
    /// From this many rows in one session the table's planner statistics are refreshed after commit: the first
    /// KPI read after a bulk load otherwise plans with stale statistics (measured 93× slower on PostgreSQL).
    /// </summary>
    public const int RefreshStatisticsFromRows = 10_000;

    /// <summary>
    /// Upserts the rows in one transaction of their own (run through EF's execution strategy, so a retrying
    /// strategy replays the whole unit). Answers how many were created, or null when another request won a
    /// race meanwhile (a client deleted, an externalId taken); nothing is stored then.
    /// </summary>
    public async Task<int?> UpsertAsync<TEntity>(IReadOnlyList<TEntity> rows, CancellationToken ct) where TEntity : TenantOwned
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async token =>
        {
            await using var session = await BeginAsync<TEntity>(token);
            var created = await session.WriteAsync(rows, token);
            if (created is not null)
                await session.CommitAsync(token);
            return created;
        }, ct);
    }

    /// <summary>
    /// Begins a transaction for writing chunk after chunk (a streamed import). EF queries on the same context
    /// run inside it. It cannot be replayed by a retrying execution strategy (the request body is read
    /// once), so the caller must not configure one around it. Disposing it without
    /// <see cref="BulkSession{TEntity}.CommitAsync"/> rolls everything back.
    /// </summary>
    public async Task<BulkSession<TEntity>> BeginAsync<TEntity>(CancellationToken ct) where TEntity : TenantOwned
    {
        // The tenant comes from the request's scoped TenantContext only, exactly as SaveChanges stamps it.
        if (!tenant.IsResolved)
            throw new InvalidOperationException("A tenant-owned record cannot be saved outside a tenant's request.");
        var table = BulkTable<TEntity>.For(db.Model);
        var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            // The bulk path bypasses SaveChanges, so it raises the tenant's data version itself, first in the
            // transaction (see KpiDbContext.TouchTenantDataAsync): concurrent writers of one tenant queue here.
            await db.TouchTenantDataAsync(ct);
            var connection = db.Database.GetDbConnection();
            var dbTransaction = transaction.GetDbTransaction();
            IBulkUpsert<TEntity> upsert = connection switch
            {
                SqliteConnection sqlite => new SqliteBulkUpsert<TEntity>(table, sqlite, (SqliteTransaction)dbTransaction),
                NpgsqlConnection npgsql => await PostgresBulkUpsert<TEntity>.CreateAsync(table, npgsql, (NpgsqlTransaction)dbTransaction, ct),
                _ => new EfBulkUpsert<TEntity>(db, table),
            };
            return new BulkSession<TEntity>(db, transaction, upsert, tenant.TenantId, clock);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }
}

/// <summary>One transaction of bulk writes into one table; see <see cref="BulkWriter.BeginAsync{TEntity}"/>.</summary>
public sealed class BulkSession<TEntity> : IAsyncDisposable where TEntity : TenantOwned
{
    private readonly KpiDbContext _db;
    private readonly IDbContextTransaction _transaction;
    private readonly IBulkUpsert<TEntity> _upsert;
    private readonly Guid _tenantId;
    private readonly TimeProvider _clock;
    private int _written;

    internal BulkSession(KpiDbContext db, IDbContextTransaction transaction, IBulkUpsert<TEntity> upsert, Guid tenantId, TimeProvider clock)
    {
        _db = db;
        _transaction = transaction;
        _upsert = upsert;
        _tenantId = tenantId;
        _clock = clock;
    }

    /// <summary>
    /// Upserts one chunk. Every row gets its server-set fields here (a new <c>Id</c>, the request's tenant, now);
    /// a row that updates an existing record gets that record's stored <c>Id</c>, <c>CreatedAt</c>,
    /// <c>UpdatedAt</c> and <c>Version</c> back, so the rows read as what is stored. Answers how many were
    /// created, or null when another request won a race (the transaction must then not be committed).
    /// </summary>
    public async Task<int?> WriteAsync(IReadOnlyList<TEntity> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
            return 0;
        // One "now" per chunk, as SaveChanges stamps one per call.
        var now = KpiDbContext.Now(_clock);
        foreach (var row in rows)
        {
            row.Id = Guid.CreateVersion7();
            row.TenantId = _tenantId;
            row.CreatedAt = now;
            row.UpdatedAt = now;
            row.Version = 1;
        }
        try
        {
            var created = await _upsert.UpsertAsync(rows, ct);
            _written += rows.Count;
            return created;
        }
        catch (DbException e) when (IsLostRace(e))
        {
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return null;
        }
        catch (DbUpdateException e) when (e.InnerException is DbException inner && IsLostRace(inner))
        {
            return null;
        }
    }

    /// <summary>Commits (the tenant's data version was raised when the session began), then refreshes the table's statistics after a large load.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        await _transaction.CommitAsync(ct);
        // After commit, not inside the transaction: ANALYZE holds a lock that would serialize concurrent imports into the table.
        if (_written >= BulkWriter.RefreshStatisticsFromRows)
            await _upsert.RefreshStatisticsAsync(_db, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _upsert.DisposeAsync();
        await _transaction.DisposeAsync();
    }

    /// <summary>A client deleted meanwhile (foreign key) or a key taken meanwhile (unique index): the request may be retried.</summary>
    private static bool IsLostRace(DbException exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 787 or 2067 or 1555 } => true,
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.UniqueViolation } => true,
        SqlException sql => SqlServerErrors.Numbers(sql).Any(SqlServerErrors.IsLostRace),
        _ => false,
    };
}

/// <summary>The provider-specific half of a bulk session: writes chunks inside the session's transaction.</summary>
internal interface IBulkUpsert<in TEntity> : IAsyncDisposable where TEntity : TenantOwned
{
    /// <summary>Writes the rows (their server-set fields already stamped), copies the stored ones back into updated rows, answers how many were created.</summary>
    Task<int> UpsertAsync(IReadOnlyList<TEntity> rows, CancellationToken ct);

    Task RefreshStatisticsAsync(KpiDbContext db, CancellationToken ct);
}

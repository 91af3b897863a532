using System.Data.Common;
using B2BKpiApi.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace B2BKpiApi.Data;

/// <summary><c>Replica:*</c>: when reads leave the hot-standby replica named by <c>ConnectionStrings:Replica</c>.</summary>
public sealed class ReplicaOptions
{
    /// <summary>A replica whose replay is further behind than this serves no read (every tenant reads from the primary).</summary>
    public TimeSpan MaxLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After the replica failed a connection or a query, reads stay on the primary this long before it is tried again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Where a read was served from, and why (the <c>kpi.reads</c> metric's tags).</summary>
public enum ReadRoute
{
    /// <summary>The replica had replayed the tenant's latest write and was within <see cref="ReplicaOptions.MaxLag"/>.</summary>
    Replica,
    /// <summary>No replica configured, or a read outside a tenant's request.</summary>
    PrimaryOnly,
    /// <summary>The replica had not yet replayed the tenant's latest write (or the tenant itself).</summary>
    PrimaryReplicaBehind,
    /// <summary>The replica's replay lagged beyond <see cref="ReplicaOptions.MaxLag"/>.</summary>
    PrimaryReplicaLagging,
    /// <summary>The replica could not be reached, failed the read, or failed one within <see cref="ReplicaOptions.RetryAfter"/>.</summary>
    PrimaryReplicaDown,
}

/// <summary>
/// The PostgreSQL hot-standby replica that KPI, series, scorecard and list reads may use
/// (<c>ConnectionStrings:Replica</c>; PostgreSQL only). One per process: the context options (the same
/// <see cref="KpiDbContext"/> model, so the tenant query filters are the same ones), whether the replica
/// is currently taken to be down, and how many reads went where.
/// </summary>
public sealed partial class ReplicaDatabase
{
    private readonly TimeProvider _clock;
    private readonly ILogger<ReplicaDatabase> _logger;
    private readonly IOptions<ReplicaOptions> _options;
    private readonly string? _connectionString;
    private long _downUntilTicks;
    private readonly long[] _routes = new long[Enum.GetValues<ReadRoute>().Length];

    public ReplicaDatabase(IConfiguration configuration, IOptions<ReplicaOptions> options, TimeProvider clock, ILogger<ReplicaDatabase> logger)
    {
        _clock = clock;
        _logger = logger;
        _options = options;
        var connectionString = configuration.GetConnectionString("Replica");
        if (string.IsNullOrWhiteSpace(connectionString))
            return;
        if (Database.ProviderOf(configuration) != Database.Postgres)
            throw new InvalidOperationException("ConnectionStrings:Replica is supported only with Database:Provider 'postgres'.");
        _connectionString = WithReplicaDefaults(connectionString);
        var builder = new DbContextOptionsBuilder<KpiDbContext>();
        Database.Configure(builder, Database.Postgres, _connectionString);
        builder.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
        Options = builder.Options;
    }

    /// <summary>The replica's context options, or null when no replica is configured.</summary>
    public DbContextOptions<KpiDbContext>? Options { get; }

    public TimeSpan MaxLag => _options.Value.MaxLag;

    /// <summary>Whether a recent failure keeps reads on the primary.</summary>
    public bool IsResting => _clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _downUntilTicks);

    /// <summary>How many reads took each route since start (for tests and the logs; the metric is <c>kpi.reads</c>).</summary>
    public long Count(ReadRoute route) => Interlocked.Read(ref _routes[(int)route]);

    internal void Record(ReadRoute route)
    {
        Interlocked.Increment(ref _routes[(int)route]);
        KpiMetrics.RecordRead(route);
    }

    /// <summary>Takes the replica out of service for <see cref="ReplicaOptions.RetryAfter"/>; its pooled connections are dropped.</summary>
    internal void MarkDown(Exception cause)
    {
        var wasResting = IsResting;
        Interlocked.Exchange(ref _downUntilTicks, (_clock.GetUtcNow() + _options.Value.RetryAfter).UtcTicks);
        if (_connectionString is not null)
            NpgsqlConnection.ClearPool(new NpgsqlConnection(_connectionString));
        if (!wasResting)
            LogReplicaDown(_logger, cause.GetType().Name, cause.Message, _options.Value.RetryAfter.TotalSeconds);
    }

    /// <summary>
    /// A short connect timeout unless the connection string sets one: a replica that does not answer must not
    /// hold a read up for Npgsql's default 15 s before it falls back to the primary.
    /// </summary>
    internal static string WithReplicaDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(Database.WithBoundedPool(connectionString));
        if (!System.Text.RegularExpressions.Regex.IsMatch(connectionString, @"(^|;)\s*timeout\s*=",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant))
            builder.Timeout = 2;
        return builder.ConnectionString;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read replica unavailable ({ExceptionType}: {ExceptionMessage}); reads go to the primary for {Seconds} s")]
    private static partial void LogReplicaDown(ILogger logger, string exceptionType, string exceptionMessage, double seconds);
}

/// <summary>
/// The database a request's reads use (scoped). <see cref="Context"/> is the primary's context until
/// <see cref="RunAsync{T}"/> picks the replica for one read: only when the replica has replayed the data
/// version the request knows for its tenant (<see cref="TenantContext.DataVersion"/>, read with the API key),
/// so a read that follows a write, on any instance, never sees data older than that write. A replica that
/// is unreachable, lagging beyond <see cref="ReplicaOptions.MaxLag"/>, or that fails the read, is not used:
/// the read runs on the primary instead (reads are side-effect free, so running one again is safe).
/// </summary>
public sealed class KpiReads(KpiDbContext primary, ReplicaDatabase replica, TenantContext tenant, TimeProvider clock) : IAsyncDisposable, IDisposable
{
    private KpiDbContext? _replicaContext;
    private KpiDbContext? _current;

    /// <summary>The context the current read runs on; services that read (<c>FactsQuery</c>) take it from here.</summary>
    public KpiDbContext Context
    {
        get => _current ?? primary;
        private set => _current = value;
    }

    /// <summary>Where the last read went.</summary>
    public ReadRoute Route { get; private set; } = ReadRoute.PrimaryOnly;

    /// <summary>
    /// Runs <paramref name="read"/> (which must read through <see cref="Context"/> and write nothing) on the
    /// replica when it is fresh enough for this tenant, else (or if the replica fails it) on the primary.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken ct)
    {
        Route = await ChooseAsync(ct);
        if (Route == ReadRoute.Replica)
        {
            try
            {
                var result = await read(ct);
                replica.Record(ReadRoute.Replica);
                return result;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && IsDatabaseFault(e))
            {
                // Stopped, restarted, or a query cancelled by recovery on the standby: the primary answers instead.
                if (DatabaseOutage.Cause(e) is not null)
                    replica.MarkDown(e);
                Context = primary;
                Route = ReadRoute.PrimaryReplicaDown;
            }
        }
        replica.Record(Route);
        return await read(ct);
    }

    private async Task<ReadRoute> ChooseAsync(CancellationToken ct)
    {
        Context = primary;
        if (replica.Options is null || !tenant.IsResolved)
            return ReadRoute.PrimaryOnly;
        if (replica.IsResting)
            return ReadRoute.PrimaryReplicaDown;
        _replicaContext ??= new KpiDbContext(replica.Options, tenant, clock);
        long? version;
        double lagSeconds;
        try
        {
            (version, lagSeconds) = await ReplayStateAsync(_replicaContext, tenant.TenantId, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && IsDatabaseFault(e))
        {
            replica.MarkDown(e);
            return ReadRoute.PrimaryReplicaDown;
        }
        if (version is null || version < tenant.DataVersion)
            return ReadRoute.PrimaryReplicaBehind;
        if (lagSeconds > replica.MaxLag.TotalSeconds)
            return ReadRoute.PrimaryReplicaLagging;
        Context = _replicaContext;
        return ReadRoute.Replica;
    }

    /// <summary>
    /// The tenant's data version on the replica, and how far its replay is behind what it has received
    /// (0 when it has replayed everything received; the age of the last replayed transaction otherwise).
    /// One statement on the connection the read then uses. The version is the strong check: it moves in the
    /// same transaction as every write of the tenant's data, and a standby replays transactions in commit
    /// order, so version ≥ the one the request knows means every write up to it is visible.
    /// </summary>
    private static async Task<(long? Version, double LagSeconds)> ReplayStateAsync(KpiDbContext db, Guid tenantId, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = """
            SELECT (SELECT "DataVersion" FROM "Tenants" WHERE "Id" = @tenant),
                   CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                        ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)::float8 END
            """;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "tenant";
        parameter.Value = tenantId;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.GetDouble(1));
    }

    private static bool IsDatabaseFault(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is DbException or TimeoutException or IOException)
                return true;
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_replicaContext is not null)
            await _replicaContext.DisposeAsync();
    }

    public void Dispose() => _replicaContext?.Dispose();
}

public static class ReplicaServices
{
    /// <summary>Registers <see cref="KpiReads"/> (every request) and the replica (used when <c>ConnectionStrings:Replica</c> is set).</summary>
    public static IServiceCollection AddKpiReadReplica(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ReplicaOptions>(configuration.GetSection("Replica"));
        services.AddSingleton<ReplicaDatabase>();
        services.AddScoped<KpiReads>();
        return services;
    }
}

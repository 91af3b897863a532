using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace B2BKpiApi.Data;

/// <summary>Everything that differs between the database providers lives here.</summary>
public static class Database
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    private const string DefaultSqlite = "Data Source=data/kpi.db";

    public static IServiceCollection AddKpiDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = (configuration["Database:Provider"] ?? Sqlite).Trim().ToLowerInvariant();
        var connectionString = configuration.GetConnectionString("Kpi");
        services.AddDbContext<KpiDbContext>(options =>
        {
            switch (provider)
            {
                case Sqlite:
                    var sqlite = new SqliteConnectionStringBuilder(connectionString ?? DefaultSqlite);
                    EnsureDirectory(sqlite.DataSource);
                    options.UseSqlite(sqlite.ConnectionString);
                    break;
                case Postgres:
                    if (string.IsNullOrWhiteSpace(connectionString))
                        throw new InvalidOperationException("Database:Provider is 'postgres' but ConnectionStrings:Kpi is not set.");
                    options.UseNpgsql(connectionString);
                    break;
                default:
                    throw new InvalidOperationException($"Database:Provider must be '{Sqlite}' or '{Postgres}', not '{provider}'.");
            }
            // The migrations are written by hand and have no model snapshot; MigrationSchemaTests
            // is what proves that the migrated schema is the model's.
            // EF's own error events log the exception with its stack trace; ProblemExceptionHandler logs
            // one line per failed request instead (type, message, traceId), so they are switched off.
            options.ConfigureWarnings(w => w
                .Ignore(RelationalEventId.PendingModelChangesWarning)
                .Ignore(CoreEventId.QueryIterationFailed, CoreEventId.SaveChangesFailed, RelationalEventId.CommandError,
                    RelationalEventId.ConnectionError, RelationalEventId.TransactionError));
        });
        return services;
    }

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        await db.Database.MigrateAsync(ct);
    }

    /// <summary>Whether saving failed on a unique index (a duplicate externalId, a race between two creates).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 } => true,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => true,
        _ => false,
    };

    /// <summary>Whether saving failed on a foreign key (a client deleted while a contract naming it was saved).</summary>
    public static bool IsForeignKeyViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 787 } => true,
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } => true,
        _ => false,
    };

    private static void EnsureDirectory(string dataSource)
    {
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
            return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
    }
}

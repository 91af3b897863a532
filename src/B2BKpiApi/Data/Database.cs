using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace B2BKpiApi.Data;

/// <summary>Everything that differs between the database providers lives here.</summary>
public static class Database
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string SqlServer = "sqlserver";

    /// <summary>Every value <c>Database:Provider</c> accepts.</summary>
    public static IReadOnlyList<string> Providers { get; } = [Sqlite, Postgres, SqlServer];

    private const string DefaultSqlite = "Data Source=data/kpi.db";

    public static IServiceCollection AddKpiDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = ProviderOf(configuration);
        var connectionString = configuration.GetConnectionString("Kpi");
        services.AddDbContext<KpiDbContext>((sp, options) =>
        {
            Configure(options, provider, connectionString);
            // Announces committed data changes to the API-key cache of every instance (Tenancy.TenantKeyCache).
            if (sp.GetService<Tenancy.TenantChangeInterceptor>() is { } changes)
                options.AddInterceptors(changes);
        });
        return services;
    }

    /// <summary>The configured provider, normalized; an unknown one fails at start-up rather than at the first query.</summary>
    public static string ProviderOf(IConfiguration configuration)
    {
        var provider = (configuration["Database:Provider"] ?? Sqlite).Trim().ToLowerInvariant();
        return Providers.Contains(provider)
            ? provider
            : throw new InvalidOperationException($"Database:Provider must be one of {string.Join(", ", Providers.Select(p => $"'{p}'"))}, not '{provider}'.");
    }

    public static void Configure(DbContextOptionsBuilder options, string provider, string? connectionString)
    {
        switch (provider)
        {
            case Sqlite:
                var sqlite = new SqliteConnectionStringBuilder(connectionString ?? DefaultSqlite);
                EnsureDirectory(sqlite.DataSource);
                options.UseSqlite(sqlite.ConnectionString);
                break;
            case Postgres:
                options.UseNpgsql(WithBoundedPool(Required(connectionString, provider)));
                break;
            case SqlServer:
                options.UseSqlServer(Required(connectionString, provider));
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider '{provider}'.");
        }
        // One generated migration set per provider (see ProviderMigrationsAssembly).
        options.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>();
        // EF's own error events log the exception with its stack trace; ProblemExceptionHandler logs
        // one line per failed request instead (type, message, traceId), so they are switched off.
        options.ConfigureWarnings(w => w
            .Ignore(CoreEventId.QueryIterationFailed, CoreEventId.SaveChangesFailed, RelationalEventId.CommandError,
                RelationalEventId.ConnectionError, RelationalEventId.TransactionError));
    }

    /// <summary>The default size of the PostgreSQL connection pool when the connection string does not set one.</summary>
    public const int DefaultPostgresPoolSize = 30;

    /// <summary>
    /// Npgsql's default pool (100 connections) equals PostgreSQL's default <c>max_connections</c>, so one busy instance
    /// could take every connection the server has and be refused (53300) by it, answering 503s. A smaller pool makes a
    /// burst queue for a connection instead (up to the connection string's <c>Timeout</c>), and leaves room for other
    /// instances and tools. A connection string that sets <c>Maximum Pool Size</c> keeps its own value.
    /// </summary>
    public static string WithBoundedPool(string connectionString)
    {
        if (System.Text.RegularExpressions.Regex.IsMatch(connectionString, @"max(imum)?\s*pool\s*size",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant))
            return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = DefaultPostgresPoolSize }.ConnectionString;
    }

    /// <summary>Where the migrations of an EF provider (its <c>IDatabaseProvider.Name</c>) live.</summary>
    public static string MigrationsNamespace(string efProviderName) => efProviderName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => "B2BKpiApi.Data.Migrations.Sqlite",
        "Npgsql.EntityFrameworkCore.PostgreSQL" => "B2BKpiApi.Data.Migrations.Postgres",
        "Microsoft.EntityFrameworkCore.SqlServer" => "B2BKpiApi.Data.Migrations.SqlServer",
        _ => throw new InvalidOperationException($"No migrations for the EF provider '{efProviderName}'."),
    };

    /// <summary>
    /// What <c>dotnet ef</c> uses when given no connection string: generating a migration, a script or a
    /// snapshot check connects to nothing; SQLite's is the <c>dotnet run</c> database, so <c>migrations list</c> shows its state.
    /// </summary>
    public static string DesignTimeConnectionString(string provider) => provider switch
    {
        Postgres => "Host=127.0.0.1;Database=kpi",
        SqlServer => "Server=127.0.0.1;Database=kpi;TrustServerCertificate=True",
        _ => DefaultSqlite,
    };

    private static string Required(string? connectionString, string provider) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new InvalidOperationException($"Database:Provider is '{provider}' but ConnectionStrings:Kpi is not set.")
            : connectionString;

    /// <summary>
    /// Brings the database to the latest migration, unless <c>Database:MigrateOnStartup</c> is false: where
    /// the schema is applied by someone else (a DBA running <c>dotnet ef migrations script</c> output, a deploy step).
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        if (!services.GetRequiredService<IConfiguration>().GetValue("Database:MigrateOnStartup", defaultValue: true))
            return;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        await db.Database.MigrateAsync(ct);
    }

    /// <summary>Whether saving failed on a unique index (a duplicate externalId, a race between two creates).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 } => true,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => true,
        // 2601: duplicate key in a unique index; 2627: in a unique or primary key constraint.
        SqlException { Number: 2601 or 2627 } => true,
        _ => false,
    };

    /// <summary>Whether saving failed on a foreign key (a client deleted while a contract naming it was saved).</summary>
    public static bool IsForeignKeyViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 787 } => true,
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } => true,
        // 547: a statement conflicted with a FOREIGN KEY (or CHECK) constraint; we declare no CHECK constraints.
        SqlException { Number: 547 } => true,
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

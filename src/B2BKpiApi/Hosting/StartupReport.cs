using B2BKpiApi.Data;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace B2BKpiApi.Hosting;

/// <summary>
/// What a newcomer needs from the first lines of the log: which database (provider and location, never a
/// password), where the API listens and where its documents are, and a warning when the operator routes
/// are disabled. A port already taken ends the process with one clear line instead of a stack trace.
/// </summary>
public static partial class StartupReport
{
    /// <summary>The category whose "Hosting failed to start" error would print the bind failure's stack trace.</summary>
    public const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static void LogConfiguration(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("B2BKpiApi.Startup");
        var provider = (app.Configuration["Database:Provider"] ?? Database.Sqlite).Trim().ToLowerInvariant();
        var location = DescribeLocation(provider, app.Configuration.GetConnectionString("Kpi"));
        LogDatabase(logger, provider, location);
        if (string.IsNullOrEmpty(app.Configuration["Auth:AdminApiKey"]))
            LogNoOperatorKey(logger);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                var document = $"{address.TrimEnd('/')}/openapi/v1.json";
                LogListening(logger, address, document);
            }
        });
    }

    /// <summary>The database's location with every secret left out: the SQLite file's full path, or host, port, database and user.</summary>
    public static string DescribeLocation(string provider, string? connectionString)
    {
        try
        {
            if (provider == Database.Postgres)
            {
                var pg = new NpgsqlConnectionStringBuilder(connectionString ?? "");
                return $"host {pg.Host ?? "?"}, port {pg.Port}, database {pg.Database ?? "(default)"}, user {pg.Username ?? "(default)"}";
            }
            if (provider == Database.Sqlite)
            {
                var source = new SqliteConnectionStringBuilder(connectionString ?? "Data Source=data/kpi.db").DataSource;
                return source is ":memory:" || source.StartsWith("file:", StringComparison.Ordinal) ? source : Path.GetFullPath(source);
            }
            // Any other provider: its connection string without the keys that can hold a secret.
            var other = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString ?? "" };
            foreach (var key in other.Keys.Cast<string>().Where(IsSecret).ToList())
                other.Remove(key);
            return other.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(the connection string cannot be read)";
        }
    }

    private static bool IsSecret(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase) || key.Contains("token", StringComparison.OrdinalIgnoreCase)
        || key.Contains("key", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs the host; a port in use is one line on stderr and exit code 2.</summary>
    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            await Console.Error.WriteLineAsync(
                $"B2BKpiApi cannot start: {e.Message.TrimEnd('.')} (is another instance running?). Stop it, or choose another address with --urls or ASPNETCORE_URLS.");
            return 2;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database: {Provider} at {Location}")]
    private static partial void LogDatabase(ILogger logger, string provider, string location);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No operator key is configured (Auth:AdminApiKey): POST /v1/tenants and the other operator routes answer 401 until one is set")]
    private static partial void LogNoOperatorKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening on {Address}; OpenAPI document at {Document}")]
    private static partial void LogListening(ILogger logger, string address, string document);
}

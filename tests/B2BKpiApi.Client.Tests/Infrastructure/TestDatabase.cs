using Npgsql;

namespace B2BKpiApi.Client.Tests.Infrastructure;

/// <summary>
/// An empty database for one server, chosen like tests/B2BKpiApi.Tests does: a SQLite temp file by
/// default, a fresh PostgreSQL database when KPI_TEST_POSTGRES holds a server connection string.
/// </summary>
public sealed class TestDatabase
{
    private readonly Action _drop;

    private TestDatabase(string provider, string connectionString, Action drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _drop = drop;
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    public static TestDatabase New() =>
        Environment.GetEnvironmentVariable("KPI_TEST_POSTGRES") is { Length: > 0 } server ? NewPostgres(server) : NewSqlite();

    public void Drop() => _drop();

    private static TestDatabase NewSqlite()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kpi-client-test-{Guid.NewGuid():N}.db");
        return new TestDatabase("sqlite", $"Data Source={path};Pooling=False", () =>
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                File.Delete(file);
        });
    }

    private static TestDatabase NewPostgres(string server)
    {
        var name = $"kpi_client_test_{Guid.NewGuid():N}";
        Execute(server, $"CREATE DATABASE \"{name}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
        return new TestDatabase("postgres", connectionString, () => Execute(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    }

    private static void Execute(string server, string sql)
    {
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}

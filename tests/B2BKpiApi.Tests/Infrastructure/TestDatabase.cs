using Npgsql;

namespace B2BKpiApi.Tests.Infrastructure;

/// <summary>
/// An empty database for one API host: SQLite (a temp file) by default; PostgreSQL when
/// KPI_TEST_POSTGRES holds a server connection string (CI always sets it), a fresh database each time.
/// Shared with tests/B2BKpiApi.Client.Tests, which links this file.
/// </summary>
public sealed class TestDatabase
{
    private TestDatabase(string provider, string connectionString, Action drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _drop = drop;
    }

    private readonly Action _drop;
    public string Provider { get; }
    public string ConnectionString { get; }
    public bool OwnedByFactory { get; init; } = true;

    /// <summary>A new empty database on the provider the test run uses.</summary>
    public static TestDatabase New() =>
        Environment.GetEnvironmentVariable("KPI_TEST_POSTGRES") is { Length: > 0 } server ? NewPostgres(server) : NewSqlite();

    public static TestDatabase NewSqlite()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kpi-test-{Guid.NewGuid():N}.db");
        return new TestDatabase("sqlite", $"Data Source={path};Pooling=False", () =>
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                File.Delete(file);
        });
    }

    public static TestDatabase NewPostgres(string server)
    {
        var name = $"kpi_test_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            command.ExecuteNonQuery();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
        return new TestDatabase("postgres", connectionString, () =>
        {
            using var connection = new NpgsqlConnection(server);
            connection.Open();
            using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            command.ExecuteNonQuery();
        });
    }

    public TestDatabase Shared() => new(Provider, ConnectionString, _drop) { OwnedByFactory = false };

    public void Drop() => _drop();
}

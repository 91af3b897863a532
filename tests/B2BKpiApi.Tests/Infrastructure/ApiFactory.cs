using System.Net.Http.Headers;
using System.Net.Http.Json;
using B2BKpiApi.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace B2BKpiApi.Tests.Infrastructure;

/// <summary>
/// One API host with its own empty database. SQLite (a temp file) by default; PostgreSQL when
/// KPI_TEST_POSTGRES holds a server connection string (CI always sets it), with a fresh database per factory.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";
    private static readonly string? PostgresServer = Environment.GetEnvironmentVariable("KPI_TEST_POSTGRES");

    public ApiFactory() : this(NewDatabase()) { }

    private ApiFactory(TestDatabase database) => Database = database;

    /// <summary>Starts a host over an existing database, to check that data survives a restart.</summary>
    public static ApiFactory Over(TestDatabase database) => new(database);

    public TestDatabase Database { get; }

    public static bool UsesPostgres => !string.IsNullOrEmpty(PostgresServer);

    public static TestDatabase NewDatabase() => UsesPostgres ? TestDatabase.NewPostgres(PostgresServer!) : TestDatabase.NewSqlite();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Database.Provider);
        builder.UseSetting("ConnectionStrings:Kpi", Database.ConnectionString);
        builder.UseSetting("Auth:AdminApiKey", AdminKey);
        builder.UseSetting("RateLimiting:PermitsPerMinute", "100000");
    }

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    /// <summary>Creates a tenant and returns a client that sends its key.</summary>
    public async Task<TenantClient> CreateTenantAsync(string currency = "USD", string industry = "manufacturing")
    {
        using var admin = CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/v1/tenants", new { name = $"Tenant {Guid.NewGuid():N}", industry, currency });
        response.EnsureSuccessStatusCode();
        var created = (await response.Content.ReadFromJsonAsync<CreatedTenant>())!;
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", created.ApiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return new TenantClient(created.Id, created.ApiKey, client);
    }

    public T WithDb<T>(Func<KpiDbContext, T> query)
    {
        using var scope = Services.CreateScope();
        return query(scope.ServiceProvider.GetRequiredService<KpiDbContext>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Database.OwnedByFactory)
            Database.Drop();
    }

    private sealed record CreatedTenant(Guid Id, string ApiKey);
}

public sealed record TenantClient(Guid TenantId, string ApiKey, HttpClient Http) : IDisposable
{
    public void Dispose() => Http.Dispose();
}

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

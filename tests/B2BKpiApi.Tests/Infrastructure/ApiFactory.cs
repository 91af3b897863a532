using System.Net.Http.Headers;
using System.Net.Http.Json;
using B2BKpiApi.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Infrastructure;

/// <summary>One API host with its own empty database (see <see cref="TestDatabase"/>).</summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";

    public ApiFactory() : this(NewDatabase()) { }

    protected ApiFactory(TestDatabase database) => Database = database;

    /// <summary>Starts a host over an existing database, to check that data survives a restart.</summary>
    public static ApiFactory Over(TestDatabase database) => new(database);

    public TestDatabase Database { get; }

    public static TestDatabase NewDatabase() => TestDatabase.New();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Database.Provider);
        builder.UseSetting("ConnectionStrings:Kpi", Database.ConnectionString);
        builder.UseSetting("Auth:AdminApiKey", AdminKey);
        builder.UseSetting("RateLimiting:PermitsPerMinute", "100000");
        // The alert worker polls the database every second; hosts that do not test alerts leave it off, so that
        // tests counting a request's SQL commands count only the request's (AlertsFactory turns it on).
        builder.UseSetting("Alerts:Enabled", "false");
        // Likewise the webhook delivery worker (WebhookApiFactory turns it on).
        builder.UseSetting("Webhooks:RunDeliveryWorker", "false");
        // Likewise the peer-benchmark job (the peer tests run it themselves).
        builder.UseSetting("PeerBenchmarks:Enabled", "false");
        // Likewise the churn model trainer (ChurnRiskTests turn it on, or train a tenant on demand).
        builder.UseSetting("ChurnRisk:Enabled", "false");
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

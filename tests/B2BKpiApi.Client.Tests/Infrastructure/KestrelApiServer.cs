using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Client.Tests.Infrastructure;

/// <summary>
/// The real API on Kestrel, listening on a free TCP port of 127.0.0.1 over its own empty database,
/// so that the generated client talks to it exactly as a partner's would: over the network, with
/// nothing but an <see cref="HttpClient"/>. One server per test class; every test makes its own tenant.
/// </summary>
public sealed class KestrelApiServer : WebApplicationFactory<Program>
{
    public const string OperatorKey = "client-test-operator-key-0123456789";

    private readonly TestDatabase _database = TestDatabase.New();
    private readonly Lazy<Uri> _baseAddress;

    public KestrelApiServer()
    {
        // Port 0: the factory binds http://127.0.0.1:0 and Kestrel picks a free port.
        UseKestrel(0);
        _baseAddress = new Lazy<Uri>(Start);
    }

    /// <summary>http://127.0.0.1:{port}/ (the trailing slash matters: the client's paths are relative).</summary>
    public Uri BaseAddress => _baseAddress.Value;

    /// <summary>A plain HttpClient for the server, sending <paramref name="apiKey"/> when given.</summary>
    public HttpClient Connect(string? apiKey)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null)
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return http;
    }

    /// <summary>The operator creates a tenant through the generated client; the answer holds the tenant's key.</summary>
    public async Task<CreateTenantResponse> CreateTenantAsync(string industry = "manufacturing", string currency = "USD")
    {
        using var http = Connect(OperatorKey);
        return await new KpiApiClient(http).CreateTenantAsync(
            new CreateTenantRequest { Name = $"Tenant {Guid.NewGuid():N}", Industry = industry, Currency = currency });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", _database.Provider);
        builder.UseSetting("ConnectionStrings:Kpi", _database.ConnectionString);
        builder.UseSetting("Auth:AdminApiKey", OperatorKey);
        builder.UseSetting("RateLimiting:PermitsPerMinute", "100000");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing); // stops the server first, so the database has no users left
        if (disposing)
            _database.Drop();
    }

    private Uri Start()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new Uri(address.TrimEnd('/') + "/");
    }
}

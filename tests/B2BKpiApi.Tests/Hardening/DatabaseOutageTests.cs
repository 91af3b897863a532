using System.Net;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// Runs only where KPI_TEST_PG_OUTAGE is set (.ci/run always sets it): it needs the PostgreSQL server
/// binaries and starts and stops a server of its own. Without the variable it is reported as skipped, never
/// passed.
/// </summary>
public sealed class PostgresOutageFactAttribute : FactAttribute
{
    public PostgresOutageFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KPI_TEST_PG_OUTAGE")))
            Skip = "Set KPI_TEST_PG_OUTAGE=1 to stop and restart a real PostgreSQL server (CI does).";
    }
}

public sealed class DatabaseOutageTests
{
    /// <summary>The API over the test's own server, with connection pooling on as in production.</summary>
    private sealed class OutageApi(TestDatabase database) : ApiFactory(database)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:Kpi",
                new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Pooling = true, Timeout = 5 }.ConnectionString);
        }
    }

    [PostgresOutageFact]
    public async Task With_postgres_stopped_requests_get_503_with_retry_after_and_recover_when_it_returns()
    {
        using var cluster = PostgresCluster.Create();
        using var api = new OutageApi(TestDatabase.NewPostgres(cluster.ServerConnectionString));
        using var tenant = await api.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/clients", new { name = "Globex", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        using var anonymous = api.CreateClient();

        cluster.Stop();

        foreach (var call in new Func<Task<HttpResponseMessage>>[]
                 {
                     () => tenant.Http.GetAsync("/v1/clients"),
                     () => tenant.Http.PostJson("/v1/clients", new { name = "Initech", acquiredOn = "2025-01-01" }),
                     () => tenant.Http.GetAsync("/v1/kpis/revenue?from=2025-01-01&to=2025-03-31"),
                 })
        {
            using var response = await call();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"Expected 503, got {(int)response.StatusCode}: {body}");
            Assert.Equal(TimeSpan.FromSeconds(DatabaseOutage.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = System.Text.Json.Nodes.JsonNode.Parse(body)!;
            Assert.Equal(503, problem["status"]!.GetValue<int>());
            Assert.Equal("Service Unavailable", problem["title"]!.GetValue<string>());
            Assert.NotNull(problem["type"]);
            Assert.NotNull(problem["traceId"]);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        }
        using (var ready = await anonymous.GetAsync("/health/ready"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var live = await anonymous.GetAsync("/health/live"))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        cluster.Start();

        // Recovery needs no restart of the API: a pooled connection broken by the restart may fail one
        // request (again a 503, never a 500); within the deadline the same host answers normally again.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpStatusCode status;
        do
        {
            using var response = await tenant.Http.GetAsync("/v1/clients");
            status = response.StatusCode;
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"Got {(int)status} while the database came back");
            if (status != HttpStatusCode.OK)
                await Task.Delay(500);
        } while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);

        var clients = await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        Assert.Equal(["Globex"], clients["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        await tenant.Http.PostJson("/v1/clients", new { name = "Initech", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        using (var ready = await anonymous.GetAsync("/health/ready"))
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}

using System.Net;
using System.Text;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Tests.Hardening;

public sealed class HeadersAndProblemsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private sealed class ConfiguredApi(string environment, params (string Key, string Value)[] settings) : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
        }
    }

    [Fact]
    public async Task Every_answer_says_nosniff_and_tenant_data_is_no_store_except_the_kpi_reads()
    {
        using var tenant = await factory.CreateTenantAsync();
        using var anonymous = factory.CreateClient();
        var client = await tenant.Http.PostJson("/v1/clients", new { name = "Globex", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);

        async Task Check(HttpClient http, string url, bool noStore)
        {
            using var response = await http.GetAsync(url);
            Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
            Assert.True(noStore == (response.Headers.CacheControl?.NoStore == true), $"{url}: Cache-Control is '{response.Headers.CacheControl}'");
        }

        await Check(tenant.Http, "/v1/clients", noStore: true);
        await Check(tenant.Http, $"/v1/clients/{client["id"]}", noStore: true);
        await Check(tenant.Http, $"/v1/clients/{Guid.NewGuid()}", noStore: true); // a 404 problem
        await Check(anonymous, "/v1/clients", noStore: true); // a 401 problem
        await Check(tenant.Http, "/v1/kpis", noStore: false);
        await Check(tenant.Http, "/v1/kpis/revenue?from=2025-01-01&to=2025-03-31", noStore: false);
        await Check(tenant.Http, "/v1/scorecard?from=2025-01-01&to=2025-03-31", noStore: false);
        await Check(anonymous, "/openapi/v1.json", noStore: false);
        using var post = await tenant.Http.PostJson("/v1/clients", new { name = "Initech", acquiredOn = "2025-01-01" });
        Assert.True(post.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public void Kestrel_sends_no_server_header() =>
        Assert.False(factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader);

    [Fact]
    public async Task Swagger_ui_is_off_in_production_unless_configured_on()
    {
        using (var production = new ConfiguredApi("Production"))
        using (var http = production.CreateClient())
        {
            using var ui = await http.GetAsync("/swagger/index.html");
            Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);
            using var document = await http.GetAsync("/openapi/v1.json");
            Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        }
        using (var configured = new ConfiguredApi("Production", ("OpenApi:SwaggerUi", "true")))
        using (var http = configured.CreateClient())
        using (var ui = await http.GetAsync("/swagger/index.html"))
            Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        using (var http = factory.CreateClient())
        using (var ui = await http.GetAsync("/swagger/index.html"))
            Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }

    [Fact]
    public async Task A_415_problem_is_titled_as_a_415_and_has_a_type()
    {
        using var tenant = await factory.CreateTenantAsync();
        using var body = new StringContent("""{"name":"Globex","acquiredOn":"2025-01-01"}""", Encoding.UTF8, "text/plain");
        var problem = await tenant.Http.PostAsync("/v1/clients", body).ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Unsupported Media Type", problem["title"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(problem["type"]?.GetValue<string>()));
    }

    [Fact]
    public async Task A_429_problem_has_a_type()
    {
        using var api = new ConfiguredApi("Testing", ("RateLimiting:PermitsPerMinute", "2"));
        using var tenant = await api.CreateTenantAsync();
        await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        var problem = await tenant.Http.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.TooManyRequests);
        Assert.Equal("Too Many Requests", problem["title"]!.GetValue<string>());
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", problem["type"]?.GetValue<string>());
    }

    [Fact]
    public async Task The_operator_key_on_a_tenant_route_is_told_it_cannot_call_tenant_routes()
    {
        using var admin = factory.CreateAdminClient();
        var problem = await admin.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("the operator key cannot call tenant routes", problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }
}

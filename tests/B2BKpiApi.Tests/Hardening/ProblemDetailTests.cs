using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>Issue 10, item 9: every problem's detail tells the caller what to do, and every error answer is a problem body.</summary>
public sealed class ProblemDetailTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] Collections = ["clients", "contracts", "leads", "surveys", "costs"];

    private static string Detail(JsonNode problem) => problem["detail"]?.GetValue<string>() ?? "";

    [Fact]
    public async Task A_record_id_that_is_not_a_uuid_is_a_404_saying_ids_are_uuids()
    {
        using var tenant = await factory.CreateTenantAsync();
        foreach (var collection in Collections)
        {
            foreach (var call in new Func<Task<HttpResponseMessage>>[]
                     {
                         () => tenant.Http.GetAsync($"/v1/{collection}/not-a-uuid"),
                         () => tenant.Http.PutJson($"/v1/{collection}/not-a-uuid", new { name = "x" }),
                         () => tenant.Http.DeleteAsync($"/v1/{collection}/not-a-uuid"),
                     })
            {
                var problem = await call().ExpectProblem(HttpStatusCode.NotFound);
                Assert.Contains("'not-a-uuid' is not an id", Detail(problem), StringComparison.Ordinal);
                Assert.Contains($"ids of {collection} are UUIDs", Detail(problem), StringComparison.Ordinal);
            }
        }

        using var admin = factory.CreateAdminClient();
        var tenantProblem = await admin.GetAsync("/v1/tenants/12345").ExpectProblem(HttpStatusCode.NotFound);
        Assert.Contains("'12345' is not an id: the ids of tenants are UUIDs", Detail(tenantProblem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_that_names_nothing_or_a_kpi_name_is_not_called_a_malformed_id()
    {
        using var tenant = await factory.CreateTenantAsync();

        var unknown = await tenant.Http.GetAsync("/v1/nothing/here").ExpectProblem(HttpStatusCode.NotFound);
        Assert.Contains("/openapi/v1.json", Detail(unknown), StringComparison.Ordinal);
        Assert.DoesNotContain("UUID", Detail(unknown), StringComparison.Ordinal);

        var kpi = await tenant.Http.GetAsync("/v1/kpis/nope?from=2025-01-01&to=2025-01-31").ExpectProblem(HttpStatusCode.NotFound);
        Assert.Contains("GET /v1/kpis lists every KPI id", Detail(kpi), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_method_the_path_does_not_have_is_a_405_saying_so()
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.DeleteAsync("/v1/clients").ExpectProblem(HttpStatusCode.MethodNotAllowed);
        Assert.Contains("no DELETE operation", Detail(problem), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("01/02/2025")]
    [InlineData("2025-1-2")]
    [InlineData("2025-01-02T00:00:00Z")]
    public async Task A_body_date_not_written_yyyy_mm_dd_names_the_field_and_the_format_like_the_query_string(string date)
    {
        using var tenant = await factory.CreateTenantAsync();

        var created = await tenant.Http.PostRaw("/v1/clients",
                $$"""{"externalId":"c1","name":"Globex","acquiredOn":"{{date}}","industry":"software"}""")
            .ExpectProblem(HttpStatusCode.BadRequest, "acquiredOn");
        Assert.Equal("'acquiredOn' has a value that cannot be read as a date written YYYY-MM-DD, such as 2025-01-31.", Detail(created));

        var batch = await tenant.Http.PostRaw("/v1/costs/batch",
                $$"""{"items":[{"externalId":"x1","category":"marketing","amount":1,"currency":"USD","incurredOn":"{{date}}"}]}""")
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Contains("incurredOn' has a value that cannot be read as a date written YYYY-MM-DD", Detail(batch), StringComparison.Ordinal);

        // The query string says the same of its own dates.
        var query = await tenant.Http.GetAsync($"/v1/clients?from={Uri.EscapeDataString(date)}").ExpectProblem(HttpStatusCode.BadRequest, "from");
        Assert.Contains("a date written YYYY-MM-DD", query["errors"]!["from"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var list = await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray()); // nothing stored from a refused request
    }

    [Fact]
    public async Task A_body_uuid_that_is_not_one_says_so()
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.PostRaw("/v1/surveys",
                """{"externalId":"s1","kind":"nps","score":9,"respondedOn":"2025-01-01","clientId":"../../etc/passwd"}""")
            .ExpectProblem(HttpStatusCode.BadRequest, "clientId");
        Assert.Equal("'clientId' has a value that cannot be read as a UUID.", Detail(problem));
    }

    [Fact]
    public async Task A_json_body_without_content_type_is_a_415_problem_saying_to_send_application_json()
    {
        using var tenant = await factory.CreateTenantAsync();
        var json = """{"externalId":"c1","name":"Globex","acquiredOn":"2025-01-01","industry":"software"}"""u8.ToArray();

        foreach (var (method, url) in new[] { (HttpMethod.Post, "/v1/clients"), (HttpMethod.Post, "/v1/clients/batch"), (HttpMethod.Put, $"/v1/clients/{Guid.NewGuid()}") })
        {
            using var request = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(json) };
            Assert.Null(request.Content.Headers.ContentType);
            var problem = await tenant.Http.SendAsync(request).ExpectProblem(HttpStatusCode.UnsupportedMediaType);
            Assert.Equal("Unsupported Media Type", problem["title"]!.GetValue<string>());
            Assert.Contains("Content-Type: application/json", Detail(problem), StringComparison.Ordinal);
            Assert.Contains("no Content-Type header", Detail(problem), StringComparison.Ordinal);
        }

        using var plain = new StringContent(Encoding.UTF8.GetString(json), Encoding.UTF8, "text/plain");
        var wrongType = await tenant.Http.PostAsync("/v1/clients", plain).ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("Content-Type: application/json", Detail(wrongType), StringComparison.Ordinal);

        var list = await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray()); // nothing stored from a refused request
    }

    [Fact]
    public async Task A_csv_import_without_or_with_another_content_type_is_a_415_problem_saying_to_send_text_csv()
    {
        using var tenant = await factory.CreateTenantAsync();
        var csv = "externalId,name,acquiredOn\nc1,Globex,2025-01-01\n"u8.ToArray();

        using var none = new HttpRequestMessage(HttpMethod.Post, "/v1/clients/import") { Content = new ByteArrayContent(csv) };
        var missing = await tenant.Http.SendAsync(none).ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("Content-Type: text/csv", Detail(missing), StringComparison.Ordinal);

        var json = await tenant.Http.PostRaw("/v1/clients/import", "{}").ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("text/csv", Detail(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/clients")]
    [InlineData("/v1/scorecard?from=2025-01-01&to=2025-01-31")]
    [InlineData("/v1/kpis/revenue?from=2025-01-01&to=2025-01-31")]
    public async Task The_operator_key_on_any_tenant_route_is_told_it_cannot_call_tenant_routes(string url)
    {
        using var admin = factory.CreateAdminClient();
        var problem = await admin.GetAsync(url).ExpectProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("the operator key cannot call tenant routes", Detail(problem), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_request_target_over_8_KiB_is_a_414_problem_and_one_at_the_limit_is_served()
    {
        using var tenant = await factory.CreateTenantAsync();
        const string prefix = "/v1/clients?limit=5&segment=";

        var problem = await tenant.Http.GetAsync(prefix + new string('s', 8 * 1024)).ExpectProblem((HttpStatusCode)414);
        Assert.Equal("URI Too Long", problem["title"]!.GetValue<string>());
        Assert.Contains("at most 8192 characters", Detail(problem), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem["type"]?.GetValue<string>()));

        // Exactly 8 KiB is still a request: it gets its ordinary answer, a 400 for the unknown query parameter or a 200.
        using var atLimit = await tenant.Http.GetAsync(prefix + new string('s', 8 * 1024 - prefix.Length));
        Assert.NotEqual((HttpStatusCode)414, atLimit.StatusCode);
    }

    [Fact]
    public void Kestrel_lets_request_lines_up_to_64_KiB_reach_the_pipeline_so_that_longer_targets_get_a_problem_body()
    {
        var options = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        Assert.Equal(64 * 1024, options.Limits.MaxRequestLineSize);
    }

    [Fact]
    public async Task A_series_interval_in_another_case_is_refused_like_an_enum_body_value()
    {
        using var tenant = await factory.CreateTenantAsync();
        foreach (var interval in new[] { "MONTH", "Month", "Quarter", "YEAR" })
        {
            var problem = await tenant.Http.GetAsync($"/v1/kpis/revenue/series?from=2025-01-01&to=2025-12-31&interval={interval}")
                .ExpectProblem(HttpStatusCode.BadRequest, "interval");
            Assert.Contains("month, quarter or year", problem["errors"]!["interval"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var series = await tenant.Http.GetAsync("/v1/kpis/revenue/series?from=2025-01-01&to=2025-12-31&interval=month").Expect(HttpStatusCode.OK);
        Assert.Equal("month", series["interval"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("text/csv")]
    [InlineData("text/html")]
    public async Task Errors_are_problems_even_when_accept_names_no_json(string accept)
    {
        using var tenant = await factory.CreateTenantAsync();
        using var anonymous = factory.CreateClient();
        foreach (var (http, url, status) in new[]
                 {
                     (anonymous, "/v1/clients", HttpStatusCode.Unauthorized),   // was a 500 with an empty body
                     (tenant.Http, "/v1/clients/not-a-uuid", HttpStatusCode.NotFound),   // was text/plain
                     (tenant.Http, "/v1/nothing", HttpStatusCode.NotFound),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd(accept);
            if (http == anonymous)
                request.Headers.Add("X-Api-Key", "kpi_wrong_key");
            var problem = await http.SendAsync(request).ExpectProblem(status);
            Assert.False(string.IsNullOrEmpty(problem["type"]?.GetValue<string>()), url);
            Assert.False(string.IsNullOrEmpty(problem["traceId"]?.GetValue<string>()), url);
        }
    }

    [Fact]
    public async Task A_rate_limited_csv_export_is_a_429_problem_not_a_500()
    {
        using var api = new LimitedApi();
        using var tenant = await api.CreateTenantAsync();
        using var csv = new HttpRequestMessage(HttpMethod.Get, "/v1/clients");
        csv.Headers.Accept.ParseAdd("text/csv");
        await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        var problem = await tenant.Http.SendAsync(csv).ExpectProblem(HttpStatusCode.TooManyRequests);
        Assert.Equal("Too Many Requests", problem["title"]!.GetValue<string>());
    }

    private sealed class LimitedApi : ApiFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("RateLimiting:PermitsPerMinute", "1");
        }
    }
}

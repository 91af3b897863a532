using System.Net;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace B2BKpiApi.Tests.Hardening;

public sealed class AuthFailureLimiterTests
{
    private const int Limit = 5;

    private sealed class LimitedApi : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("RateLimiting:FailedAuthPerMinute", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static async Task Expect429(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"Expected 429, got {(int)response.StatusCode}: {body}");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After must be a positive number of seconds");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        Assert.Equal("Too Many Requests", problem["title"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(problem["type"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Bad_keys_past_the_limit_get_429_while_a_valid_tenant_from_the_same_address_is_never_slowed()
    {
        using var api = new LimitedApi();
        using var tenant = await api.CreateTenantAsync();
        // Valid keys are not counted: many more than the limit pass.
        for (var i = 0; i < Limit * 4; i++)
            await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);

        using var stranger = api.CreateClient();
        stranger.DefaultRequestHeaders.Add("X-Api-Key", "kpi_0123456789abcdef_not-a-real-secret");
        for (var i = 0; i < Limit; i++)
            await stranger.GetAsync("/v1/clients").ExpectProblem(HttpStatusCode.Unauthorized);
        await Expect429(stranger.GetAsync("/v1/clients"));
        using var missing = api.CreateClient();
        await Expect429(missing.GetAsync("/v1/clients"));

        // The limited address still serves its valid tenant.
        await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        await tenant.Http.PostJson("/v1/clients", new { name = "Globex", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Wrong_operator_keys_past_the_limit_get_429_while_the_operator_key_still_works()
    {
        using var api = new LimitedApi();
        using var guesser = api.CreateClient();
        guesser.DefaultRequestHeaders.Add("X-Api-Key", "not-the-operator-key");
        for (var i = 0; i < Limit; i++)
            await guesser.PostJson("/v1/tenants", new { name = "X", industry = "saas", currency = "USD" }).ExpectProblem(HttpStatusCode.Unauthorized);
        await Expect429(guesser.PostJson("/v1/tenants", new { name = "X", industry = "saas", currency = "USD" }));

        using var admin = api.CreateAdminClient();
        await admin.PostJson("/v1/tenants", new { name = "Acme", industry = "saas", currency = "USD" }).Expect(HttpStatusCode.Created);
    }
}

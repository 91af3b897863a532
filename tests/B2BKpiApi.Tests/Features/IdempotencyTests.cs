using System.Net;
using System.Net.Http.Json;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class IdempotencyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static HttpRequestMessage Post(string url, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static readonly object Cost = new { category = "cogs", amount = 99.5m, currency = "USD", incurredOn = "2026-01-01" };

    private static async Task<int> CountCosts(TenantClient tenant)
    {
        var page = await tenant.Http.GetAsync("/v1/costs?limit=200").Expect(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count;
    }

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_returns_the_original_response_and_creates_nothing()
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();

        using var first = await tenant.Http.SendAsync(Post("/v1/costs", Cost, key));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync();

        using var retry = await tenant.Http.SendAsync(Post("/v1/costs", Cost, key));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(firstBody, await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await CountCosts(tenant));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused_with_422()
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        await tenant.Http.SendAsync(Post("/v1/costs", Cost, key)).Expect(HttpStatusCode.Created);
        var other = new { category = "cogs", amount = 100m, currency = "USD", incurredOn = "2026-01-01" };
        await tenant.Http.SendAsync(Post("/v1/costs", other, key)).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        await tenant.Http.SendAsync(Post("/v1/clients", new { name = "X", acquiredOn = "2026-01-01" }, key)).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, await CountCosts(tenant));
    }

    [Fact]
    public async Task Keys_are_per_tenant()
    {
        using var first = await factory.CreateTenantAsync();
        using var second = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        var a = await first.Http.SendAsync(Post("/v1/costs", Cost, key)).Expect(HttpStatusCode.Created);
        var b = await second.Http.SendAsync(Post("/v1/costs", Cost, key)).Expect(HttpStatusCode.Created);
        Assert.NotEqual(a["id"]!.GetValue<string>(), b["id"]!.GetValue<string>());
        Assert.Equal(1, await CountCosts(second));
    }

    [Fact]
    public async Task A_failed_request_keeps_nothing_so_a_corrected_retry_runs()
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        await tenant.Http.SendAsync(Post("/v1/costs", new { category = "cogs", amount = -1m, currency = "USD", incurredOn = "2026-01-01" }, key))
            .ExpectProblem(HttpStatusCode.BadRequest, "amount");
        await tenant.Http.SendAsync(Post("/v1/costs", Cost, key)).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await CountCosts(tenant));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_record()
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => tenant.Http.SendAsync(Post("/v1/costs", Cost, key))));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).Select(r => r.Headers.Location).Distinct().ToList();
        Assert.Single(created);
        Assert.Equal(1, await CountCosts(tenant));
        foreach (var response in responses)
            response.Dispose();
    }

    [Fact]
    public async Task A_batch_and_the_tenant_creation_are_idempotent_too()
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        var batch = new { items = new[] { new { externalId = "x1", category = "sales", amount = 5m, currency = "USD", incurredOn = "2026-01-02" } } };
        var first = await tenant.Http.SendAsync(Post("/v1/costs/batch", batch, key)).Expect(HttpStatusCode.OK);
        var again = await tenant.Http.SendAsync(Post("/v1/costs/batch", batch, key)).Expect(HttpStatusCode.OK);
        Assert.Equal(first.ToJsonString(), again.ToJsonString());
        Assert.Equal(1, first["created"]!.GetValue<int>());

        using var admin = factory.CreateAdminClient();
        var tenantKey = Guid.NewGuid().ToString();
        var body = new { name = "Once", industry = "saas", currency = "USD" };
        var t1 = await admin.SendAsync(Post("/v1/tenants", body, tenantKey)).Expect(HttpStatusCode.Created);
        var t2 = await admin.SendAsync(Post("/v1/tenants", body, tenantKey)).Expect(HttpStatusCode.Created);
        Assert.Equal(t1["id"]!.GetValue<string>(), t2["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("blank")]
    [InlineData("256")]
    public async Task A_key_that_is_empty_or_too_long_is_a_400_problem(string kind)
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = kind == "256" ? new string('k', 256) : "   ";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/costs") { Content = JsonContent.Create(Cost) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        await tenant.Http.SendAsync(request).ExpectProblem(HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Equal(0, await CountCosts(tenant));
    }
}

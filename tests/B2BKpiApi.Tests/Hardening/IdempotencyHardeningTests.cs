using System.Net;
using System.Security.Cryptography;
using System.Text;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace B2BKpiApi.Tests.Hardening;

public sealed class IdempotencyHardeningTests(IdempotencyHardeningTests.SmallReplayApi factory) : IClassFixture<IdempotencyHardeningTests.SmallReplayApi>
{
    /// <summary>Keeps answers of at most 300 bytes for replay: one cost fits, a batch of five does not.</summary>
    public sealed class SmallReplayApi : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Idempotency:MaxStoredResponseBytes", "300");
        }
    }

    private const string CostJson = """{"category":"cogs","amount":99.5,"currency":"USD","incurredOn":"2026-01-01"}""";

    private static HttpRequestMessage Post(string url, string json, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    private static async Task<int> CountCosts(TenantClient tenant)
    {
        var page = await tenant.Http.GetAsync("/v1/costs?limit=200").Expect(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count;
    }

    /// <summary>A claim left by a request that never finished (its process died), last renewed <paramref name="age"/> ago.</summary>
    private void LeaveClaim(TenantClient tenant, string key, string url, string json, TimeSpan age) => factory.WithDb(db =>
    {
        var now = DateTime.UtcNow - age;
        db.IdempotencyRecords.Add(new IdempotencyRecord
        {
            Id = Guid.CreateVersion7(), Scope = tenant.TenantId, Key = key,
            RequestHash = SHA256.HashData(Encoding.UTF8.GetBytes($"POST\n{url}\n{json}")),
            CreatedAt = now, ExpiresAt = now.AddHours(24),
        });
        return db.SaveChanges();
    });

    [Fact]
    public async Task A_claim_left_by_a_dead_request_is_taken_over_by_the_retry_within_seconds()
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        LeaveClaim(tenant, key, "/v1/costs", CostJson, TimeSpan.FromSeconds(40));

        await tenant.Http.SendAsync(Post("/v1/costs", CostJson, key)).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await CountCosts(tenant));
        using var replay = await tenant.Http.SendAsync(Post("/v1/costs", CostJson, key));
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await CountCosts(tenant));
    }

    [Fact]
    public async Task A_claim_renewed_moments_ago_still_answers_409_in_progress()
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        LeaveClaim(tenant, key, "/v1/costs", CostJson, TimeSpan.FromSeconds(1));
        await tenant.Http.SendAsync(Post("/v1/costs", CostJson, key)).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal(0, await CountCosts(tenant));
    }

    [Fact]
    public async Task An_answer_too_large_to_keep_is_not_replayed_but_the_key_still_prevents_a_second_execution()
    {
        using var tenant = await factory.CreateTenantAsync();
        var key = Guid.NewGuid().ToString();
        var items = string.Join(",", Enumerable.Range(1, 5).Select(i =>
            $$"""{"externalId":"gl-{{i}}","category":"sales","amount":{{i}},"currency":"USD","incurredOn":"2026-01-01"}"""));
        var batch = $$"""{"items":[{{items}}]}""";
        await tenant.Http.SendAsync(Post("/v1/costs/batch", batch, key)).Expect(HttpStatusCode.OK);

        var problem = await tenant.Http.SendAsync(Post("/v1/costs/batch", batch, key)).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Contains("too large to keep", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(5, await CountCosts(tenant));

        // A small answer under the same limit is still replayed.
        var small = Guid.NewGuid().ToString();
        await tenant.Http.SendAsync(Post("/v1/costs", CostJson, small)).Expect(HttpStatusCode.Created);
        using var replay = await tenant.Http.SendAsync(Post("/v1/costs", CostJson, small));
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(6, await CountCosts(tenant));
    }

    [Theory]
    [InlineData("key\u0001one")]
    [InlineData("key\u007fone")]
    [InlineData("clé-1")]
    [InlineData("ключ")]
    public async Task A_key_with_control_or_non_ascii_characters_is_a_400_naming_the_header(string key)
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.SendAsync(Post("/v1/costs", CostJson, key)).ExpectProblem(HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Equal(0, await CountCosts(tenant));
    }
}

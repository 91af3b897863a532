using System.Net;
using System.Net.Http.Json;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class PersistenceTests
{
    [Fact]
    public async Task Records_and_keys_survive_a_restart()
    {
        var database = ApiFactory.NewDatabase();
        string key;
        string clientId;
        await using (var first = ApiFactory.Over(database.Shared()))
        {
            using var tenant = await first.CreateTenantAsync();
            key = tenant.ApiKey;
            var created = await tenant.Http.PostJson("/v1/clients", new { name = "Durable", acquiredOn = "2026-01-01" }).Expect(HttpStatusCode.Created);
            clientId = created["id"]!.GetValue<string>();
        }

        await using var second = ApiFactory.Over(database);
        using var again = second.CreateClient();
        again.DefaultRequestHeaders.Add("X-Api-Key", key);
        var read = await again.GetAsync($"/v1/clients/{clientId}").Expect(HttpStatusCode.OK);
        Assert.Equal("Durable", read["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_concurrent_creates_with_one_externalId_store_one_record()
    {
        await using var factory = new ApiFactory();
        using var tenant = await factory.CreateTenantAsync();
        var calls = Enumerable.Range(0, 8)
            .Select(_ => tenant.Http.PostAsJsonAsync("/v1/costs",
                new { externalId = "race", category = "cogs", amount = 10m, currency = "USD", incurredOn = "2026-01-01" }))
            .ToArray();
        var responses = await Task.WhenAll(calls);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var page = await tenant.Http.GetAsync("/v1/costs").Expect(HttpStatusCode.OK);
        Assert.Single(page["items"]!.AsArray());
    }

    [Fact]
    public async Task Concurrent_replaces_and_deletes_of_one_record_never_fail_with_500()
    {
        await using var factory = new ApiFactory();
        using var tenant = await factory.CreateTenantAsync();
        var created = await tenant.Http.PostJson("/v1/costs",
            new { category = "cogs", amount = 10m, currency = "USD", incurredOn = "2026-01-01" }).Expect(HttpStatusCode.Created);
        var url = $"/v1/costs/{created["id"]}";

        var replaces = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            tenant.Http.PutAsJsonAsync(url, new { category = "cogs", amount = 10m + i, currency = "USD", incurredOn = "2026-01-01" })));
        Assert.All(replaces, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.Contains(replaces, r => r.StatusCode == HttpStatusCode.OK);

        var deletes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => tenant.Http.DeleteAsync(url)));
        Assert.All(deletes, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.NoContent, HttpStatusCode.NotFound }));
        Assert.Single(deletes, r => r.StatusCode == HttpStatusCode.NoContent);
        foreach (var response in replaces.Concat(deletes))
            response.Dispose();
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// Issue 10, item 3: many writers of the same externalIds at once. Every answer is a 200 (the writers were
/// serialized) or a retryable 409 with Retry-After, never a 400 or a 500, and what is stored afterwards is
/// exactly one of the requests, whole. Runs on SQLite and, with KPI_TEST_POSTGRES set, on PostgreSQL.
/// </summary>
public sealed class ConcurrentWritesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const int Keys = 20;

    private static string ExternalId(int key) => $"race-{key:D2}";

    private static string Name(int writer, int key) => $"writer {writer:D2} key {key:D2}";

    /// <summary>Asserts a 200, or a 409 that a client may retry as it is; answers whether it succeeded.</summary>
    private static async Task<bool> SucceededOrRetryable(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
                return true;
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"Expected 200 or 409, got {(int)response.StatusCode}: {body}");
            Assert.True(response.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero, "A lost race says when to retry.");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(409, JsonNode.Parse(body)!["status"]!.GetValue<int>());
            return false;
        }
    }

    /// <summary>One record per externalId, all carrying the values of one single writer.</summary>
    private static async Task AssertOneWriterWhole(TenantClient tenant, int writers)
    {
        var items = (await tenant.Http.GetAsync("/v1/clients?limit=200").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        var byKey = items.GroupBy(c => c!["externalId"]!.GetValue<string>()).ToList();
        Assert.Equal(Keys, items.Count);
        Assert.Equal(Enumerable.Range(0, Keys).Select(ExternalId).Order(StringComparer.Ordinal),
            byKey.Select(g => g.Key).Order(StringComparer.Ordinal));
        var winners = Enumerable.Range(0, writers)
            .Where(w => items.All(c => c!["name"]!.GetValue<string>() == Name(w, int.Parse(c["externalId"]!.GetValue<string>()[5..],
                System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        Assert.Single(winners); // every record from the same (last) writer: no interleaving of two batches
    }

    [Fact]
    public async Task Fifty_concurrent_batches_of_the_same_externalIds_all_succeed_or_answer_a_retryable_409()
    {
        const int writers = 50;
        using var tenant = await factory.CreateTenantAsync();
        var calls = Enumerable.Range(0, writers).Select(w => tenant.Http.PostJson("/v1/clients/batch", new
        {
            items = Enumerable.Range(0, Keys).Select(k => new { externalId = ExternalId(k), name = Name(w, k), acquiredOn = "2025-01-01" }),
        }));
        var answers = await Task.WhenAll(calls);
        var succeeded = 0;
        foreach (var answer in answers)
            succeeded += await SucceededOrRetryable(answer) ? 1 : 0;
        Assert.True(succeeded > 0, "At least one batch is stored.");
        await AssertOneWriterWhole(tenant, writers);
    }

    [Fact]
    public async Task Concurrent_csv_imports_of_the_same_externalIds_all_succeed_or_answer_a_retryable_409()
    {
        const int writers = 20;
        using var tenant = await factory.CreateTenantAsync();
        var calls = Enumerable.Range(0, writers).Select(w =>
        {
            var csv = new StringBuilder("externalId,name,acquiredOn\n");
            for (var k = 0; k < Keys; k++)
                csv.Append(ExternalId(k)).Append(',').Append(Name(w, k)).Append(",2025-01-01\n");
            return tenant.Http.PostAsync("/v1/clients/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        });
        var answers = await Task.WhenAll(calls);
        var succeeded = 0;
        foreach (var answer in answers)
            succeeded += await SucceededOrRetryable(answer) ? 1 : 0;
        Assert.True(succeeded > 0, "At least one import is stored.");
        await AssertOneWriterWhole(tenant, writers);
    }

    [Fact]
    public async Task Batches_and_imports_racing_each_other_leave_one_writer_whole()
    {
        const int writers = 20;
        using var tenant = await factory.CreateTenantAsync();
        var calls = Enumerable.Range(0, writers).Select(w =>
        {
            if (w % 2 == 0)
                return tenant.Http.PostJson("/v1/clients/batch", new
                {
                    items = Enumerable.Range(0, Keys).Select(k => new { externalId = ExternalId(k), name = Name(w, k), acquiredOn = "2025-01-01" }),
                });
            var csv = new StringBuilder("externalId,name,acquiredOn\n");
            for (var k = 0; k < Keys; k++)
                csv.Append(ExternalId(k)).Append(',').Append(Name(w, k)).Append(",2025-01-01\n");
            return tenant.Http.PostAsync("/v1/clients/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        });
        foreach (var answer in await Task.WhenAll(calls))
            await SucceededOrRetryable(answer);
        await AssertOneWriterWhole(tenant, writers);
    }
}

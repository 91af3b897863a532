using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// Issue 10, item 7: single-record reads and writes carry a strong ETag; PUT and DELETE honour If-Match
/// (412 when stale, <c>*</c> for any existing record); without If-Match the last writer wins as before.
/// </summary>
public sealed class OptimisticConcurrencyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static object Body(string name) => new { externalId = "etag-1", name, acquiredOn = "2025-01-01" };

    private static async Task<(string Id, string ETag)> Create(TenantClient tenant, string name = "first")
    {
        using var response = await tenant.Http.PostJson("/v1/clients", Body(name));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        return ((await response.ReadJson())["id"]!.GetValue<string>(), etag.ToString());
    }

    private static HttpRequestMessage Put(string id, string name, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/clients/{id}") { Content = JsonContent.Create(Body(name)) };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private static HttpRequestMessage Delete(string id, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/v1/clients/{id}");
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private static async Task<(string Name, string ETag)> Read(TenantClient tenant, string id)
    {
        using var response = await tenant.Http.GetAsync($"/v1/clients/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.ETag!.IsWeak);
        return ((await response.ReadJson())["name"]!.GetValue<string>(), response.Headers.ETag.ToString());
    }

    private static async Task ExpectPreconditionFailed(Task<HttpResponseMessage> call)
    {
        var problem = await call.ExpectProblem(HttpStatusCode.PreconditionFailed);
        Assert.Equal("Precondition Failed", problem["title"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(problem["type"]?.GetValue<string>()));
        Assert.Contains("ETag", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_and_each_write_answer_the_etag_of_the_stored_revision()
    {
        using var tenant = await factory.CreateTenantAsync();
        var (id, created) = await Create(tenant);
        var (_, read) = await Read(tenant, id);
        Assert.Equal(created, read);

        using var put = await tenant.Http.SendAsync(Put(id, "second", null));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replaced = put.Headers.ETag!.ToString();
        Assert.NotEqual(created, replaced);
        Assert.Equal(replaced, (await Read(tenant, id)).ETag);

        // A PUT that changes nothing keeps the revision, so the tag stays valid.
        using var same = await tenant.Http.SendAsync(Put(id, "second", replaced));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(replaced, same.Headers.ETag!.ToString());

        // Two records never share a tag, even at the same revision.
        using var other = await tenant.Http.PostJson("/v1/clients", new { externalId = "etag-2", name = "first", acquiredOn = "2025-01-01" });
        Assert.NotEqual(created, other.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task A_put_with_a_stale_if_match_is_a_412_and_changes_nothing()
    {
        using var tenant = await factory.CreateTenantAsync();
        var (id, original) = await Create(tenant);
        using (var first = await tenant.Http.SendAsync(Put(id, "second", original)))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var current = (await Read(tenant, id)).ETag;

        await ExpectPreconditionFailed(tenant.Http.SendAsync(Put(id, "third", original)));
        await ExpectPreconditionFailed(tenant.Http.SendAsync(Put(id, "third", "W/" + current))); // If-Match compares strongly
        await ExpectPreconditionFailed(tenant.Http.SendAsync(Put(id, "third", "not-an-etag")));
        Assert.Equal(("second", current), await Read(tenant, id));

        using (var listed = await tenant.Http.SendAsync(Put(id, "third", $"\"other\", {current}")))
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        using (var any = await tenant.Http.SendAsync(Put(id, "fourth", "*")))
            Assert.Equal(HttpStatusCode.OK, any.StatusCode);
        Assert.Equal("fourth", (await Read(tenant, id)).Name);

        // A record that does not exist is a 404 with or without If-Match.
        await tenant.Http.SendAsync(Put(Guid.NewGuid().ToString(), "x", "*")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_delete_with_a_stale_if_match_is_a_412_and_the_record_stays()
    {
        using var tenant = await factory.CreateTenantAsync();
        var (id, original) = await Create(tenant);
        using (var put = await tenant.Http.SendAsync(Put(id, "second", null)))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        await ExpectPreconditionFailed(tenant.Http.SendAsync(Delete(id, original)));
        var (_, current) = await Read(tenant, id);
        await tenant.Http.SendAsync(Delete(id, current)).Expect(HttpStatusCode.NoContent);
        await tenant.Http.GetAsync($"/v1/clients/{id}").ExpectProblem(HttpStatusCode.NotFound);

        var (again, _) = await Create(tenant, "again");
        await tenant.Http.SendAsync(Delete(again, "*")).Expect(HttpStatusCode.NoContent);
        await tenant.Http.SendAsync(Delete(again, "*")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Concurrent_puts_with_the_same_if_match_let_exactly_one_win()
    {
        const int writers = 20;
        using var tenant = await factory.CreateTenantAsync();
        var (id, etag) = await Create(tenant);
        var answers = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => tenant.Http.SendAsync(Put(id, $"writer {w}", etag))));
        var winners = new List<int>();
        for (var w = 0; w < writers; w++)
        {
            using var answer = answers[w];
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.PreconditionFailed,
                $"Expected 200 or 412, got {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
            if (answer.StatusCode == HttpStatusCode.OK)
                winners.Add(w);
        }
        var winner = Assert.Single(winners);
        Assert.Equal($"writer {winner}", (await Read(tenant, id)).Name);
    }

    [Fact]
    public async Task Concurrent_puts_without_if_match_all_succeed_and_the_last_writer_wins()
    {
        const int writers = 20;
        using var tenant = await factory.CreateTenantAsync();
        var (id, _) = await Create(tenant);
        var answers = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => tenant.Http.SendAsync(Put(id, $"writer {w}", null))));
        var tags = new List<string>();
        foreach (var answer in answers)
        {
            using (answer)
            {
                Assert.True(answer.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
                tags.Add(answer.Headers.ETag!.ToString());
            }
        }
        // Serialized: each PUT made its own revision, and what is stored is the one with the last of them.
        Assert.Equal(writers, tags.Distinct(StringComparer.Ordinal).Count());
        var (name, stored) = await Read(tenant, id);
        Assert.Contains(stored, tags);
        Assert.Equal($"writer {tags.IndexOf(stored)}", name);
    }
}

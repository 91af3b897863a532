using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

/// <summary>
/// The behaviour every tenant resource shares: create, read, list, replace, delete, batch upsert,
/// validation and tenant isolation. Each resource's test class runs all of these against its own route.
/// </summary>
public abstract class ResourceTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    protected ApiFactory Factory { get; } = factory;

    /// <summary>e.g. /v1/clients</summary>
    protected abstract string Route { get; }

    /// <summary>The record's main date field, which the list filters on.</summary>
    protected abstract string MainDateField { get; }

    /// <summary>A valid body whose main date is <paramref name="mainDate"/>; may create records it refers to.</summary>
    protected abstract Task<JsonObject> ValidBody(TenantClient tenant, string? externalId = null, string mainDate = "2026-02-10");

    /// <summary>A field of the body that a replace changes, and its new value.</summary>
    protected abstract (string Field, JsonNode Value) Change { get; }

    /// <summary>A body that breaks rules of this resource, and the fields each problem must name.</summary>
    protected abstract (JsonObject Body, string[] Fields) InvalidBody { get; }

    [Fact]
    public async Task Create_returns_201_with_a_location_that_reads_the_record_back()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var body = await ValidBody(tenant, "ext-1");
        using var response = await tenant.Http.PostJson(Route, body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJson();
        Assert.Equal($"{Route}/{created["id"]}", response.Headers.Location!.OriginalString);
        foreach (var (field, value) in body)
            Assert.True(JsonNode.DeepEquals(value, created[field]), $"{field}: sent {value}, got {created[field]}");

        var read = await tenant.Http.GetAsync(response.Headers.Location).Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(created, read));
    }

    [Fact]
    public async Task Timestamps_are_utc_and_end_in_Z()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var created = await tenant.Http.PostJson(Route, await ValidBody(tenant)).Expect(HttpStatusCode.Created);
        Assert.EndsWith("Z", created["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);
        var read = await tenant.Http.GetAsync($"{Route}/{created["id"]}").Expect(HttpStatusCode.OK);
        Assert.EndsWith("Z", read["updatedAt"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_body_is_a_400_problem_naming_every_failing_field_and_stores_nothing()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var (body, fields) = InvalidBody;
        var problem = await tenant.Http.PostJson(Route, body).ExpectProblem(HttpStatusCode.BadRequest);
        foreach (var field in fields)
            Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"no error for '{field}': {problem}");
        await AssertCount(tenant, 0);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("tenantId")]
    [InlineData("createdAt")]
    [InlineData("noSuchField")]
    public async Task A_server_owned_or_unknown_field_in_the_body_is_refused(string field)
    {
        using var tenant = await Factory.CreateTenantAsync();
        var body = await ValidBody(tenant);
        body[field] = field == "tenantId" ? Guid.NewGuid().ToString() : "2026-01-01T00:00:00Z";
        await tenant.Http.PostJson(Route, body).ExpectProblem(HttpStatusCode.BadRequest, field);
        await AssertCount(tenant, 0);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        using var tenant = await Factory.CreateTenantAsync();
        await tenant.Http.PostRaw(Route, "{ \"name\": ").ExpectProblem(HttpStatusCode.BadRequest);
        await tenant.Http.PostRaw(Route, "[1, 2]").ExpectProblem(HttpStatusCode.BadRequest);
        await AssertCount(tenant, 0);
    }

    [Fact]
    public async Task A_reused_externalId_is_a_409_conflict()
    {
        using var tenant = await Factory.CreateTenantAsync();
        await tenant.Http.PostJson(Route, await ValidBody(tenant, "dup")).Expect(HttpStatusCode.Created);
        await tenant.Http.PostJson(Route, await ValidBody(tenant, "dup")).ExpectProblem(HttpStatusCode.Conflict);
        await AssertCount(tenant, 1);
    }

    [Fact]
    public async Task The_same_externalId_may_be_used_by_two_tenants()
    {
        using var first = await Factory.CreateTenantAsync();
        using var second = await Factory.CreateTenantAsync();
        await first.Http.PostJson(Route, await ValidBody(first, "shared")).Expect(HttpStatusCode.Created);
        await second.Http.PostJson(Route, await ValidBody(second, "shared")).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_batch_never_updates_another_tenants_record_with_the_same_externalId()
    {
        using var owner = await Factory.CreateTenantAsync();
        using var other = await Factory.CreateTenantAsync();
        var original = await owner.Http.PostJson(Route, await ValidBody(owner, "sync-shared")).Expect(HttpStatusCode.Created);
        var (field, value) = Change;
        var item = await ValidBody(other, "sync-shared");
        item[field] = value.DeepClone();

        var result = await other.Http.PostJson($"{Route}/batch", new JsonObject { ["items"] = new JsonArray(item) }).Expect(HttpStatusCode.OK);
        Assert.Equal(1, result["created"]!.GetValue<int>());
        Assert.NotEqual(original["id"]!.GetValue<string>(), result["items"]![0]!["id"]!.GetValue<string>());
        var read = await owner.Http.GetAsync($"{Route}/{original["id"]}").Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(original, read));
    }

    [Fact]
    public async Task Returns_404_for_another_tenants_record()
    {
        using var owner = await Factory.CreateTenantAsync();
        using var other = await Factory.CreateTenantAsync();
        var created = await owner.Http.PostJson(Route, await ValidBody(owner)).Expect(HttpStatusCode.Created);
        await other.Http.GetAsync($"{Route}/{created["id"]}").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Returns_404_for_an_id_that_does_not_exist()
    {
        using var tenant = await Factory.CreateTenantAsync();
        await tenant.Http.GetAsync($"{Route}/{Guid.NewGuid()}").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_pages_through_every_record_exactly_once()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add((await tenant.Http.PostJson(Route, await ValidBody(tenant, $"p{i}")).Expect(HttpStatusCode.Created))["id"]!.GetValue<string>());

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await tenant.Http.GetAsync($"{Route}?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}").Expect(HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task List_never_shows_another_tenants_records()
    {
        using var owner = await Factory.CreateTenantAsync();
        using var other = await Factory.CreateTenantAsync();
        await owner.Http.PostJson(Route, await ValidBody(owner)).Expect(HttpStatusCode.Created);
        var page = await other.Http.GetAsync(Route).Expect(HttpStatusCode.OK);
        Assert.Empty(page["items"]!.AsArray());
    }

    [Fact]
    public async Task List_filters_on_the_main_date_with_both_ends_inclusive()
    {
        using var tenant = await Factory.CreateTenantAsync();
        foreach (var day in new[] { "2026-01-31", "2026-02-01", "2026-02-28", "2026-03-01" })
            await tenant.Http.PostJson(Route, await ValidBody(tenant, mainDate: day)).Expect(HttpStatusCode.Created);

        var page = await tenant.Http.GetAsync($"{Route}?from=2026-02-01&to=2026-02-28").Expect(HttpStatusCode.OK);
        var days = page["items"]!.AsArray().Select(i => i![MainDateField]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["2026-02-01", "2026-02-28"], days);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("from=2026-03-01&to=2026-02-01", "to")]
    public async Task Bad_list_queries_are_400_problems(string query, string field)
    {
        using var tenant = await Factory.CreateTenantAsync();
        await tenant.Http.GetAsync($"{Route}?{query}").ExpectProblem(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Replace_changes_the_record()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var body = await ValidBody(tenant);
        var created = await tenant.Http.PostJson(Route, body).Expect(HttpStatusCode.Created);
        var (field, value) = Change;
        body[field] = value.DeepClone();

        var replaced = await tenant.Http.PutJson($"{Route}/{created["id"]}", body).Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(value, replaced[field]));
        var read = await tenant.Http.GetAsync($"{Route}/{created["id"]}").Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(value, read[field]));
        Assert.Equal(created["createdAt"]!.GetValue<string>(), read["createdAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replace_of_another_tenants_record_is_404_and_changes_nothing()
    {
        using var owner = await Factory.CreateTenantAsync();
        using var other = await Factory.CreateTenantAsync();
        var body = await ValidBody(owner);
        var created = await owner.Http.PostJson(Route, body).Expect(HttpStatusCode.Created);
        var (field, value) = Change;
        var attack = await ValidBody(other);
        attack[field] = value.DeepClone();

        await other.Http.PutJson($"{Route}/{created["id"]}", attack).ExpectProblem(HttpStatusCode.NotFound);
        var read = await owner.Http.GetAsync($"{Route}/{created["id"]}").Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(created, read));
    }

    [Fact]
    public async Task Replace_with_an_invalid_body_is_a_400_and_changes_nothing()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var created = await tenant.Http.PostJson(Route, await ValidBody(tenant)).Expect(HttpStatusCode.Created);
        await tenant.Http.PutJson($"{Route}/{created["id"]}", InvalidBody.Body).ExpectProblem(HttpStatusCode.BadRequest);
        var read = await tenant.Http.GetAsync($"{Route}/{created["id"]}").Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(created, read));
    }

    [Fact]
    public async Task Delete_removes_the_record()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var created = await tenant.Http.PostJson(Route, await ValidBody(tenant)).Expect(HttpStatusCode.Created);
        await tenant.Http.DeleteAsync($"{Route}/{created["id"]}").Expect(HttpStatusCode.NoContent);
        await tenant.Http.GetAsync($"{Route}/{created["id"]}").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_of_another_tenants_record_is_404_and_keeps_it()
    {
        using var owner = await Factory.CreateTenantAsync();
        using var other = await Factory.CreateTenantAsync();
        var created = await owner.Http.PostJson(Route, await ValidBody(owner)).Expect(HttpStatusCode.Created);
        await other.Http.DeleteAsync($"{Route}/{created["id"]}").ExpectProblem(HttpStatusCode.NotFound);
        await owner.Http.GetAsync($"{Route}/{created["id"]}").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_resent_batch_updates_instead_of_duplicating()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var items = new JsonArray();
        for (var i = 0; i < 3; i++)
            items.Add(await ValidBody(tenant, $"sync-{i}"));

        var first = await tenant.Http.PostJson($"{Route}/batch", new JsonObject { ["items"] = items.DeepClone() }).Expect(HttpStatusCode.OK);
        Assert.Equal(3, first["created"]!.GetValue<int>());
        Assert.Equal(0, first["updated"]!.GetValue<int>());

        var (field, value) = Change;
        items[1]![field] = value.DeepClone();
        var second = await tenant.Http.PostJson($"{Route}/batch", new JsonObject { ["items"] = items }).Expect(HttpStatusCode.OK);
        Assert.Equal(0, second["created"]!.GetValue<int>());
        Assert.Equal(3, second["updated"]!.GetValue<int>());
        Assert.Equal(first["items"]![1]!["id"]!.GetValue<string>(), second["items"]![1]!["id"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(value, second["items"]![1]![field]));
        await AssertCount(tenant, 3);
    }

    [Fact]
    public async Task A_batch_with_a_bad_item_is_refused_whole_naming_the_item_and_field()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var bad = InvalidBody.Body.DeepClone().AsObject();
        bad["externalId"] = "bad-one";
        var batch = new JsonObject
        {
            ["items"] = new JsonArray(await ValidBody(tenant, "good-0"), bad, await ValidBody(tenant, "good-2"), await ValidBody(tenant)),
        };
        var problem = await tenant.Http.PostJson($"{Route}/batch", batch).ExpectProblem(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Contains($"items[1].{InvalidBody.Fields[0]}", errors.Select(e => e.Key));
        Assert.Contains("items[3].externalId", errors.Select(e => e.Key));
        Assert.DoesNotContain(errors, e => e.Key.StartsWith("items[0]", StringComparison.Ordinal));
        await AssertCount(tenant, 0);
    }

    [Fact]
    public async Task A_batch_repeating_an_externalId_or_too_large_is_refused()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var repeated = new JsonObject { ["items"] = new JsonArray(await ValidBody(tenant, "x"), await ValidBody(tenant, "x")) };
        await tenant.Http.PostJson($"{Route}/batch", repeated).ExpectProblem(HttpStatusCode.BadRequest, "items[1].externalId");

        var one = await ValidBody(tenant, "big");
        var tooMany = new JsonObject { ["items"] = new JsonArray(Enumerable.Range(0, 1001).Select(_ => (JsonNode?)one.DeepClone()).ToArray()) };
        await tenant.Http.PostJson($"{Route}/batch", tooMany).ExpectProblem(HttpStatusCode.BadRequest, "items");
        await tenant.Http.PostJson($"{Route}/batch", new JsonObject { ["items"] = new JsonArray() }).ExpectProblem(HttpStatusCode.BadRequest, "items");
        await AssertCount(tenant, 0);
    }

    [Fact]
    public async Task Every_operation_needs_a_valid_tenant_key()
    {
        using var anonymous = Factory.CreateClient();
        await anonymous.GetAsync(Route).ExpectProblem(HttpStatusCode.Unauthorized);
        await anonymous.PostRaw(Route, "{ broken").ExpectProblem(HttpStatusCode.Unauthorized);
        anonymous.DefaultRequestHeaders.Add("X-Api-Key", "kpi_0123456789abcdef_forged-secret");
        await anonymous.GetAsync(Route).ExpectProblem(HttpStatusCode.Unauthorized);
        await anonymous.DeleteAsync($"{Route}/{Guid.NewGuid()}").ExpectProblem(HttpStatusCode.Unauthorized);
    }

    protected virtual async Task AssertCount(TenantClient tenant, int expected)
    {
        var page = await tenant.Http.GetAsync($"{Route}?limit=200").Expect(HttpStatusCode.OK);
        Assert.Equal(expected, page["items"]!.AsArray().Count);
    }

    protected static async Task<string> CreateClientRecord(TenantClient tenant, string acquiredOn = "2025-01-01")
    {
        var client = await tenant.Http.PostJson("/v1/clients", new { name = "Initech", acquiredOn }).Expect(HttpStatusCode.Created);
        return client["id"]!.GetValue<string>();
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Alerts;

/// <summary>/v1/alerts: validation of every field, the rule's life cycle with ETags, paging, and tenant isolation.</summary>
public sealed class AlertRuleTests(AlertRuleTests.Factory factory) : IClassFixture<AlertRuleTests.Factory>
{
    /// <summary>The worker stays off here: these tests are about what the API stores and answers.</summary>
    public sealed class Factory : AlertsFactory
    {
        protected override bool WorkerEnabled => false;
    }

    private static JsonObject Valid() => new()
    {
        ["name"] = "Too many new clients",
        ["kpiId"] = "new-clients",
        ["window"] = "month",
        ["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = 5 },
    };

    private static JsonObject With(Action<JsonObject> change)
    {
        var body = Valid();
        change(body);
        return body;
    }

    private static JsonObject Condition(JsonObject body) => body["condition"]!.AsObject();

    public static TheoryData<string, JsonObject> InvalidRules => new()
    {
        { "name", With(b => b.Remove("name")) },
        { "name", With(b => b["name"] = "   ") },
        { "name", With(b => b["name"] = new string('n', 201)) },
        { "kpiId", With(b => b.Remove("kpiId")) },
        { "kpiId", With(b => b["kpiId"] = "no-such-kpi") },
        { "industry", With(b => { b["kpiId"] = "operating-margin"; b["industry"] = "retail"; }) },
        { "segment", With(b => { b["kpiId"] = "win-rate"; b["segment"] = "smb"; }) },
        { "source", With(b => b["source"] = "webinar") },
        { "source", With(b => { b["kpiId"] = "win-rate"; b["source"] = "webinar"; b["industry"] = "retail"; }) },
        { "industry", With(b => b["industry"] = new string('i', 201)) },
        { "window", With(b => b.Remove("window")) },
        { "window", With(b => b["window"] = "week") },
        { "toDate", With(b => b["toDate"] = "yes") },
        { "enabled", With(b => b["enabled"] = 1) },
        { "condition", With(b => b.Remove("condition")) },
        { "condition.type", With(b => Condition(b).Remove("type")) },
        { "condition.type", With(b => Condition(b)["type"] = "equals") },
        { "condition.threshold", With(b => Condition(b).Remove("threshold")) },
        { "condition.threshold", With(b => Condition(b)["threshold"] = 1.123456789m) },
        { "condition.threshold", With(b => b["condition"] = new JsonObject { ["type"] = "change", ["by"] = 5, ["unit"] = "points", ["threshold"] = 1 }) },
        { "condition.threshold", With(b => b["condition"] = new JsonObject { ["type"] = "outside-benchmark", ["threshold"] = 1 }) },
        { "condition.by", With(b => b["condition"] = new JsonObject { ["type"] = "change", ["unit"] = "points" }) },
        { "condition.by", With(b => b["condition"] = new JsonObject { ["type"] = "change", ["by"] = 0, ["unit"] = "percent" }) },
        { "condition.by", With(b => Condition(b)["by"] = 2) },
        { "condition.unit", With(b => b["condition"] = new JsonObject { ["type"] = "change", ["by"] = 5 }) },
        { "condition.unit", With(b => b["condition"] = new JsonObject { ["type"] = "change", ["by"] = 5, ["unit"] = "dollars" }) },
        { "condition.unit", With(b => Condition(b)["unit"] = "points") },
        // revenue has no benchmark band at all.
        { "condition.type", With(b => { b["kpiId"] = "revenue"; b["condition"] = new JsonObject { ["type"] = "outside-benchmark" }; }) },
        { "state", With(b => b["state"] = "firing") },
        { "id", With(b => b["id"] = Guid.NewGuid().ToString()) },
    };

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public async Task A_bad_rule_is_a_400_naming_the_field_and_stores_nothing(string field, JsonObject body)
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/alerts", body).ExpectProblem(HttpStatusCode.BadRequest, field);
        var list = await tenant.Http.GetAsync("/v1/alerts").Expect(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Outside_benchmark_is_refused_when_no_band_applies_to_the_tenant_and_accepted_when_one_does()
    {
        // average-contract-value has a USD money band only: a EUR tenant gets no verdict, a USD tenant does.
        var body = With(b => { b["kpiId"] = "average-contract-value"; b["condition"] = new JsonObject { ["type"] = "outside-benchmark" }; });
        using var euro = await factory.CreateTenantAsync(currency: "EUR");
        await euro.Http.PostJson("/v1/alerts", body).ExpectProblem(HttpStatusCode.BadRequest, "condition.type");
        using var dollar = await factory.CreateTenantAsync(currency: "USD");
        await AlertData.CreateRule(dollar, body);
    }

    [Fact]
    public async Task Filters_the_KPI_can_apply_are_accepted()
    {
        using var tenant = await factory.CreateTenantAsync();
        var byIndustry = await AlertData.CreateRule(tenant, With(b => { b["industry"] = " retail "; b["segment"] = "smb"; }));
        Assert.Equal("retail", byIndustry["industry"]!.GetValue<string>());
        var bySource = await AlertData.CreateRule(tenant, With(b => { b["kpiId"] = "win-rate"; b["source"] = "webinar"; }));
        Assert.Equal("webinar", bySource["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rule_is_created_read_listed_replaced_and_deleted_with_ETags()
    {
        using var tenant = await factory.CreateTenantAsync();
        using var created = await tenant.Http.PostJson("/v1/alerts", With(b =>
        {
            b["toDate"] = true;
            b["condition"] = new JsonObject { ["type"] = "change", ["by"] = -12.5m, ["unit"] = "percent" };
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.ReadJson();
        var id = rule["id"]!.GetValue<string>();
        Assert.Equal($"/v1/alerts/{id}", created.Headers.Location!.OriginalString);
        var etag = created.Headers.ETag!.Tag;
        Assert.Equal("pending", rule["state"]!.GetValue<string>());
        Assert.Null(rule["lastEvaluation"]);
        Assert.True(rule["enabled"]!.GetValue<bool>());
        Assert.True(rule["toDate"]!.GetValue<bool>());
        Assert.Equal(-12.5m, rule["condition"]!["by"]!.GetValue<decimal>());
        Assert.Equal("percent", rule["condition"]!["unit"]!.GetValue<string>());
        Assert.Null(rule["condition"]!["threshold"]);

        using (var read = await tenant.Http.GetAsync($"/v1/alerts/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(etag, read.Headers.ETag!.Tag);
            Assert.True(JsonNode.DeepEquals(rule, await read.ReadJson()));
        }

        var replacement = With(b => { b["name"] = "Renamed"; b["window"] = "quarter"; b["enabled"] = false; });
        using (var stale = new HttpRequestMessage(HttpMethod.Put, $"/v1/alerts/{id}") { Content = JsonContent(replacement) })
        {
            stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"00000000000000000000000000000000-1\""));
            await tenant.Http.SendAsync(stale).ExpectProblem(HttpStatusCode.PreconditionFailed);
        }
        Assert.Equal("Too many new clients", (await tenant.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK))["name"]!.GetValue<string>());

        string newTag;
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/v1/alerts/{id}") { Content = JsonContent(replacement) })
        {
            put.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
            using var replaced = await tenant.Http.SendAsync(put);
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            newTag = replaced.Headers.ETag!.Tag;
            var body = await replaced.ReadJson();
            Assert.Equal("Renamed", body["name"]!.GetValue<string>());
            Assert.Equal("quarter", body["window"]!.GetValue<string>());
            Assert.False(body["enabled"]!.GetValue<bool>());
            Assert.False(body["toDate"]!.GetValue<bool>()); // left out: back to its default
            Assert.Equal(5m, body["condition"]!["threshold"]!.GetValue<decimal>());
            Assert.Null(body["condition"]!["by"]);
        }
        Assert.NotEqual(etag, newTag);

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"/v1/alerts/{id}"))
        {
            delete.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
            await tenant.Http.SendAsync(delete).ExpectProblem(HttpStatusCode.PreconditionFailed);
        }
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"/v1/alerts/{id}"))
        {
            delete.Headers.IfMatch.Add(new EntityTagHeaderValue(newTag));
            await tenant.Http.SendAsync(delete).Expect(HttpStatusCode.NoContent);
        }
        await tenant.Http.GetAsync($"/v1/alerts/{id}").ExpectProblem(HttpStatusCode.NotFound);
        await tenant.Http.DeleteAsync($"/v1/alerts/{id}").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_list_pages_in_creation_order_and_filters_by_state()
    {
        using var tenant = await factory.CreateTenantAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await AlertData.CreateRule(tenant, With(b => b["name"] = $"Rule {i}")))["id"]!.GetValue<string>());

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await tenant.Http.GetAsync($"/v1/alerts?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}").Expect(HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(ids, seen);

        Assert.Equal(3, (await tenant.Http.GetAsync("/v1/alerts?state=pending").Expect(HttpStatusCode.OK))["items"]!.AsArray().Count);
        Assert.Empty((await tenant.Http.GetAsync("/v1/alerts?state=firing").Expect(HttpStatusCode.OK))["items"]!.AsArray());
        await tenant.Http.GetAsync("/v1/alerts?limit=0").ExpectProblem(HttpStatusCode.BadRequest, "limit");
        await tenant.Http.GetAsync("/v1/alerts?cursor=nope").ExpectProblem(HttpStatusCode.BadRequest, "cursor");
        await tenant.Http.GetAsync("/v1/alerts?state=sleeping").ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Another_tenants_rule_is_a_404_on_every_route_and_never_listed()
    {
        using var owner = await factory.CreateTenantAsync();
        using var other = await factory.CreateTenantAsync();
        var id = (await AlertData.CreateRule(owner, Valid()))["id"]!.GetValue<string>();

        await other.Http.GetAsync($"/v1/alerts/{id}").ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.PutJson($"/v1/alerts/{id}", With(b => b["name"] = "Hijacked")).ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.DeleteAsync($"/v1/alerts/{id}").ExpectProblem(HttpStatusCode.NotFound);
        Assert.Empty((await other.Http.GetAsync("/v1/alerts").Expect(HttpStatusCode.OK))["items"]!.AsArray());

        var still = await owner.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal("Too many new clients", still["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Saving_a_rule_is_not_a_data_change()
    {
        using var tenant = await factory.CreateTenantAsync();
        var before = factory.DataVersion(tenant);
        var id = (await AlertData.CreateRule(tenant, Valid()))["id"]!.GetValue<string>();
        await tenant.Http.PutJson($"/v1/alerts/{id}", With(b => b["name"] = "Renamed")).Expect(HttpStatusCode.OK);
        await tenant.Http.DeleteAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.NoContent);
        Assert.Equal(before, factory.DataVersion(tenant));
    }

    private static StringContent JsonContent(JsonObject body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}

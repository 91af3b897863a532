using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class ContractsTests(ApiFactory factory) : ResourceTests(factory)
{
    protected override string Route => "/v1/contracts";
    protected override string MainDateField => "signedOn";
    protected override (string Field, JsonNode Value) Change => ("value", 36000.5m);

    protected override async Task<JsonObject> ValidBody(TenantClient tenant, string? externalId = null, string mainDate = "2026-02-10") =>
        new()
        {
            ["externalId"] = externalId, ["clientId"] = await CreateClientRecord(tenant), ["signedOn"] = mainDate,
            ["startsOn"] = "2026-03-01", ["endsOn"] = "2027-02-28", ["value"] = 24000.25m, ["currency"] = "USD", ["kind"] = "new",
        };

    protected override (JsonObject Body, string[] Fields) InvalidBody => (new JsonObject
    {
        ["clientId"] = Guid.NewGuid().ToString(), ["signedOn"] = "2026-01-01", ["startsOn"] = "2026-03-01", ["endsOn"] = "2026-02-01",
        ["value"] = -5m, ["currency"] = "EUR", ["kind"] = "renewal",
    }, ["endsOn", "value", "currency"]);

    [Fact]
    public async Task A_contract_naming_another_tenants_client_is_refused_and_not_stored()
    {
        using var owner = await Factory.CreateTenantAsync();
        using var other = await Factory.CreateTenantAsync();
        var body = await ValidBody(owner);
        await other.Http.PostJson(Route, body).ExpectProblem(HttpStatusCode.BadRequest, "clientId");
        await AssertCount(other, 0);

        var batch = new JsonObject { ["items"] = new JsonArray(body.DeepClone().AsObject().Also(b => b["externalId"] = "b1")) };
        await other.Http.PostJson($"{Route}/batch", batch).ExpectProblem(HttpStatusCode.BadRequest, "items[0].clientId");
        await AssertCount(other, 0);
    }

    [Theory]
    [InlineData("""{ "kind": "upsell" }""")]
    [InlineData("""{ "kind": 1 }""")]
    [InlineData("""{ "value": "24000" }""")]
    public async Task Unknown_enum_values_and_wrong_types_are_400_problems(string patch)
    {
        using var tenant = await Factory.CreateTenantAsync();
        var body = await ValidBody(tenant);
        foreach (var (field, value) in JsonNode.Parse(patch)!.AsObject())
            body[field] = value?.DeepClone();
        var problem = await tenant.Http.PostJson(Route, body).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]);
        await AssertCount(tenant, 0);
    }

    [Fact]
    public async Task Money_keeps_exactly_two_decimals_and_refuses_more()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var body = await ValidBody(tenant);
        body["value"] = 0.01m;
        var created = await tenant.Http.PostJson(Route, body).Expect(HttpStatusCode.Created);
        Assert.Equal(0.01m, created["value"]!.GetValue<decimal>());

        body["value"] = 10.001m;
        await tenant.Http.PostJson(Route, body).ExpectProblem(HttpStatusCode.BadRequest, "value");
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}

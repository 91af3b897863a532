using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class ClientsTests(ApiFactory factory) : ResourceTests(factory)
{
    protected override string Route => "/v1/clients";
    protected override string MainDateField => "acquiredOn";
    protected override (string Field, JsonNode Value) Change => ("churnedOn", "2026-06-30");

    protected override Task<JsonObject> ValidBody(TenantClient tenant, string? externalId = null, string mainDate = "2026-02-10") =>
        Task.FromResult(new JsonObject
        {
            ["externalId"] = externalId, ["name"] = "Globex GmbH", ["acquiredOn"] = mainDate, ["churnedOn"] = null,
            ["industry"] = "manufacturing", ["segment"] = "enterprise",
        });

    protected override (JsonObject Body, string[] Fields) InvalidBody =>
        (new JsonObject { ["name"] = "", ["acquiredOn"] = "2026-03-01", ["churnedOn"] = "2026-02-01" }, ["name", "churnedOn"]);

    [Fact]
    public async Task A_client_that_contracts_name_cannot_be_deleted()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var clientId = await CreateClientRecord(tenant);
        await tenant.Http.PostJson("/v1/contracts", new
        {
            clientId, signedOn = "2026-01-01", startsOn = "2026-01-01", endsOn = "2026-12-31", value = 1200m, currency = "USD", kind = "new",
        }).Expect(HttpStatusCode.Created);

        await tenant.Http.DeleteAsync($"/v1/clients/{clientId}").ExpectProblem(HttpStatusCode.Conflict);
        await tenant.Http.GetAsync($"/v1/clients/{clientId}").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Missing_required_fields_are_all_listed()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var problem = await tenant.Http.PostRaw(Route, "{}").ExpectProblem(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("name"));
        Assert.True(errors.ContainsKey("acquiredOn"));
    }

    [Theory]
    [InlineData("""{ "name": "X", "acquiredOn": "2026-02-30" }""", "acquiredOn")]
    [InlineData("""{ "name": "X", "acquiredOn": "yesterday" }""", "acquiredOn")]
    [InlineData("""{ "name": 42, "acquiredOn": "2026-02-01" }""", "name")]
    [InlineData("""{ "name": "X", "acquiredOn": "0001-01-01" }""", "acquiredOn")]
    public async Task Unparsable_or_out_of_range_values_are_400_problems(string json, string field)
    {
        using var tenant = await Factory.CreateTenantAsync();
        await tenant.Http.PostRaw(Route, json).ExpectProblem(HttpStatusCode.BadRequest, field);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class LeadsTests(ApiFactory factory) : ResourceTests(factory)
{
    protected override string Route => "/v1/leads";
    protected override string MainDateField => "createdOn";
    protected override (string Field, JsonNode Value) Change => ("source", "partner-referral");

    protected override Task<JsonObject> ValidBody(TenantClient tenant, string? externalId = null, string mainDate = "2026-02-10") =>
        Task.FromResult(new JsonObject
        {
            ["externalId"] = externalId, ["createdOn"] = mainDate, ["qualifiedOn"] = "2026-03-05", ["opportunityOn"] = "2026-03-20",
            ["closedOn"] = "2026-04-30", ["outcome"] = "won", ["dealValue"] = 18000m, ["currency"] = "USD", ["source"] = "webinar",
        });

    protected override (JsonObject Body, string[] Fields) InvalidBody => (new JsonObject
    {
        ["createdOn"] = "2026-03-10", ["qualifiedOn"] = "2026-03-01", ["closedOn"] = "2026-04-01",
    }, ["qualifiedOn", "outcome"]);

    [Theory]
    [InlineData("""{ "createdOn": "2026-01-01", "closedOn": "2026-02-01", "outcome": "won", "currency": "USD" }""", "dealValue")]
    [InlineData("""{ "createdOn": "2026-01-01", "outcome": "lost" }""", "outcome")]
    [InlineData("""{ "createdOn": "2026-01-01", "dealValue": 100 }""", "currency")]
    [InlineData("""{ "createdOn": "2026-01-01", "dealValue": 100, "currency": "GBP" }""", "currency")]
    [InlineData("""{ "createdOn": "2026-01-10", "opportunityOn": "2026-01-09" }""", "opportunityOn")]
    [InlineData("""{ "createdOn": "2026-01-10", "qualifiedOn": "2026-01-12", "opportunityOn": "2026-01-15", "closedOn": "2026-01-14", "outcome": "lost" }""", "closedOn")]
    public async Task Lead_rules_from_the_catalog_are_enforced(string json, string field)
    {
        using var tenant = await Factory.CreateTenantAsync();
        await tenant.Http.PostRaw(Route, json).ExpectProblem(HttpStatusCode.BadRequest, field);
        await AssertCount(tenant, 0);
    }

    [Fact]
    public async Task An_open_lead_needs_only_its_creation_date()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var created = await tenant.Http.PostRaw(Route, """{ "createdOn": "2026-01-01" }""").Expect(HttpStatusCode.Created);
        Assert.Null(created["outcome"]);
        Assert.Null(created["dealValue"]);
    }
}

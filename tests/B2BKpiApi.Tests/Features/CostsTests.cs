using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class CostsTests(ApiFactory factory) : ResourceTests(factory)
{
    protected override string Route => "/v1/costs";
    protected override string MainDateField => "incurredOn";
    protected override (string Field, JsonNode Value) Change => ("category", "direct-labor");

    protected override Task<JsonObject> ValidBody(TenantClient tenant, string? externalId = null, string mainDate = "2026-02-10") =>
        Task.FromResult(new JsonObject
        {
            ["externalId"] = externalId, ["category"] = "marketing", ["amount"] = 12500.75m, ["currency"] = "USD", ["incurredOn"] = mainDate,
        });

    protected override (JsonObject Body, string[] Fields) InvalidBody =>
        (new JsonObject { ["category"] = "cogs", ["amount"] = 0m, ["currency"] = "usd", ["incurredOn"] = "2026-01-01" }, ["amount", "currency"]);

    [Fact]
    public async Task A_cost_in_another_currency_than_the_tenants_is_refused()
    {
        using var tenant = await Factory.CreateTenantAsync(currency: "EUR");
        var problem = await tenant.Http.PostJson(Route, new { category = "cogs", amount = 10m, currency = "USD", incurredOn = "2026-01-01" })
            .ExpectProblem(HttpStatusCode.BadRequest, "currency");
        Assert.Contains("EUR", problem["errors"]!["currency"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await tenant.Http.PostJson(Route, new { category = "cogs", amount = 10m, currency = "EUR", incurredOn = "2026-01-01" })
            .Expect(HttpStatusCode.Created);
    }
}

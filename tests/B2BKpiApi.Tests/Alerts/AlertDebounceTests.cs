using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Alerts;

/// <summary>
/// The debounce: a tenant's rules are evaluated once its data has been still for the quiet period, so an import or a
/// burst of batches is one evaluation. The quiet period is 5 s here, far above the gap between two requests of a
/// burst even on a loaded machine, so that a count of 1 cannot depend on timing.
/// </summary>
public sealed class AlertDebounceTests(AlertDebounceTests.Factory factory) : IClassFixture<AlertDebounceTests.Factory>
{
    public sealed class Factory : AlertsFactory
    {
        protected override TimeSpan QuietPeriod => TimeSpan.FromSeconds(5);
    }

    private static async Task<JsonNode> Rule(TenantClient tenant, Guid id) => await tenant.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK);

    [Fact]
    public async Task A_CSV_import_of_1000_rows_is_one_evaluation()
    {
        var (tenant, id) = await factory.TenantWithRule("active-clients", new JsonObject { ["type"] = "above", ["threshold"] = 999 });
        using var _ = tenant;
        var before = factory.Evaluations.For("active-clients");
        var csv = new StringBuilder("externalId,name,acquiredOn,industry\n");
        for (var i = 0; i < 1000; i++)
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"x{i},Client {i},2025-0{1 + (i % 9)}-15,retail\n");
        await tenant.Http.PostAsync("/v1/clients/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")).Expect(HttpStatusCode.OK);
        await factory.CaughtUp(tenant, id);

        Assert.Equal(1, factory.Evaluations.For("active-clients") - before);
        var rule = await Rule(tenant, id);
        Assert.Equal(1000m, rule["lastEvaluation"]!["value"]!.GetValue<decimal>()); // every client is active at the end of March
        Assert.Equal("firing", rule["state"]!.GetValue<string>());
        Assert.Single(factory.Messages(tenant));
    }

    [Fact]
    public async Task A_burst_of_50_batches_is_one_evaluation()
    {
        var (tenant, id) = await factory.TenantWithRule("arr-per-client", new JsonObject { ["type"] = "above", ["threshold"] = 1_000_000 });
        using var _ = tenant;
        var before = factory.Evaluations.For("arr-per-client");
        for (var b = 0; b < 50; b++)
            await AlertData.Batch(tenant, "/v1/clients", [.. Enumerable.Range(0, 4).Select(i => AlertData.Client($"b{b}-{i}", "2025-06-01"))]);
        await factory.CaughtUp(tenant, id);
        Assert.Equal(1, factory.Evaluations.For("arr-per-client") - before);
    }
}

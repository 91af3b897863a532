using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Alerts;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Webhooks;

/// <summary>
/// Issue 9's "done when", through the public API only, with both background workers running on the real clock:
/// a partner registers an endpoint and a rule, pushes records that cross the threshold, and receives exactly one
/// signed <c>kpi.alert.triggered</c> that the npm standardwebhooks reference verifier accepts; records that bring
/// the KPI back give one <c>kpi.alert.resolved</c>; another tenant's endpoint receives nothing.
/// </summary>
public sealed class AlertWebhookEndToEndTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static WebhookApiFactory Api() => new(ApiFactory.NewDatabase(), WebhookApiFactory.NewKeysDirectory(), new Dictionary<string, string?>
    {
        ["Alerts:Enabled"] = "true",
        ["Alerts:PollInterval"] = "00:00:00.100",
        ["Alerts:QuietPeriod"] = "00:00:00.500",
    });

    // seed-2025 NPS: promoters score 9–10, detractors 0–6; NPS = (promoters − detractors) / answers × 100.
    private static decimal Nps(List<int> scores) =>
        decimal.Round((scores.Count(s => s >= 9) - scores.Count(s => s <= 6)) * 100m / scores.Count, 2, MidpointRounding.AwayFromZero);

    [Fact]
    public async Task Records_that_cross_a_threshold_deliver_one_verified_triggered_event_and_one_resolved_event()
    {
        // The rule watches the latest complete calendar month of the real calendar: answers go on its 10th day.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var lastMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var answeredOn = lastMonth.AddDays(9).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        using var api = Api();
        using var tenant = await api.CreateTenantAsync();
        using var other = await api.CreateTenantAsync();
        var (_, secret) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("acme"));
        await WebhookApiFactory.RegisterAsync(other, _receiver.Url("other"));
        var rule = new JsonObject
        {
            ["name"] = "NPS turned negative", ["kpiId"] = "net-promoter-score", ["window"] = "month",
            ["condition"] = new JsonObject { ["type"] = "below", ["threshold"] = 0 },
        };
        var ruleId = (await AlertData.CreateRule(tenant, rule))["id"]!.GetValue<string>();
        var otherRuleId = (await AlertData.CreateRule(other, rule.DeepClone()))["id"]!.GetValue<string>();

        // Three detractors and one promoter: NPS −50, below the threshold.
        var scores = new List<int> { 2, 3, 4, 10 };
        await AlertData.Batch(tenant, "/v1/surveys", [.. scores.Select((s, i) => AlertData.Survey($"a{i}", "nps", s, answeredOn))]);

        var triggered = Assert.Single(await _receiver.WaitForAsync(r => r.Count >= 1, "the triggered event", TimeSpan.FromSeconds(30)));
        Assert.Equal("/acme", triggered.Path);
        await StandardWebhooksVerifier.AssertVerifiedAsync(secret, triggered);
        var body = JsonNode.Parse(triggered.Body)!;
        Assert.Equal("kpi.alert.triggered", body["type"]!.GetValue<string>());
        Assert.Equal(ruleId, body["data"]!["rule"]!["id"]!.GetValue<string>());
        Assert.Equal(Nps(scores), body["data"]!["result"]!["value"]!.GetValue<decimal>());

        // The event carries the KPI result exactly as the API returns it for that period.
        var period = body["data"]!["result"]!["period"]!;
        var fromApi = await tenant.Http.GetAsync(
            $"/v1/kpis/net-promoter-score?from={period["from"]}&to={period["to"]}").Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(fromApi["value"], body["data"]!["result"]!["value"]));
        Assert.True(JsonNode.DeepEquals(fromApi["inputs"], body["data"]!["result"]!["inputs"]));

        // Still below the threshold after more answers: evaluated again, but no second event.
        scores.Add(1);
        await AlertData.Batch(tenant, "/v1/surveys", AlertData.Survey("a4", "nps", 1, answeredOn));
        await WaitForEvaluatedValue(tenant, ruleId, Nps(scores));
        Assert.Equal("firing", (await Rule(tenant, ruleId))["state"]!.GetValue<string>());

        // Five promoters bring it to 0, no longer below: one resolved event, with its own webhook-id.
        scores.AddRange([9, 10, 10, 9, 10]);
        await AlertData.Batch(tenant, "/v1/surveys", [.. scores.Skip(5).Select((s, i) => AlertData.Survey($"p{i}", "nps", s, answeredOn))]);
        var both = await _receiver.WaitForAsync(r => r.Count >= 2, "the resolved event", TimeSpan.FromSeconds(30));
        var resolved = both[1];
        Assert.Equal("/acme", resolved.Path);
        await StandardWebhooksVerifier.AssertVerifiedAsync(secret, resolved);
        Assert.Equal("kpi.alert.resolved", JsonNode.Parse(resolved.Body)!["type"]!.GetValue<string>());
        Assert.Equal(Nps(scores), JsonNode.Parse(resolved.Body)!["data"]!["result"]!["value"]!.GetValue<decimal>());
        Assert.NotEqual(triggered.WebhookId, resolved.WebhookId);
        Assert.Equal("ok", (await Rule(tenant, ruleId))["state"]!.GetValue<string>());

        // Exactly two requests in all (no retry, no duplicate), none to the other tenant, whose rule saw no data.
        var deliveredSoFar = await _receiver.WaitForAsync(r => r.Count >= 2, "the two events");
        Assert.Equal(2, deliveredSoFar.Count);
        Assert.DoesNotContain(_receiver.Requests, r => r.Path == "/other");
        Assert.NotEqual("firing", (await Rule(other, otherRuleId))["state"]!.GetValue<string>());
    }

    private static async Task<JsonNode> Rule(TenantClient tenant, string id) =>
        await tenant.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK);

    private static async Task WaitForEvaluatedValue(TenantClient tenant, string ruleId, decimal value)
    {
        var stop = DateTime.UtcNow + Eventually.Deadline;
        while ((await Rule(tenant, ruleId))["lastEvaluation"]?["value"]?.GetValue<decimal>() != value)
        {
            if (DateTime.UtcNow > stop)
                throw new TimeoutException($"Gave up waiting for the rule to be evaluated at {value}.");
            await Task.Delay(100);
        }
    }
}

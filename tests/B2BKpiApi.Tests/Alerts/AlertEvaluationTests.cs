using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Alerts;

/// <summary>
/// The worker against the API: each condition fires and resolves with exactly one outbox message per transition,
/// no-data, the debounce, and isolation between tenants. Today is 2026-04-15 (see <see cref="AlertsFactory"/>), so a
/// monthly rule looks at March 2026 and compares it with February.
/// </summary>
public sealed class AlertEvaluationTests(AlertsFactory factory) : IClassFixture<AlertsFactory>
{
    private const string March = "from=2026-03-01&to=2026-03-31";
    private const string February = "from=2026-02-01&to=2026-02-28";

    private static async Task<JsonNode> Rule(TenantClient tenant, Guid id) => await tenant.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK);


    [Fact]
    public async Task Above_fires_once_and_resolves_once_and_the_event_carries_the_KPI_exactly_as_the_API_returns_it()
    {
        var (tenant, id) = await factory.TenantWithRule("new-clients", new JsonObject { ["type"] = "above", ["threshold"] = 2 });
        using var _ = tenant;
        Assert.Equal("ok", (await Rule(tenant, id))["state"]!.GetValue<string>()); // no clients: 0 new clients is not above 2
        Assert.Empty(factory.Messages(tenant));
        var etag = (await tenant.Http.GetAsync($"/v1/alerts/{id}")).Headers.ETag!.Tag;

        // Three clients acquired in March and one in February: March has 3 new clients, February 1.
        var pushed = new[] { ("a", "2026-03-02"), ("b", "2026-03-15"), ("c", "2026-03-31"), ("d", "2026-02-10") };
        await AlertData.Batch(tenant, "/v1/clients", pushed.Select(p => AlertData.Client(p.Item1, p.Item2)).ToArray());
        var marchCount = pushed.Count(p => p.Item2.StartsWith("2026-03", StringComparison.Ordinal));
        await factory.CaughtUp(tenant, id);

        var rule = await Rule(tenant, id);
        Assert.Equal("firing", rule["state"]!.GetValue<string>());
        Assert.Equal(marchCount, rule["lastEvaluation"]!["value"]!.GetValue<decimal>());
        Assert.Equal(1m, rule["lastEvaluation"]!["previousValue"]!.GetValue<decimal>());
        Assert.Equal("2026-03-01", rule["lastEvaluation"]!["period"]!["from"]!.GetValue<string>());
        Assert.Equal("2026-02-28", rule["lastEvaluation"]!["previousPeriod"]!["to"]!.GetValue<string>());
        Assert.Contains("above the threshold 2", rule["lastEvaluation"]!["why"]!.GetValue<string>(), StringComparison.Ordinal);
        // Evaluations are not edits: the rule's ETag did not move.
        Assert.Equal(etag, (await tenant.Http.GetAsync($"/v1/alerts/{id}")).Headers.ETag!.Tag);

        var messages = factory.Messages(tenant);
        var triggered = Assert.Single(messages);
        Assert.Equal("kpi.alert.triggered", triggered.Type);
        Assert.Equal(1, factory.Deliveries(tenant));
        var data = triggered.Body["data"]!;
        Assert.Equal("kpi.alert.triggered", triggered.Body["type"]!.GetValue<string>());
        Assert.Equal("firing", data["state"]!.GetValue<string>());
        Assert.Equal("ok", data["previousState"]!.GetValue<string>());
        Assert.Equal(id.ToString(), data["rule"]!["id"]!.GetValue<string>());
        Assert.Equal(2m, data["rule"]!["condition"]!["threshold"]!.GetValue<decimal>());
        var march = await tenant.Http.GetAsync($"/v1/kpis/new-clients?{March}").Expect(HttpStatusCode.OK);
        var february = await tenant.Http.GetAsync($"/v1/kpis/new-clients?{February}").Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(march, data["result"]), $"{march.ToJsonString()}\n!=\n{data["result"]!.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(february, data["previousResult"]), $"{february.ToJsonString()}\n!=\n{data["previousResult"]!.ToJsonString()}");

        // Moving one March client into April leaves 2, which is not above 2: resolved, once.
        await AlertData.Batch(tenant, "/v1/clients", AlertData.Client("c", "2026-04-01"));
        await factory.CaughtUp(tenant, id);
        Assert.Equal("ok", (await Rule(tenant, id))["state"]!.GetValue<string>());
        messages = factory.Messages(tenant);
        Assert.Equal(new[] { "kpi.alert.triggered", "kpi.alert.resolved" }, messages.Select(m => m.Type));
        Assert.Equal(marchCount - 1, messages[1].Body["data"]!["result"]!["value"]!.GetValue<decimal>());
        Assert.Equal("firing", messages[1].Body["data"]!["previousState"]!.GetValue<string>());

        // A write that changes nothing about the verdict emits nothing.
        await AlertData.Batch(tenant, "/v1/clients", AlertData.Client("e", "2026-01-05"));
        await factory.CaughtUp(tenant, id);
        Assert.Equal(2, factory.Messages(tenant).Count);
    }

    [Fact]
    public async Task Below_fires_and_resolves_on_CSAT_computed_from_the_answers()
    {
        var (tenant, id) = await factory.TenantWithRule("customer-satisfaction-score", new JsonObject { ["type"] = "below", ["threshold"] = 50 });
        using var _ = tenant;
        var scores = new List<int> { 2, 5, 3 };
        await AlertData.Batch(tenant, "/v1/surveys", scores.Select((s, i) => AlertData.Survey($"s{i}", "csat", s, "2026-03-10")).ToArray());
        await factory.CaughtUp(tenant, id);
        var rule = await Rule(tenant, id);
        Assert.Equal("firing", rule["state"]!.GetValue<string>());
        Assert.Equal(Csat(scores), rule["lastEvaluation"]!["value"]!.GetValue<decimal>());

        scores.AddRange([4, 5, 5]);
        await AlertData.Batch(tenant, "/v1/surveys", [.. scores.Skip(3).Select((s, i) => AlertData.Survey($"t{i}", "csat", s, "2026-03-20"))]);
        await factory.CaughtUp(tenant, id);
        rule = await Rule(tenant, id);
        Assert.Equal("ok", rule["state"]!.GetValue<string>());
        Assert.Equal(Csat(scores), rule["lastEvaluation"]!["value"]!.GetValue<decimal>());
        Assert.Equal(new[] { "kpi.alert.triggered", "kpi.alert.resolved" }, factory.Messages(tenant).Select(m => m.Type));
    }

    private static decimal Csat(List<int> scores) =>
        decimal.Round(scores.Count(s => s >= 4) * 100m / scores.Count, 2, MidpointRounding.AwayFromZero);

    private static decimal Nps(List<int> scores) =>
        decimal.Round((scores.Count(s => s >= 9) - scores.Count(s => s <= 6)) * 100m / scores.Count, 2, MidpointRounding.AwayFromZero);

    [Fact]
    public async Task Outside_benchmark_fires_below_every_NPS_band_and_resolves_inside_one()
    {
        var (tenant, id) = await factory.TenantWithRule("net-promoter-score", new JsonObject { ["type"] = "outside-benchmark" });
        using var _ = tenant;
        // seed-2025: commendable 30–50, world-class > 50, both for any industry.
        var scores = new List<int> { 3, 3, 3, 10 };
        await AlertData.Batch(tenant, "/v1/surveys", [.. scores.Select((s, i) => AlertData.Survey($"n{i}", "nps", s, "2026-03-05"))]);
        await factory.CaughtUp(tenant, id);
        var rule = await Rule(tenant, id);
        Assert.True(Nps(scores) < 30);
        Assert.Equal(Nps(scores), rule["lastEvaluation"]!["value"]!.GetValue<decimal>());
        Assert.Equal("firing", rule["state"]!.GetValue<string>());

        scores.AddRange([10, 10, 9, 9, 10, 9]);
        await AlertData.Batch(tenant, "/v1/surveys", [.. scores.Skip(4).Select((s, i) => AlertData.Survey($"p{i}", "nps", s, "2026-03-06"))]);
        await factory.CaughtUp(tenant, id);
        rule = await Rule(tenant, id);
        Assert.InRange(Nps(scores), 30m, 50m);
        Assert.Equal(Nps(scores), rule["lastEvaluation"]!["value"]!.GetValue<decimal>());
        Assert.Equal("ok", rule["state"]!.GetValue<string>());
        var messages = factory.Messages(tenant);
        Assert.Equal(new[] { "kpi.alert.triggered", "kpi.alert.resolved" }, messages.Select(m => m.Type));
        Assert.Equal("commendable", messages[1].Body["data"]!["result"]!["benchmark"]!["matchedBand"]!.GetValue<string>());
    }

    [Fact]
    public async Task Change_in_percent_versus_the_previous_calendar_month_fires_and_resolves()
    {
        var (tenant, id) = await factory.TenantWithRule("new-clients", new JsonObject { ["type"] = "change", ["by"] = 100, ["unit"] = "percent" });
        using var _ = tenant;
        var february = new List<string> { "2026-02-01", "2026-02-28" };
        var march = new List<string> { "2026-03-01", "2026-03-02", "2026-03-03", "2026-03-31", "2026-03-30" };
        await AlertData.Batch(tenant, "/v1/clients",
            [.. february.Select((d, i) => AlertData.Client($"f{i}", d)), .. march.Select((d, i) => AlertData.Client($"m{i}", d))]);
        await factory.CaughtUp(tenant, id);
        var rule = await Rule(tenant, id);
        Assert.True((march.Count - february.Count) * 100m / february.Count >= 100); // +150 %
        Assert.Equal("firing", rule["state"]!.GetValue<string>());
        Assert.Equal(february.Count, rule["lastEvaluation"]!["previousValue"]!.GetValue<decimal>());

        february.AddRange(["2026-02-10", "2026-02-11"]);
        await AlertData.Batch(tenant, "/v1/clients", [.. february.Skip(2).Select((d, i) => AlertData.Client($"g{i}", d))]);
        await factory.CaughtUp(tenant, id);
        rule = await Rule(tenant, id);
        Assert.True((march.Count - february.Count) * 100m / february.Count < 100); // +25 %
        Assert.Equal("ok", rule["state"]!.GetValue<string>());
        Assert.Equal(new[] { "kpi.alert.triggered", "kpi.alert.resolved" }, factory.Messages(tenant).Select(m => m.Type));
    }

    [Fact]
    public async Task Change_in_points_fires_on_a_fall_when_by_is_negative()
    {
        var (tenant, id) = await factory.TenantWithRule("new-clients", new JsonObject { ["type"] = "change", ["by"] = -2, ["unit"] = "points" });
        using var _ = tenant;
        await AlertData.Batch(tenant, "/v1/clients",
            AlertData.Client("f1", "2026-02-01"), AlertData.Client("f2", "2026-02-02"), AlertData.Client("f3", "2026-02-03"),
            AlertData.Client("m1", "2026-03-01"));
        await factory.CaughtUp(tenant, id);
        var rule = await Rule(tenant, id);
        Assert.Equal("firing", rule["state"]!.GetValue<string>()); // 3 → 1: a fall of 2 points
        Assert.Equal(1m, rule["lastEvaluation"]!["value"]!.GetValue<decimal>());
        Assert.Equal(3m, rule["lastEvaluation"]!["previousValue"]!.GetValue<decimal>());
        Assert.Equal(new[] { "kpi.alert.triggered" }, factory.Messages(tenant).Select(m => m.Type));
    }

    [Fact]
    public async Task No_data_is_silent_from_ok_triggers_into_firing_and_resolves_out_of_firing()
    {
        var (tenant, id) = await factory.TenantWithRule("customer-satisfaction-score", new JsonObject { ["type"] = "below", ["threshold"] = 50 });
        using var _ = tenant;
        var rule = await Rule(tenant, id);
        Assert.Equal("no-data", rule["state"]!.GetValue<string>());
        Assert.Null(rule["lastEvaluation"]!["value"]);
        Assert.False(string.IsNullOrEmpty(rule["lastEvaluation"]!["reason"]!.GetValue<string>()));
        Assert.Empty(factory.Messages(tenant)); // pending → no-data emits nothing

        var created = await AlertData.Batch(tenant, "/v1/surveys", AlertData.Survey("s1", "csat", 1, "2026-03-10"));
        await factory.CaughtUp(tenant, id);
        Assert.Equal("firing", (await Rule(tenant, id))["state"]!.GetValue<string>());

        var surveyId = created["items"]![0]!["id"]!.GetValue<string>();
        await tenant.Http.DeleteAsync($"/v1/surveys/{surveyId}").Expect(HttpStatusCode.NoContent);
        await factory.CaughtUp(tenant, id);
        Assert.Equal("no-data", (await Rule(tenant, id))["state"]!.GetValue<string>());
        var messages = factory.Messages(tenant);
        Assert.Equal(new[] { "kpi.alert.triggered", "kpi.alert.resolved" }, messages.Select(m => m.Type));
        Assert.Equal("no-data", messages[1].Body["data"]!["state"]!.GetValue<string>());
        Assert.Null(messages[1].Body["data"]!["result"]!["value"]);
    }

    [Fact]
    public async Task A_transition_without_a_subscribed_endpoint_changes_the_state_and_sends_nothing()
    {
        var (tenant, id) = await factory.TenantWithRule("new-clients", new JsonObject { ["type"] = "above", ["threshold"] = 0 }, subscribe: false);
        using var _ = tenant;
        await AlertData.Batch(tenant, "/v1/clients", AlertData.Client("a", "2026-03-02"));
        await factory.CaughtUp(tenant, id);
        Assert.Equal("firing", (await Rule(tenant, id))["state"]!.GetValue<string>());
        Assert.Empty(factory.Messages(tenant));
    }

    [Fact]
    public async Task Another_tenants_writes_never_evaluate_or_fire_this_tenants_rules()
    {
        var (mine, myRule) = await factory.TenantWithRule("new-clients", new JsonObject { ["type"] = "above", ["threshold"] = 0 });
        using var _ = mine;
        var (other, otherRule) = await factory.TenantWithRule("new-clients", new JsonObject { ["type"] = "above", ["threshold"] = 0 });
        using var __ = other;
        var mineBefore = factory.Rule(myRule);

        await AlertData.Batch(other, "/v1/clients", AlertData.Client("a", "2026-03-02"), AlertData.Client("b", "2026-03-03"));
        await factory.CaughtUp(other, otherRule);
        Assert.Equal("firing", (await Rule(other, otherRule))["state"]!.GetValue<string>());
        Assert.Single(factory.Messages(other));

        var mineAfter = factory.Rule(myRule);
        Assert.Equal(mineBefore.LastEvaluatedAt, mineAfter.LastEvaluatedAt);
        Assert.Equal("ok", mineAfter.State);
        Assert.Empty(factory.Messages(mine));
    }

    [Fact]
    public async Task Editing_a_firing_rule_evaluates_it_at_once_and_resolves_it_when_it_no_longer_fires()
    {
        var (tenant, id) = await factory.TenantWithRule("new-clients", new JsonObject { ["type"] = "above", ["threshold"] = 0 });
        using var _ = tenant;
        await AlertData.Batch(tenant, "/v1/clients", AlertData.Client("a", "2026-03-02"));
        await factory.CaughtUp(tenant, id);
        var firing = factory.Rule(id);
        Assert.Equal("firing", firing.State);

        await tenant.Http.PutJson($"/v1/alerts/{id}", new JsonObject
        {
            ["name"] = "Raised", ["kpiId"] = "new-clients", ["window"] = "month",
            ["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = 5 },
        }).Expect(HttpStatusCode.OK);
        await factory.CaughtUp(tenant, id, after: firing.LastEvaluatedAt);
        Assert.Equal("ok", factory.Rule(id).State);
        var messages = factory.Messages(tenant);
        Assert.Equal(new[] { "kpi.alert.triggered", "kpi.alert.resolved" }, messages.Select(m => m.Type));
        Assert.Equal("Raised", messages[1].Body["data"]!["rule"]!["name"]!.GetValue<string>());
    }
}

using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.ChurnRisk;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Alerts;

/// <summary>
/// Alert rules on the <c>at-risk-clients</c> target: validation, the stored rule, and the worker's evaluation against
/// <c>GET /v1/churn-risk</c> (the rules score of a tenant without a model, and a trained model), one event per state
/// change, the event's at-risk payload and tenant isolation. Today is 2026-04-15 (see <see cref="AlertsFactory"/>).
/// </summary>
public sealed class AtRiskAlertTests(AlertsFactory factory) : IClassFixture<AlertsFactory>
{
    private const string Today = "2026-04-15";

    private static JsonObject Valid() => new()
    {
        ["name"] = "Clients at risk",
        ["kpiId"] = "at-risk-clients",
        ["riskThreshold"] = 0.5m,
        ["window"] = "month",
        ["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = 1 },
    };

    private static JsonObject With(Action<JsonObject> change)
    {
        var body = Valid();
        change(body);
        return body;
    }

    public static TheoryData<string, JsonObject> InvalidRules => new()
    {
        { "riskThreshold", With(b => b.Remove("riskThreshold")) },
        { "riskThreshold", With(b => b["riskThreshold"] = null) },
        { "riskThreshold", With(b => b["riskThreshold"] = 0) },
        { "riskThreshold", With(b => b["riskThreshold"] = -0.2m) },
        { "riskThreshold", With(b => b["riskThreshold"] = 1.01m) },
        { "riskThreshold", With(b => b["riskThreshold"] = 0.12345m) },
        { "riskThreshold", With(b => b["riskThreshold"] = "high") },
        // A catalog KPI takes no risk threshold.
        { "riskThreshold", With(b => { b["kpiId"] = "new-clients"; b["riskThreshold"] = 0.5m; }) },
        { "industry", With(b => b["industry"] = "retail") },
        { "segment", With(b => b["segment"] = "smb") },
        { "source", With(b => b["source"] = "webinar") },
        { "condition.type", With(b => b["condition"] = new JsonObject { ["type"] = "outside-benchmark" }) },
        { "condition.threshold", With(b => b["condition"] = new JsonObject { ["type"] = "above" }) },
        { "window", With(b => b.Remove("window")) },
        { "kpiId", With(b => b["kpiId"] = "at-risk-client") },
    };

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public async Task A_bad_at_risk_rule_is_a_400_naming_the_field_and_stores_nothing(string field, JsonObject body)
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/alerts", body).ExpectProblem(HttpStatusCode.BadRequest, field);
        var list = await tenant.Http.GetAsync("/v1/alerts").Expect(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task A_rule_round_trips_through_create_get_list_and_replace_and_another_tenant_gets_404()
    {
        using var tenant = await factory.CreateTenantAsync();
        using var other = await factory.CreateTenantAsync();
        var created = await AlertData.CreateRule(tenant, Valid());
        var id = created["id"]!.GetValue<string>();
        Assert.Equal("at-risk-clients", created["kpiId"]!.GetValue<string>());
        Assert.Equal(0.5m, created["riskThreshold"]!.GetValue<decimal>());
        Assert.True(created["toDate"]!.GetValue<bool>()); // left out: the count as of today
        Assert.Equal(1m, created["condition"]!["threshold"]!.GetValue<decimal>());

        var read = await tenant.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal(0.5m, read["riskThreshold"]!.GetValue<decimal>());
        var listed = Assert.Single((await tenant.Http.GetAsync("/v1/alerts").Expect(HttpStatusCode.OK))["items"]!.AsArray());
        Assert.Equal(0.5m, listed!["riskThreshold"]!.GetValue<decimal>());
        Assert.Equal("at-risk-clients", listed["kpiId"]!.GetValue<string>());

        // A KPI rule shows null; replacing the at-risk rule by a KPI rule clears the threshold.
        var replaced = await tenant.Http.PutJson($"/v1/alerts/{id}", With(b => { b["kpiId"] = "new-clients"; b.Remove("riskThreshold"); b["toDate"] = false; }))
            .Expect(HttpStatusCode.OK);
        Assert.Null(replaced["riskThreshold"]);
        Assert.Equal(0.8m, (await tenant.Http.PutJson($"/v1/alerts/{id}", With(b => b["riskThreshold"] = 0.8m)).Expect(HttpStatusCode.OK))["riskThreshold"]!.GetValue<decimal>());
        // A rejected replacement changes nothing.
        await tenant.Http.PutJson($"/v1/alerts/{id}", With(b => b["riskThreshold"] = 2)).ExpectProblem(HttpStatusCode.BadRequest, "riskThreshold");
        Assert.Equal(0.8m, (await tenant.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK))["riskThreshold"]!.GetValue<decimal>());

        await other.Http.GetAsync($"/v1/alerts/{id}").ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.PutJson($"/v1/alerts/{id}", Valid()).ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.DeleteAsync($"/v1/alerts/{id}").ExpectProblem(HttpStatusCode.NotFound);
        Assert.Empty((await other.Http.GetAsync("/v1/alerts").Expect(HttpStatusCode.OK))["items"]!.AsArray());
        Assert.Equal(0.8m, (await tenant.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK))["riskThreshold"]!.GetValue<decimal>());
    }

    /// <summary>Every client active on asOf with its probability, as /v1/churn-risk ranks them, all pages.</summary>
    private static async Task<List<(string Id, decimal Probability, string Method)>> Ranked(TenantClient tenant, string asOf)
    {
        var all = new List<(string, decimal, string)>();
        string? cursor = null;
        do
        {
            var page = await tenant.Http.GetAsync($"/v1/churn-risk?asOf={asOf}&limit=200{(cursor is null ? "" : $"&cursor={cursor}")}")
                .Expect(HttpStatusCode.OK);
            all.AddRange(page["items"]!.AsArray().Select(i => (i!["clientId"]!.GetValue<string>(), i["probability"]!.GetValue<decimal>(),
                i["method"]!.GetValue<string>())));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        return all;
    }

    private static async Task<string> Client(TenantClient tenant, string externalId) =>
        (await tenant.Http.PostJson("/v1/clients", new { externalId, name = $"Client {externalId}", acquiredOn = "2025-01-01" })
            .Expect(HttpStatusCode.Created))["id"]!.GetValue<string>();

    /// <summary>An economic buyer who is a detractor: the rules score puts a client without a contract well above 0.5 with it.</summary>
    private static async Task Detractor(TenantClient tenant, string clientId) =>
        await tenant.Http.PostJson("/v1/surveys", new { kind = "nps", score = 3, respondedOn = "2026-04-01", clientId, respondentRole = "economic-buyer" })
            .Expect(HttpStatusCode.Created);

    private static void AssertAtRiskPayload(JsonNode data, List<(string Id, decimal Probability, string Method)> ranked, decimal threshold, string asOf)
    {
        var atRisk = data["atRiskClients"]!;
        var expected = ranked.Where(r => r.Probability >= threshold).ToList();
        Assert.Equal(expected.Count, atRisk["count"]!.GetValue<int>());
        Assert.Equal(ranked.Count, atRisk["activeClients"]!.GetValue<int>());
        Assert.Equal(threshold, atRisk["riskThreshold"]!.GetValue<decimal>());
        Assert.Equal(asOf, atRisk["asOf"]!.GetValue<string>());
        Assert.Equal(ranked[0].Method, atRisk["method"]!.GetValue<string>());
        Assert.Equal(expected.Take(10).Select(e => (e.Id, e.Probability)),
            atRisk["topClients"]!.AsArray().Select(c => (c!["clientId"]!.GetValue<string>(), c["probability"]!.GetValue<decimal>())));
        Assert.All(atRisk["topClients"]!.AsArray(), c => Assert.StartsWith("Client ", c!["clientName"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal("at-risk-clients", data["result"]!["kpi"]!.GetValue<string>());
        Assert.Equal("count", data["result"]!["unit"]!.GetValue<string>());
        Assert.Equal(expected.Count, data["result"]!["value"]!.GetValue<decimal>());
        Assert.Equal(threshold, data["rule"]!["riskThreshold"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task The_count_follows_churn_risk_fires_once_resolves_once_and_another_tenants_clients_never_count()
    {
        var tenant = await factory.CreateTenantAsync();
        using var _ = tenant;
        using var other = await factory.CreateTenantAsync();
        factory.Subscribe(tenant);
        factory.Subscribe(other);
        var ids = new Dictionary<string, string>();
        foreach (var x in new[] { "a", "b", "c" })
            ids[x] = await Client(tenant, x);
        var created = await AlertData.CreateRule(tenant, Valid());
        var ruleId = Guid.Parse(created["id"]!.GetValue<string>());
        await factory.CaughtUp(tenant, ruleId);
        var rule = await tenant.Http.GetAsync($"/v1/alerts/{ruleId}").Expect(HttpStatusCode.OK);
        // Three clients without a contract or answers: each below 0.5 by the rules score.
        var ranked = await Ranked(tenant, Today);
        Assert.Equal(3, ranked.Count);
        Assert.All(ranked, r => Assert.True(r.Probability < 0.5m, $"{r.Probability}"));
        Assert.Equal("ok", rule["state"]!.GetValue<string>());
        Assert.Equal(0m, rule["lastEvaluation"]!["value"]!.GetValue<decimal>());
        Assert.Equal("2026-04-15", rule["lastEvaluation"]!["period"]!["to"]!.GetValue<string>());
        Assert.Empty(factory.Messages(tenant));

        // The other tenant has many clients at risk: none of them may count for this tenant.
        for (var i = 0; i < 4; i++)
            await Detractor(other, await Client(other, $"o{i}"));
        // Two of this tenant's clients get a detracting economic buyer: 2 at risk, above 1.
        await Detractor(tenant, ids["a"]);
        await Detractor(tenant, ids["b"]);
        await factory.CaughtUp(tenant, ruleId);

        ranked = await Ranked(tenant, Today);
        Assert.Equal(2, ranked.Count(r => r.Probability >= 0.5m));
        rule = await tenant.Http.GetAsync($"/v1/alerts/{ruleId}").Expect(HttpStatusCode.OK);
        Assert.Equal("firing", rule["state"]!.GetValue<string>());
        Assert.Equal(ranked.Count(r => r.Probability >= 0.5m), rule["lastEvaluation"]!["value"]!.GetValue<decimal>());
        var triggered = Assert.Single(factory.Messages(tenant));
        Assert.Equal("kpi.alert.triggered", triggered.Type);
        Assert.Equal("kpi.alert.triggered", triggered.Body["type"]!.GetValue<string>());
        var data = triggered.Body["data"]!;
        Assert.Equal(ruleId.ToString(), data["rule"]!["id"]!.GetValue<string>());
        Assert.Equal("firing", data["state"]!.GetValue<string>());
        AssertAtRiskPayload(data, ranked, 0.5m, Today);
        // The threshold's digits after the point are as the database keeps them (1.0 on SQLite, 1.00000000 on PostgreSQL).
        Assert.Matches(@"^2 of 3 active clients have a churn risk of at least 0\.5 on 2026-04-15 \(rules\)\. The value 2 is above the threshold 1(\.0*)?\.$",
            data["why"]!.GetValue<string>());
        Assert.Equal(data["why"]!.GetValue<string>(), rule["lastEvaluation"]!["why"]!.GetValue<string>());
        Assert.Equal("rules", data["atRiskClients"]!["method"]!.GetValue<string>());
        Assert.Equal([ids["a"], ids["b"]], data["atRiskClients"]!["topClients"]!.AsArray().Select(c => c!["clientId"]!.GetValue<string>()).Order());
        Assert.Empty(factory.Messages(other)); // the other tenant has no rule

        // A write that leaves the count where it is emits nothing.
        await Client(tenant, "d");
        await factory.CaughtUp(tenant, ruleId);
        Assert.Single(factory.Messages(tenant));

        // Client b churns before today: no longer active, 1 at risk, not above 1 — resolved, once.
        await tenant.Http.PostJson("/v1/clients/batch", new JsonObject
        {
            ["items"] = new JsonArray(new JsonObject { ["externalId"] = "b", ["name"] = "Client b", ["acquiredOn"] = "2025-01-01", ["churnedOn"] = "2026-04-10" }),
        }).Expect(HttpStatusCode.OK);
        await factory.CaughtUp(tenant, ruleId);
        ranked = await Ranked(tenant, Today);
        Assert.Equal(1, ranked.Count(r => r.Probability >= 0.5m));
        var messages = factory.Messages(tenant);
        Assert.Equal(new[] { "kpi.alert.triggered", "kpi.alert.resolved" }, messages.Select(m => m.Type));
        Assert.Equal("ok", messages[1].Body["data"]!["state"]!.GetValue<string>());
        AssertAtRiskPayload(messages[1].Body["data"]!, ranked, 0.5m, Today);
        Assert.Equal("ok", (await tenant.Http.GetAsync($"/v1/alerts/{ruleId}").Expect(HttpStatusCode.OK))["state"]!.GetValue<string>());

        // Training the tenant's model (too little history: still the rules) evaluates the rule again with it, and says why rules.
        var before = factory.Rule(ruleId).LastEvaluatedAt;
        Assert.True(await ChurnSeed.TrainAsync(factory, tenant));
        await factory.CaughtUp(tenant, ruleId, after: before);
        Assert.Equal(2, factory.Messages(tenant).Count);
    }

    [Fact]
    public async Task With_a_trained_model_the_count_and_the_riskiest_clients_are_those_of_churn_risk()
    {
        using var tenant = await factory.CreateTenantAsync();
        factory.Subscribe(tenant);
        await ChurnSeed.SeedAsync(factory, tenant, ChurnDataGenerator.Generate(clients: 150));
        Assert.True(await ChurnSeed.TrainAsync(factory, tenant));
        // A yearly rule on complete periods looks at 2025 and counts as of 2025-12-31 (the generated data's last day).
        const string asOf = "2025-12-31";
        var ranked = await Ranked(tenant, asOf);
        Assert.Equal("logistic-regression", ranked[0].Method);
        Assert.True(ranked.Count > 12, $"{ranked.Count} active clients");
        // The 12th highest probability as the threshold: at least 12 clients at risk (more on ties).
        var threshold = ranked[11].Probability;
        var rule = await AlertData.CreateRule(tenant, With(b =>
        {
            b["riskThreshold"] = threshold;
            b["window"] = "year";
            b["toDate"] = false;
            b["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = 11 };
        }));
        var ruleId = Guid.Parse(rule["id"]!.GetValue<string>());
        await factory.CaughtUp(tenant, ruleId);

        var read = await tenant.Http.GetAsync($"/v1/alerts/{ruleId}").Expect(HttpStatusCode.OK);
        Assert.Equal(ranked.Count(r => r.Probability >= threshold), read["lastEvaluation"]!["value"]!.GetValue<decimal>());
        Assert.Equal("firing", read["state"]!.GetValue<string>());
        var previousCount = (await Ranked(tenant, "2024-12-31")).Count(r => r.Probability >= threshold);
        Assert.Equal(previousCount, read["lastEvaluation"]!["previousValue"]!.GetValue<decimal>());
        var triggered = Assert.Single(factory.Messages(tenant));
        var data = triggered.Body["data"]!;
        AssertAtRiskPayload(data, ranked, threshold, asOf);
        Assert.Equal(10, data["atRiskClients"]!["topClients"]!.AsArray().Count);
        Assert.Equal("logistic-regression", data["atRiskClients"]!["method"]!.GetValue<string>());
        Assert.NotNull(data["atRiskClients"]!["model"]!["trainedAt"]);
        Assert.Equal(previousCount, data["previousResult"]!["value"]!.GetValue<decimal>());
    }
}

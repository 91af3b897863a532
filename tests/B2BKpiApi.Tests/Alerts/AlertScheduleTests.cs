using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Alerts;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Alerts;

/// <summary>
/// The daily run, and that a write never evaluates a rule on its own request. The quiet period is an hour here, so
/// data changes alone never get a rule evaluated during these tests: whatever evaluates it is the schedule.
/// </summary>
public sealed class AlertScheduleTests(AlertScheduleTests.Factory factory) : IClassFixture<AlertScheduleTests.Factory>
{
    public sealed class Factory : AlertsFactory
    {
        protected override TimeSpan QuietPeriod => TimeSpan.FromHours(1);
    }

    private static JsonObject NewClientsAbove(decimal threshold) => new()
    {
        ["name"] = "New clients", ["kpiId"] = "new-clients", ["window"] = "month",
        ["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = threshold },
    };

    [Fact]
    public async Task A_write_answers_without_evaluating_any_rule()
    {
        using var tenant = await factory.CreateTenantAsync();
        factory.Subscribe(tenant);
        var id = Guid.Parse((await AlertData.CreateRule(tenant, NewClientsAbove(0)))["id"]!.GetValue<string>());
        var evaluated = await factory.CaughtUp(tenant, id);
        var count = factory.Evaluations.For("new-clients");

        // Each of these writes makes the rule fire once evaluated; none is evaluated on the request that wrote it.
        for (var i = 0; i < 20; i++)
        {
            await AlertData.Batch(tenant, "/v1/clients", AlertData.Client($"c{i}", "2026-03-10"));
            var rule = factory.Rule(id);
            Assert.Equal(count, factory.Evaluations.For("new-clients"));
            Assert.Equal(evaluated.EvaluatedDataVersion, rule.EvaluatedDataVersion);
            Assert.Equal(evaluated.LastEvaluatedAt, rule.LastEvaluatedAt);
            Assert.Equal("ok", rule.State);
        }
        Assert.Empty(factory.Messages(tenant));
    }

    [Fact]
    public async Task The_daily_run_moves_a_rule_on_to_the_new_latest_complete_month()
    {
        using var tenant = await factory.CreateTenantAsync();
        factory.Subscribe(tenant);
        var id = Guid.Parse((await AlertData.CreateRule(tenant, NewClientsAbove(0)))["id"]!.GetValue<string>());
        var first = await factory.CaughtUp(tenant, id);
        Assert.Equal("ok", first.State); // March has no new client

        // A client acquired in April: the rule looks at March until the calendar moves on (and the quiet period is long).
        await AlertData.Batch(tenant, "/v1/clients", AlertData.Client("april", "2026-04-10"));
        Assert.Equal(first.LastEvaluatedAt, factory.Rule(id).LastEvaluatedAt);

        factory.Clock.Set(new DateTimeOffset(2026, 5, 1, 0, 0, 5, TimeSpan.Zero));
        var daily = await factory.CaughtUp(tenant, id, after: first.LastEvaluatedAt);
        Assert.Equal("firing", daily.State);
        var rule = await tenant.Http.GetAsync($"/v1/alerts/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal("2026-04-01", rule["lastEvaluation"]!["period"]!["from"]!.GetValue<string>());
        Assert.Equal("2026-04-30", rule["lastEvaluation"]!["period"]!["to"]!.GetValue<string>());
        Assert.Equal(1m, rule["lastEvaluation"]!["value"]!.GetValue<decimal>());
        var triggered = Assert.Single(factory.Messages(tenant));
        Assert.Equal("kpi.alert.triggered", triggered.Type);
    }
}

/// <summary>Two evaluations of one rule at the same time (two instances, say) emit its event once.</summary>
public sealed class AlertConcurrencyTests(AlertConcurrencyTests.Factory factory) : IClassFixture<AlertConcurrencyTests.Factory>
{
    /// <summary>No worker: the test runs the evaluators itself.</summary>
    public sealed class Factory : AlertsFactory
    {
        protected override bool WorkerEnabled => false;
    }

    [Fact]
    public async Task Racing_evaluators_emit_one_event()
    {
        for (var round = 0; round < 5; round++)
        {
            using var tenant = await factory.CreateTenantAsync();
            factory.Subscribe(tenant);
            var id = Guid.Parse((await AlertData.CreateRule(tenant, new JsonObject
            {
                ["name"] = "Any new client", ["kpiId"] = "new-clients", ["window"] = "month",
                ["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = 0 },
            }))["id"]!.GetValue<string>());
            await AlertData.Batch(tenant, "/v1/clients", AlertData.Client("a", "2026-03-02"));

            var scopes = Enumerable.Range(0, 3).Select(_ => factory.Services.CreateAsyncScope()).ToList();
            try
            {
                var failed = await Task.WhenAll(scopes.Select(s =>
                    Task.Run(() => s.ServiceProvider.GetRequiredService<AlertEvaluator>().EvaluateAsync(tenant.TenantId, [id], CancellationToken.None))));
                Assert.All(failed, Assert.Empty);
            }
            finally
            {
                foreach (var scope in scopes)
                    await scope.DisposeAsync();
            }
            Assert.Equal("firing", factory.Rule(id).State);
            var message = Assert.Single(factory.Messages(tenant));
            Assert.Equal("kpi.alert.triggered", message.Type);
        }
    }
}

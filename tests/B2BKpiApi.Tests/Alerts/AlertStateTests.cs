using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Alerts;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Alerts;

/// <summary>
/// The alert worker's state in the database: the quiet period survives a restart, three instances on one database
/// evaluate each (tenant, data version) once and write one event per state change. SQLite, or PostgreSQL when
/// KPI_TEST_POSTGRES is set.
/// </summary>
public sealed class AlertStateTests
{
    private sealed class Host(TestDatabase database, TestClock clock, TimeSpan quiet) : AlertsFactory(database, clock)
    {
        protected override TimeSpan QuietPeriod => quiet;
    }

    private static JsonObject NewClientsAbove(decimal threshold) => new()
    {
        ["name"] = "New clients", ["kpiId"] = "new-clients", ["window"] = "month",
        ["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = threshold },
    };

    [Fact]
    public async Task A_restart_in_the_middle_of_the_quiet_period_keeps_it_and_evaluates_once()
    {
        var database = ApiFactory.NewDatabase();
        var clock = new TestClock(AlertsFactory.Today);
        var quiet = TimeSpan.FromSeconds(6);
        try
        {
            Guid id;
            TenantClient tenant;
            B2BKpiApi.Data.AlertSchedule noted;
            var first = new Host(database.Shared(), clock, quiet);
            try
            {
                tenant = await first.CreateTenantAsync();
                first.Subscribe(tenant);
                id = Guid.Parse((await AlertData.CreateRule(tenant, NewClientsAbove(0)))["id"]!.GetValue<string>());
                await first.CaughtUp(tenant, id);
                var before = first.Evaluations.Attempts("new-clients");
                await AlertData.Batch(tenant, "/v1/clients", AlertData.Client("c1", "2026-03-10"));
                var version = first.DataVersion(tenant);
                // The first instance has seen the version move: the quiet period started, in the database.
                noted = await Eventually.Until(() => first.Schedule(tenant) is { SettlingVersion: { } v } s && v == version ? s : null,
                    "the quiet period noted in the database");
                Assert.Equal(before, first.Evaluations.Attempts("new-clients"));
                Assert.Equal("ok", first.Rule(id).State);
            }
            finally
            {
                first.Dispose(); // stopped mid-quiet-period (6 s): it never evaluated the new version
            }

            using var second = new Host(database.Shared(), clock, quiet);
            _ = second.Evaluations; // started, and counting, before its worker's first poll can evaluate
            using (tenant)
            {
                var http = second.CreateClient();
                http.DefaultRequestHeaders.Add("X-Api-Key", tenant.ApiKey);
                var again = tenant with { Http = http };
                var rule = await second.CaughtUp(again, id);
                Assert.Equal("firing", rule.State);
                Assert.Equal(1, second.Evaluations.Attempts("new-clients"));
                // Evaluated after the quiet period that started before the restart, not before it.
                Assert.True(rule.LastEvaluatedAt >= noted.SettlingSince + quiet, $"evaluated at {rule.LastEvaluatedAt:O}, quiet since {noted.SettlingSince:O}");
                var message = Assert.Single(second.Messages(again));
                Assert.Equal("kpi.alert.triggered", message.Type);
                // The settled version is cleared: the next change starts a new quiet period. The worker clears it when it
                // ends its turn, just after it writes the rule (which CaughtUp saw): wait for that, within the deadline.
                var schedule = await Eventually.Until(() => second.Schedule(again) is { SettlingVersion: null } s ? s : null,
                    "the settled version cleared at the end of the turn");
                Assert.Null(schedule.ClaimedBy);
                Assert.NotNull(schedule.LastEvaluatedAt);
            }
        }
        finally
        {
            database.Drop();
        }
    }

    [Fact]
    public async Task Three_instances_on_one_database_evaluate_each_data_version_once_and_write_one_event_per_state_change()
    {
        var database = ApiFactory.NewDatabase();
        var clock = new TestClock(AlertsFactory.Today);
        var quiet = TimeSpan.FromSeconds(1.5);
        var hosts = Enumerable.Range(0, 3).Select(_ => new Host(database.Shared(), clock, quiet)).ToList();
        try
        {
            // Each host started (with its worker) before anything happens.
            foreach (var h in hosts)
                _ = h.Evaluations;
            var api = hosts[0];
            using var tenant = await api.CreateTenantAsync();
            api.Subscribe(tenant);
            var id = Guid.Parse((await AlertData.CreateRule(tenant, NewClientsAbove(1)))["id"]!.GetValue<string>());
            Assert.Equal("ok", (await api.CaughtUp(tenant, id)).State);

            // ok → firing (two March clients in one batch), firing → ok (one deleted), ok → firing (another added):
            // the writes go through different instances.
            await AlertData.Batch(tenant, "/v1/clients", AlertData.Client("a", "2026-03-02"), AlertData.Client("b", "2026-03-03"));
            Assert.Equal("firing", (await api.CaughtUp(tenant, id)).State);
            var clientId = (await tenant.Http.GetAsync("/v1/clients?limit=1").Expect(HttpStatusCode.OK))["items"]![0]!["id"]!.GetValue<string>();
            using (var viaSecond = hosts[1].CreateClient())
            {
                viaSecond.DefaultRequestHeaders.Add("X-Api-Key", tenant.ApiKey);
                (await viaSecond.DeleteAsync($"/v1/clients/{clientId}")).EnsureSuccessStatusCode();
            }
            Assert.Equal("ok", (await api.CaughtUp(tenant, id)).State);
            using (var viaThird = hosts[2].CreateClient())
            {
                viaThird.DefaultRequestHeaders.Add("X-Api-Key", tenant.ApiKey);
                await viaThird.PostJson("/v1/clients", AlertData.Client("c", "2026-03-04")).Expect(HttpStatusCode.Created);
            }
            Assert.Equal("firing", (await api.CaughtUp(tenant, id)).State);

            Assert.Equal(["kpi.alert.triggered", "kpi.alert.resolved", "kpi.alert.triggered"], api.Messages(tenant).Select(m => m.Type));
            // Four data versions (the empty one and three writes), each evaluated by exactly one instance: no instance
            // did work another also did (a superseded evaluation counts as an attempt), and none was missed.
            var attempts = hosts.Select(h => h.Evaluations.Attempts("new-clients")).ToList();
            Assert.Equal(4, attempts.Sum());
            Assert.Equal(4, hosts.Sum(h => h.Evaluations.For("new-clients")));
        }
        finally
        {
            foreach (var h in hosts)
                h.Dispose();
            database.Drop();
        }
    }
}

/// <summary>
/// Fairness: a heavy tenant (many rules, each made slow by the test's seam) delays a light tenant's new rule by at
/// most about one turn budget, even with one tenant evaluated at a time.
/// </summary>
public sealed class AlertFairnessTests(AlertFairnessTests.Factory factory) : IClassFixture<AlertFairnessTests.Factory>
{
    public const int HeavyRules = 40;
    public static readonly TimeSpan PerRule = TimeSpan.FromSeconds(1);

    public sealed class Factory : AlertsFactory
    {
        public Guid HeavyTenant { get; set; }
        private int _heavyStarted;

        public int HeavyStarted => Volatile.Read(ref _heavyStarted);

        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Alerts:MaxParallelTenants"] = "1",
            ["Alerts:TenantTurnBudget"] = "00:00:02",
            ["Alerts:MaxRulesPerTenant"] = "50",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton(new AlertEvaluationSeam
            {
                // The heavy tenant's every rule takes a second: 40 rules are 40 s in one go.
                BeforeRule = async (tenant, ct) =>
                {
                    if (tenant != HeavyTenant)
                        return;
                    Interlocked.Increment(ref _heavyStarted);
                    await Task.Delay(PerRule, ct);
                },
            }));
        }
    }

    [Fact]
    public async Task A_heavy_tenant_with_many_rules_delays_a_light_tenants_new_rule_by_a_few_seconds_at_most()
    {
        using var heavy = await factory.CreateTenantAsync();
        using var light = await factory.CreateTenantAsync();
        factory.HeavyTenant = heavy.TenantId;
        for (var i = 0; i < HeavyRules; i++)
            await AlertData.CreateRule(heavy, NewClients(i));
        // The heavy tenant is being evaluated (40 s of work in one go)…
        await Eventually.Until(() => factory.HeavyStarted > 0 ? "started" : null, "the heavy tenant's evaluation");

        // …when the light tenant creates a rule: it is evaluated within a few seconds, not after the heavy tenant's 40 s.
        var heavyBefore = factory.HeavyStarted;
        var watch = Stopwatch.StartNew();
        var id = Guid.Parse((await AlertData.CreateRule(light, NewClients(0)))["id"]!.GetValue<string>());
        await factory.CaughtUp(light, id);
        var latency = watch.Elapsed;
        var heavyDone = factory.HeavyStarted;
        // In heavy work: at most the rest of one turn (2 s budget = 2 rules, plus the one running) and one more turn
        // before the light tenant's, whatever the machine's load; in time, a bound with room for a loaded machine.
        Assert.True(heavyDone - heavyBefore <= 6, $"{heavyDone - heavyBefore} heavy rules ran while the light tenant's rule waited");
        Assert.True(heavyDone < HeavyRules, $"the heavy tenant finished first ({heavyDone} rules started): the test proves nothing");
        Assert.True(latency < TimeSpan.FromSeconds(15), $"the light tenant's rule waited {latency.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_rule_past_the_tenants_limit_is_a_400_naming_the_limit_and_nothing_is_stored()
    {
        using var tenant = await factory.CreateTenantAsync();
        for (var i = 0; i < 50; i++)
            await AlertData.CreateRule(tenant, NewClients(i));
        var problem = await tenant.Http.PostJson("/v1/alerts", NewClients(50)).ExpectProblem(HttpStatusCode.BadRequest, "rules");
        Assert.Contains("at most 50 alert rules", problem["errors"]!["rules"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Alerts:MaxRulesPerTenant", problem["errors"]!["rules"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(50, factory.WithDb(db => db.AlertRules.IgnoreQueryFilters().Count(r => r.TenantId == tenant.TenantId)));
        // Another tenant is not limited by this one's rules.
        using var other = await factory.CreateTenantAsync();
        await AlertData.CreateRule(other, NewClients(0));
    }

    private static JsonObject NewClients(int n) => new()
    {
        ["name"] = $"New clients {n}", ["kpiId"] = "new-clients", ["window"] = "month",
        ["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = n },
    };
}

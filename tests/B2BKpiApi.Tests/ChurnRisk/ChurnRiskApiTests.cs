using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Data;
using B2BKpiApi.Features.ChurnRisk;
using B2BKpiApi.Tenancy;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.ChurnRisk;

internal static class ChurnSeed
{
    public const string AsOf = "2025-12-31";

    /// <summary>Writes generated data for a tenant through the DbContext (as a request of that tenant would), returning client ids by external id.</summary>
    public static async Task<Dictionary<string, Guid>> SeedAsync(ApiFactory factory, TenantClient tenant, ChurnDataGenerator.Data data)
    {
        using var scope = factory.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Resolve(tenant.TenantId, "USD", "manufacturing");
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var ids = data.Clients.ToDictionary(c => c.ExternalId, _ => Guid.CreateVersion7());
        db.Clients.AddRange(data.Clients.Select(c => new Client
        {
            Id = ids[c.ExternalId], ExternalId = c.ExternalId, Name = c.Name, AcquiredOn = c.AcquiredOn, ChurnedOn = c.ChurnedOn,
        }));
        db.Contracts.AddRange(data.Contracts.Select(k => new Contract
        {
            Id = Guid.CreateVersion7(), ExternalId = k.ExternalId, ClientId = ids[k.Client], SignedOn = k.SignedOn, StartsOn = k.StartsOn,
            EndsOn = k.EndsOn, ValueMinor = k.ValueMinor, Currency = "USD", Kind = k.Kind == "new" ? ContractKind.New : ContractKind.Renewal,
        }));
        db.Surveys.AddRange(data.Surveys.Select(s => new Survey
        {
            Id = Guid.CreateVersion7(), ExternalId = s.ExternalId, Kind = s.Kind == "nps" ? SurveyKind.Nps : SurveyKind.Csat, Score = s.Score,
            RespondedOn = s.RespondedOn, ClientId = ids[s.Client], RespondentRole = ChurnDataGenerator.RoleOf(s.Role),
        }));
        await db.SaveChangesAsync();
        return ids;
    }

    public static Task<bool> TrainAsync(ApiFactory factory, TenantClient tenant, bool force = true) =>
        factory.Services.GetRequiredService<ChurnModelWorker>().TrainTenantAsync(tenant.TenantId, force, CancellationToken.None);
}

/// <summary>Health and churn risk through HTTP, on the test run's database (SQLite, or PostgreSQL with KPI_TEST_POSTGRES).</summary>
public sealed class ChurnRiskApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static async Task<Guid> CreateClient(HttpClient http, string name, string acquiredOn, string? churnedOn = null)
    {
        var body = await http.PostJson("/v1/clients", new { name, acquiredOn, churnedOn }).Expect(HttpStatusCode.Created);
        return body["id"]!.GetValue<Guid>();
    }

    [Fact]
    public async Task Health_shows_contracts_revenue_trend_roles_and_the_churn_risk_of_one_client()
    {
        using var tenant = await factory.CreateTenantAsync();
        var http = tenant.Http;
        var id = await CreateClient(http, "Acme", "2024-01-01");
        // 2024-07-01..2025-06-30: 365 days for 36,500.00 (100.00 a day); the renewal 2025-07-01..2026-06-30 for 18,250.00 (50.00 a day).
        await http.PostJson("/v1/contracts", new { clientId = id, signedOn = "2024-06-01", startsOn = "2024-07-01", endsOn = "2025-06-30", value = 36500.00m, currency = "USD", kind = "new" }).Expect(HttpStatusCode.Created);
        await http.PostJson("/v1/contracts", new { clientId = id, signedOn = "2025-06-20", startsOn = "2025-07-01", endsOn = "2026-06-30", value = 18250.00m, currency = "USD", kind = "renewal" }).Expect(HttpStatusCode.Created);
        await http.PostJson("/v1/surveys", new { kind = "nps", score = 3, respondedOn = "2025-08-01", clientId = id, respondentRole = "economic-buyer" }).Expect(HttpStatusCode.Created);
        await http.PostJson("/v1/surveys", new { kind = "nps", score = 10, respondedOn = "2025-02-01", clientId = id, respondentRole = "economic-buyer" }).Expect(HttpStatusCode.Created);
        await http.PostJson("/v1/surveys", new { kind = "csat", score = 4, respondedOn = "2025-08-02", clientId = id, respondentRole = "user" }).Expect(HttpStatusCode.Created);
        await http.PostJson("/v1/surveys", new { kind = "nps", score = 0, respondedOn = "2025-09-01", clientId = id, respondentRole = "user" }).Expect(HttpStatusCode.Created); // after asOf
        // Signed after asOf (backdated to run on it): unknown on asOf, so neither listed, nor the next end, nor revenue.
        await http.PostJson("/v1/contracts", new { clientId = id, signedOn = "2025-09-01", startsOn = "2025-08-01", endsOn = "2025-08-31", value = 3100.00m, currency = "USD", kind = "new" }).Expect(HttpStatusCode.Created);

        var health = await http.GetAsync($"/v1/clients/{id}/health?asOf=2025-08-15").Expect(HttpStatusCode.OK);

        Assert.Equal("Acme", health["name"]!.GetValue<string>());
        Assert.True(health["active"]!.GetValue<bool>());
        Assert.Equal("USD", health["currency"]!.GetValue<string>());
        var active = health["activeContracts"]!.AsArray();
        Assert.Single(active);
        Assert.Equal(18250.00m, health["activeContractValue"]!.GetValue<decimal>());
        Assert.Equal(18250.00m, health["arr"]!.GetValue<decimal>());
        Assert.Equal("2026-06-30", health["nextContractEnd"]!.GetValue<string>());
        Assert.Equal(319, health["daysToNextContractEnd"]!.GetValue<int>());
        // Last 90 days 2025-05-18..2025-08-15: 44 days at 100 + 46 at 50 = 6,700; the 90 before (2025-02-17..2025-05-17) at 100 = 9,000.
        var trend = health["revenueTrend"]!;
        Assert.Equal("2025-05-18", trend["from"]!.GetValue<string>());
        Assert.Equal(6700.00m, trend["revenue"]!.GetValue<decimal>());
        Assert.Equal(9000.00m, trend["previousRevenue"]!.GetValue<decimal>());
        Assert.Equal(-25.56m, trend["changePercent"]!.GetValue<decimal>());

        var roles = health["roles"]!.AsArray();
        Assert.Equal(["economic-buyer", "user"], roles.Select(r => r!["role"]!.GetValue<string>()));
        var eb = roles[0]!;
        Assert.Equal("2025-08-01", eb["lastAnsweredOn"]!.GetValue<string>());
        Assert.Equal(3, eb["latestAnswers"]![0]!["score"]!.GetValue<int>());
        Assert.Equal(0m, eb["nps"]!["value"]!.GetValue<decimal>()); // one promoter, one detractor
        Assert.Equal(2, eb["nps"]!["answers"]!.GetValue<int>());
        Assert.Equal("no-answers", eb["csat"]!["reason"]!.GetValue<string>());
        var user = roles[1]!;
        Assert.Equal(100m, user["csat"]!["value"]!.GetValue<decimal>());
        Assert.Single(user["latestAnswers"]!.AsArray()); // the nps of 2025-09-01 is after asOf
        Assert.Equal(["technical-buyer", "gatekeeper"], health["rolesNeverHeardFrom"]!.AsArray().Select(r => r!.GetValue<string>()));

        var risk = health["churnRisk"]!;
        Assert.Equal("2026-06-30", risk["nextContractEnd"]!.GetValue<string>());
        Assert.Equal(319, risk["daysToNextContractEnd"]!.GetValue<int>());
        Assert.Equal("rules", risk["method"]!.GetValue<string>());
        Assert.Equal("model-not-trained-yet", risk["methodReason"]!.GetValue<string>());
        var factors = risk["factors"]!.AsArray();
        Assert.Equal(6, factors.Count);
        var change = factors.Single(f => f!["factor"]!.GetValue<string>() == "contract-value-change")!;
        Assert.Equal(-50.00m, change["value"]!.GetValue<decimal>());
        Assert.Equal(1.0m, change["contribution"]!.GetValue<decimal>());
        Assert.Contains("50 % less", change["description"]!.GetValue<string>(), StringComparison.Ordinal);
        // intercept + Σ contributions is the logit of the probability
        var logit = risk["intercept"]!.GetValue<decimal>() + factors.Sum(f => f!["contribution"]!.GetValue<decimal>());
        Assert.Equal(Math.Round(1 / (1 + Math.Exp(-(double)logit)), 4), (double)risk["probability"]!.GetValue<decimal>(), 4);
    }

    [Fact]
    public async Task Another_tenants_client_is_a_404_on_health_and_churn_risk()
    {
        using var owner = await factory.CreateTenantAsync();
        using var other = await factory.CreateTenantAsync();
        var id = await CreateClient(owner.Http, "Mine", "2024-01-01");
        await other.Http.GetAsync($"/v1/clients/{id}/health").ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.GetAsync($"/v1/clients/{id}/churn-risk").ExpectProblem(HttpStatusCode.NotFound);
        await owner.Http.GetAsync($"/v1/clients/{Guid.NewGuid()}/health").ExpectProblem(HttpStatusCode.NotFound);
        await owner.Http.GetAsync($"/v1/clients/{id}/health").Expect(HttpStatusCode.OK);
        var list = await other.Http.GetAsync("/v1/churn-risk?asOf=2025-01-01").Expect(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Theory]
    [InlineData("/v1/clients/{id}/health?asOf=2025-13-01", "asOf")]
    [InlineData("/v1/clients/{id}/health?asOf=01/05/2025", "asOf")]
    [InlineData("/v1/clients/{id}/churn-risk?asOf=tomorrow", "asOf")]
    [InlineData("/v1/clients/{id}/churn-risk?asOf=0001-01-01", "asOf")]
    [InlineData("/v1/churn-risk?asOf=2025-02-30", "asOf")]
    [InlineData("/v1/churn-risk?limit=0", "limit")]
    [InlineData("/v1/churn-risk?limit=201", "limit")]
    [InlineData("/v1/churn-risk?cursor=nope", "cursor")]
    public async Task A_bad_query_is_a_problem_naming_the_field(string url, string field)
    {
        using var tenant = await factory.CreateTenantAsync();
        var id = await CreateClient(tenant.Http, "Acme", "2024-01-01");
        await tenant.Http.GetAsync(url.Replace("{id}", id.ToString(), StringComparison.Ordinal)).ExpectProblem(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task The_ranking_follows_every_write_and_the_cursor_continues_it()
    {
        using var tenant = await factory.CreateTenantAsync();
        var http = tenant.Http;
        const string asOf = "2025-06-30";
        foreach (var (name, endsOn) in new[] { ("Far", "2026-06-30"), ("Mid", "2025-10-31"), ("Near", "2025-07-20") })
        {
            var id = await CreateClient(http, name, "2024-01-01");
            await http.PostJson("/v1/contracts", new { clientId = id, signedOn = "2024-01-01", startsOn = "2024-01-01", endsOn, value = 1000.00m, currency = "USD", kind = "new" }).Expect(HttpStatusCode.Created);
        }
        static List<string> Names(JsonNode page) => page["items"]!.AsArray().Select(i => i!["clientName"]!.GetValue<string>()).ToList();

        var first = await http.GetAsync($"/v1/churn-risk?asOf={asOf}").Expect(HttpStatusCode.OK);
        Assert.Equal(["Near", "Mid", "Far"], Names(first));
        Assert.Equal(Names(first), Names(await http.GetAsync($"/v1/churn-risk?asOf={asOf}").Expect(HttpStatusCode.OK)));

        // A new client whose contract ends sooner and whose economic buyer is a detractor goes to the top at once...
        var urgent = await CreateClient(http, "Urgent", "2024-01-01");
        await http.PostJson("/v1/contracts", new { clientId = urgent, signedOn = "2024-01-01", startsOn = "2024-01-01", endsOn = "2025-07-05", value = 1000.00m, currency = "USD", kind = "new" }).Expect(HttpStatusCode.Created);
        await http.PostJson("/v1/surveys", new { kind = "nps", score = 2, respondedOn = "2025-06-01", clientId = urgent, respondentRole = "economic-buyer" }).Expect(HttpStatusCode.Created);
        var after = await http.GetAsync($"/v1/churn-risk?asOf={asOf}").Expect(HttpStatusCode.OK);
        Assert.Equal(["Urgent", "Near", "Mid", "Far"], Names(after));

        // ...page by page too: the cursor continues the same ranking.
        var page1 = await http.GetAsync($"/v1/churn-risk?asOf={asOf}&limit=3").Expect(HttpStatusCode.OK);
        Assert.Equal(["Urgent", "Near", "Mid"], Names(page1));
        var page2 = await http.GetAsync($"/v1/churn-risk?asOf={asOf}&limit=3&cursor={page1["nextCursor"]!.GetValue<string>()}").Expect(HttpStatusCode.OK);
        Assert.Equal(["Far"], Names(page2));
        Assert.Null(page2["nextCursor"]);

        // A client churned before asOf (a replace) leaves the ranking at once; another day is ranked on its own.
        await http.PutJson($"/v1/clients/{urgent}", new { name = "Urgent", acquiredOn = "2024-01-01", churnedOn = "2025-06-15" }).Expect(HttpStatusCode.OK);
        Assert.Equal(["Near", "Mid", "Far"], Names(await http.GetAsync($"/v1/churn-risk?asOf={asOf}").Expect(HttpStatusCode.OK)));
        var later = (await http.GetAsync("/v1/churn-risk?asOf=2026-06-01").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        var expected = new List<(decimal Probability, Guid Id)>();
        foreach (var item in later)
        {
            var one = await http.GetAsync($"/v1/clients/{item!["clientId"]}/churn-risk?asOf=2026-06-01").Expect(HttpStatusCode.OK);
            expected.Add((one["probability"]!.GetValue<decimal>(), one["clientId"]!.GetValue<Guid>()));
        }
        Assert.Equal(3, later.Count);
        Assert.Equal(expected.OrderByDescending(e => e.Probability).ThenBy(e => e.Id).Select(e => e.Id),
            later.Select(i => i!["clientId"]!.GetValue<Guid>()));
        Assert.Equal(expected.Select(e => e.Probability), later.Select(i => i!["probability"]!.GetValue<decimal>()));
    }

    [Fact]
    public async Task A_client_not_active_on_asOf_has_no_probability_and_says_why()
    {
        using var tenant = await factory.CreateTenantAsync();
        var id = await CreateClient(tenant.Http, "Gone", "2023-01-01", "2024-06-01");
        var risk = await tenant.Http.GetAsync($"/v1/clients/{id}/churn-risk?asOf=2024-06-01").Expect(HttpStatusCode.OK);
        Assert.Null(risk["probability"]);
        Assert.Equal("client-not-active", risk["reason"]!.GetValue<string>());
        Assert.Empty(risk["factors"]!.AsArray());
        var before = await tenant.Http.GetAsync($"/v1/clients/{id}/churn-risk?asOf=2024-05-31").Expect(HttpStatusCode.OK);
        Assert.NotNull(before["probability"]);
    }

    [Fact]
    public async Task A_tenant_with_little_history_gets_the_rules_score_and_the_model_endpoint_says_so()
    {
        using var tenant = await factory.CreateTenantAsync();
        await ChurnSeed.SeedAsync(factory, tenant, ChurnDataGenerator.Generate(clients: 20));
        var before = await tenant.Http.GetAsync("/v1/churn-risk/model").Expect(HttpStatusCode.OK);
        Assert.Equal("rules", before["method"]!.GetValue<string>());
        Assert.Equal("model-not-trained-yet", before["methodReason"]!.GetValue<string>());
        Assert.Null(before["trainedAt"]);

        Assert.True(await ChurnSeed.TrainAsync(factory, tenant));
        var model = await tenant.Http.GetAsync("/v1/churn-risk/model").Expect(HttpStatusCode.OK);
        Assert.Equal("rules", model["method"]!.GetValue<string>());
        Assert.Equal("fewer-than-20-churn-events", model["methodReason"]!.GetValue<string>());
        Assert.True(model["churnEvents"]!.GetValue<int>() < 20);
        Assert.Empty(model["weights"]!.AsArray());
        Assert.Equal(model["currentDataVersion"]!.GetValue<long>(), model["dataVersion"]!.GetValue<long>());

        var list = await tenant.Http.GetAsync($"/v1/churn-risk?asOf=2025-06-30").Expect(HttpStatusCode.OK);
        Assert.All(list["items"]!.AsArray(), i =>
        {
            Assert.Equal("rules", i!["method"]!.GetValue<string>());
            Assert.Equal("fewer-than-20-churn-events", i["methodReason"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task A_trained_tenant_is_ranked_by_its_model_page_by_page_with_the_back_test_beside_it()
    {
        using var tenant = await factory.CreateTenantAsync();
        var ids = await ChurnSeed.SeedAsync(factory, tenant, ChurnDataGenerator.Generate(clients: 150));
        // Ranked by the rules first: the training that follows must re-rank (the same data version, another scorer).
        var byRules = await tenant.Http.GetAsync("/v1/churn-risk?asOf=2025-09-30&limit=7").Expect(HttpStatusCode.OK);
        Assert.Equal("rules", byRules["items"]![0]!["method"]!.GetValue<string>());
        Assert.True(await ChurnSeed.TrainAsync(factory, tenant));

        var model = await tenant.Http.GetAsync("/v1/churn-risk/model").Expect(HttpStatusCode.OK);
        Assert.Equal("logistic-regression", model["method"]!.GetValue<string>());
        Assert.Null(model["methodReason"]);
        Assert.True(model["churnEvents"]!.GetValue<int>() >= 20);
        Assert.Equal(6, model["weights"]!.AsArray().Count);
        var trainingTo = DateOnly.Parse(model["trainingWindow"]!["to"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var heldOutFrom = DateOnly.Parse(model["heldOutWindow"]!["from"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(trainingTo.AddDays(90) < heldOutFrom);
        Assert.InRange(model["backTest"]!["rocAuc"]!.GetValue<decimal>(), 0.5m, 1m);
        Assert.NotNull(model["baseline"]!["rocAuc"]);
        Assert.Equal(model["backTest"]!["rocAuc"]!.GetValue<decimal>() - model["baseline"]!["rocAuc"]!.GetValue<decimal>(),
            model["aucGain"]!.GetValue<decimal>(), 3);

        var asOf = "2025-09-30";
        var seen = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await tenant.Http.GetAsync($"/v1/churn-risk?asOf={asOf}&limit=7" + (cursor is null ? "" : $"&cursor={cursor}")).Expect(HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);

        var day = new DateOnly(2025, 9, 30);
        var data = ChurnDataGenerator.Generate(clients: 150);
        var activeIds = data.Clients.Where(c => c.AcquiredOn <= day && (c.ChurnedOn is null || c.ChurnedOn > day)).Select(c => ids[c.ExternalId]).ToHashSet();
        Assert.Equal(activeIds.Count, seen.Count);
        Assert.Equal(activeIds.OrderBy(x => x), seen.Select(i => i["clientId"]!.GetValue<Guid>()).OrderBy(x => x));
        var probabilities = seen.Select(i => i["probability"]!.GetValue<decimal>()).ToList();
        Assert.Equal(probabilities.OrderByDescending(p => p), probabilities);
        Assert.All(seen, i => Assert.Equal("logistic-regression", i["method"]!.GetValue<string>()));

        // The per-client read gives what the list gave.
        var top = seen[0];
        var one = await tenant.Http.GetAsync($"/v1/clients/{top["clientId"]}/churn-risk?asOf={asOf}").Expect(HttpStatusCode.OK);
        Assert.Equal(top.ToJsonString(), one.ToJsonString());
        Assert.NotNull(one["model"]!["trainedAt"]);

        // Every item's next contract end is the earliest end among the contracts signed by asOf that run on it.
        var byId = ids.ToDictionary(kv => kv.Value, kv => kv.Key);
        foreach (var item in seen)
        {
            var running = data.Contracts.Where(k => k.Client == byId[item["clientId"]!.GetValue<Guid>()] && k.SignedOn <= day && k.StartsOn <= day && day <= k.EndsOn).ToList();
            DateOnly? expected = running.Count == 0 ? null : running.Min(k => k.EndsOn);
            Assert.Equal(expected?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), item["nextContractEnd"]?.GetValue<string>());
            Assert.Equal(expected is { } e ? e.DayNumber - day.DayNumber : null, item["daysToNextContractEnd"]?.GetValue<int>());
        }
        Assert.Contains(seen, i => i["nextContractEnd"] is not null);
    }

    [Fact]
    public async Task A_claim_held_by_another_instance_keeps_this_one_from_training_until_it_lapses()
    {
        using var tenant = await factory.CreateTenantAsync();
        await ChurnSeed.SeedAsync(factory, tenant, ChurnDataGenerator.Generate(clients: 10));
        var until = DateTime.UtcNow.AddMinutes(5);
        factory.WithDb(db =>
        {
            db.ChurnModels.Add(new ChurnModel { TenantId = tenant.TenantId, ClaimToken = Guid.NewGuid(), ClaimedUntil = until });
            return db.SaveChanges();
        });
        Assert.False(await ChurnSeed.TrainAsync(factory, tenant));
        Assert.Null(factory.WithDb(db => db.ChurnModels.IgnoreQueryFilters().Single(m => m.TenantId == tenant.TenantId).TrainedAt));

        factory.WithDb(db => db.ChurnModels.IgnoreQueryFilters().Where(m => m.TenantId == tenant.TenantId)
            .ExecuteUpdate(s => s.SetProperty(m => m.ClaimedUntil, DateTime.UtcNow.AddSeconds(-1))));
        Assert.True(await ChurnSeed.TrainAsync(factory, tenant, force: false));
        // Trained on the current data: not due again until the data moves.
        Assert.False(await ChurnSeed.TrainAsync(factory, tenant, force: false));
        var row = factory.WithDb(db => db.ChurnModels.IgnoreQueryFilters().Single(m => m.TenantId == tenant.TenantId));
        Assert.NotNull(row.TrainedAt);
        Assert.Null(row.ClaimToken);
    }

    [Fact]
    public async Task Two_instances_training_at_once_train_the_tenant_once()
    {
        using var tenant = await factory.CreateTenantAsync();
        await ChurnSeed.SeedAsync(factory, tenant, ChurnDataGenerator.Generate(clients: 60));
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ChurnSeed.TrainAsync(factory, tenant, force: false))));
        Assert.Equal(1, results.Count(r => r));
    }
}

/// <summary>The background job trains a tenant when its data moves, in a host that runs it.</summary>
public sealed class ChurnModelWorkerTests
{
    private sealed class WorkerFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ChurnRisk:Enabled", "true");
            builder.UseSetting("ChurnRisk:PollInterval", "00:00:00.500");
            builder.UseSetting("ChurnRisk:MinRetrainInterval", "00:00:01");
        }
    }

    /// <summary>A host that trains on a sample of 10 clients and waits a long time before retraining.</summary>
    private sealed class SampledFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ChurnRisk:Enabled", "true");
            builder.UseSetting("ChurnRisk:PollInterval", "00:00:00.500");
            builder.UseSetting("ChurnRisk:MaxTrainingClients", "10");
            builder.UseSetting("ChurnRisk:MinRetrainInterval", "01:00:00");
        }
    }

    [Fact]
    public async Task A_tenant_above_the_training_limit_is_trained_on_a_sample_and_new_data_waits_for_the_retrain_interval()
    {
        using var factory = new SampledFactory();
        using var tenant = await factory.CreateTenantAsync();
        await ChurnSeed.SeedAsync(factory, tenant, ChurnDataGenerator.Generate(clients: 30));
        // The first training may stand on part of the seed (a tenant without a model is trained at once); any model will do.
        JsonNode model = null!;
        for (var i = 0; i < 240 && model?["dataVersion"] is null; i++)
        {
            await Task.Delay(250);
            model = await tenant.Http.GetAsync("/v1/churn-risk/model").Expect(HttpStatusCode.OK);
        }
        var first = model["dataVersion"]!.GetValue<long>();
        Assert.NotNull(model["method"]);

        await tenant.Http.PostJson("/v1/clients", new { name = "New", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        // Several polls later the model still stands on the first data: the retrain waits for MinRetrainInterval.
        await Task.Delay(2_500);
        model = await tenant.Http.GetAsync("/v1/churn-risk/model").Expect(HttpStatusCode.OK);
        Assert.Equal(first, model["dataVersion"]!.GetValue<long>());
        Assert.True(model["currentDataVersion"]!.GetValue<long>() > first);
    }

    [Fact]
    public void The_training_sample_is_the_same_whatever_the_order_of_the_ids_and_is_a_subset_of_the_requested_size()
    {
        var ids = Enumerable.Range(0, 1_000).Select(_ => Guid.CreateVersion7()).ToList();
        var sample = ChurnModelWorker.TrainingSample(ids, 100);
        var again = ChurnModelWorker.TrainingSample(ids.AsEnumerable().Reverse().ToList(), 100);
        Assert.Equal(100, sample.Count);
        Assert.Equal(100, sample.Distinct().Count());
        Assert.Equal(sample.OrderBy(g => g), again.OrderBy(g => g));
        Assert.All(sample, id => Assert.Contains(id, ids));
        // Not simply the oldest or newest ids (version-7 ids are time-ordered): the sample spreads over the whole list.
        var positions = sample.Select(id => ids.IndexOf(id)).ToList();
        Assert.True(positions.Min() < 200 && positions.Max() > 800, $"sample spans {positions.Min()}..{positions.Max()}");
        Assert.Equal(ids.Count, ChurnModelWorker.TrainingSample(ids, 5_000).Count);
    }

    [Fact]
    public async Task The_worker_trains_a_new_tenant_and_retrains_it_when_its_data_version_moves()
    {
        using var factory = new WorkerFactory();
        using var tenant = await factory.CreateTenantAsync();
        await ChurnSeed.SeedAsync(factory, tenant, ChurnDataGenerator.Generate(clients: 30));
        var first = await WaitForModel(tenant, v => v is not null);
        await tenant.Http.PostJson("/v1/clients", new { name = "New", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        var second = await WaitForModel(tenant, v => v > first);
        Assert.True(second > first);
    }

    private static async Task<long> WaitForModel(TenantClient tenant, Func<long?, bool> until)
    {
        for (var i = 0; i < 240; i++)
        {
            var model = await tenant.Http.GetAsync("/v1/churn-risk/model").Expect(HttpStatusCode.OK);
            var version = model["dataVersion"]?.GetValue<long>();
            if (until(version) && version == model["currentDataVersion"]!.GetValue<long>())
                return version!.Value;
            await Task.Delay(250);
        }
        throw new TimeoutException("the worker did not train the tenant within a minute");
    }
}

/// <summary>
/// A ranking larger than <c>Cache:MaxEntryBytes</c> (20 bytes a client) is not kept: every read ranks again, with the
/// same answers. Here the limit is 40 bytes, so a tenant of 5 clients is always ranked afresh.
/// </summary>
public sealed class ChurnRankingOverTheCacheLimitTests(ChurnRankingOverTheCacheLimitTests.TinyCacheFactory factory)
    : IClassFixture<ChurnRankingOverTheCacheLimitTests.TinyCacheFactory>
{
    public sealed class TinyCacheFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Cache:MaxEntryBytes", "40");
        }
    }

    [Fact]
    public async Task A_ranking_too_large_to_keep_is_answered_all_the_same_page_by_page()
    {
        using var tenant = await factory.CreateTenantAsync();
        var http = tenant.Http;
        var ends = new[] { "2025-07-03", "2025-07-20", "2025-08-30", "2025-12-31", "2026-06-30" };
        for (var i = 0; i < ends.Length; i++)
        {
            var created = await http.PostJson("/v1/clients", new { name = $"C{i}", acquiredOn = "2024-01-01" }).Expect(HttpStatusCode.Created);
            await http.PostJson("/v1/contracts", new { clientId = created["id"]!.GetValue<Guid>(), signedOn = "2024-01-01", startsOn = "2024-01-01", endsOn = ends[i], value = 1000.00m, currency = "USD", kind = "new" }).Expect(HttpStatusCode.Created);
        }
        var names = new List<string>();
        string? cursor = null;
        do
        {
            var page = await http.GetAsync("/v1/churn-risk?asOf=2025-06-30&limit=2" + (cursor is null ? "" : $"&cursor={cursor}")).Expect(HttpStatusCode.OK);
            names.AddRange(page["items"]!.AsArray().Select(i => i!["clientName"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(5, names.Count);
        Assert.Equal(names.Distinct(), names);
        var whole = await http.GetAsync("/v1/churn-risk?asOf=2025-06-30").Expect(HttpStatusCode.OK);
        Assert.Equal(names, whole["items"]!.AsArray().Select(i => i!["clientName"]!.GetValue<string>()));
        var probabilities = whole["items"]!.AsArray().Select(i => i!["probability"]!.GetValue<decimal>()).ToList();
        Assert.Equal(probabilities.OrderByDescending(p => p), probabilities);
        Assert.True(probabilities[0] > probabilities[^1], "contracts ending sooner rank higher");
    }
}

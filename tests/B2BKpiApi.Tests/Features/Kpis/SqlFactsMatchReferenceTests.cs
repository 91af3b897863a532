using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tenancy;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Metrics;
using B2BKpiApi.Metrics.Reference;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Features.Kpis;

/// <summary>
/// The SQL aggregates must give exactly the facts that the readable in-memory definition
/// (<see cref="ReferenceFacts"/>) gives on the same random records, and so the same 31 KPI values,
/// on whichever provider the suite runs against (CI runs it on SQLite and on PostgreSQL).
/// </summary>
public sealed class SqlFactsMatchReferenceTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] Categories = ["cogs", "direct-labor", "sales", "marketing", "overhead"];
    private static readonly string[] Industries = ["manufacturing", "retail", "saas"];
    private static readonly string?[] Roles = ["economic-buyer", "technical-buyer", "user", "gatekeeper", "other", null];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Sql_facts_equal_the_reference_facts_on_random_records(int seed)
    {
        var random = new Random(seed);
        using var tenant = await factory.CreateTenantAsync();
        var records = await PushRandomRecords(tenant, random);
        var committeesSeen = 0;

        for (var i = 0; i < 6; i++)
        {
            var from = new DateOnly(2024, 1, 1).AddDays(random.Next(0, 900));
            var period = new Period(from, from.AddDays(random.Next(0, 400)));
            var sql = await SqlFacts(tenant, period, KpiFilter.None);
            var reference = ReferenceFacts.Compute(records, period);

            Assert.Equal(reference.Clients, sql.Clients);
            Assert.Equal(reference.Costs, sql.Costs);
            Assert.Equal(reference.Surveys, sql.Surveys);
            Assert.Equal(reference.Leads, sql.Leads);
            Assert.Equal(Exact(reference.Revenue!), Exact(sql.Revenue!));
            Assert.Equal(Exact(reference.Relationships!), Exact(sql.Relationships!));
            if (reference.Relationships is { CoveredClients: > 0, ClientsWithTwoNpsRoles: > 0 })
                committeesSeen++;
            // The breakdown that explains revenue is the reference's, contract by contract, and re-derives R.
            var recognition = sql.Revenue!.Recognition;
            Assert.NotNull(recognition);
            Assert.Equal(reference.Revenue!.Recognition, recognition);
            Assert.Equal(decimal.Round(sql.Revenue.Revenue, 12), decimal.Round(recognition.ByTermLength.Sum(t => t.ValueDays / t.TermDays), 12));
            Assert.Equal(records.Contracts.Count(c => c.StartsOn <= period.To && c.EndsOn >= period.From), recognition.Contracts);

            var expected = KpiCalculator.ComputeAll(reference).Select(r => (r.Definition.Id, r.Value, r.Reason));
            var actual = KpiCalculator.ComputeAll(sql).Select(r => (r.Definition.Id, r.Value, r.Reason));
            Assert.Equal(expected, actual);
        }
        // The relationship facts were compared on committees, not only on empty ones.
        Assert.True(committeesSeen > 0, "no period had a covered client and a client with two nps roles");
    }

    [Theory]
    [InlineData(4, Interval.Month)]
    [InlineData(5, Interval.Quarter)]
    public async Task Facts_of_many_periods_computed_together_equal_the_reference_facts_of_each(int seed, Interval interval)
    {
        var random = new Random(seed);
        using var tenant = await factory.CreateTenantAsync();
        var records = await PushRandomRecords(tenant, random);
        // A series' points (clipped first and last parts included) and their previous periods, which overlap.
        var points = new Period(new DateOnly(2023, 8, 17), new DateOnly(2026, 2, 9)).Split(interval);
        var periods = points.Concat(points.Select(p => p.Previous())).ToList();

        IReadOnlyDictionary<Period, PeriodFacts> all;
        using (var scope = factory.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Resolve(tenant.TenantId, "USD", "manufacturing");
            all = await scope.ServiceProvider.GetRequiredService<FactsQuery>().ComputeAsync(periods, KpiFilter.None, FactNeeds.All, CancellationToken.None);
        }

        Assert.Equal(periods.Distinct().Count(), all.Count);
        foreach (var period in periods)
        {
            var reference = ReferenceFacts.Compute(records, period);
            var sql = all[period];
            Assert.Equal(reference.Clients, sql.Clients);
            Assert.Equal(reference.Costs, sql.Costs);
            Assert.Equal(reference.Surveys, sql.Surveys);
            Assert.Equal(reference.Leads, sql.Leads);
            Assert.Equal(Exact(reference.Revenue!), Exact(sql.Revenue!));
            Assert.Equal(Exact(reference.Relationships!), Exact(sql.Relationships!));
            var expected = KpiCalculator.ComputeAll(reference).Select(r => (r.Definition.Id, r.Value, r.Reason));
            Assert.Equal(expected, KpiCalculator.ComputeAll(sql).Select(r => (r.Definition.Id, r.Value, r.Reason)));
            Assert.NotNull(sql.Revenue!.Recognition);
        }
    }

    /// <summary>
    /// L counts a period's churned clients acquired by its start. The query groups only lives shorter than the longest
    /// period by acquisition day (the rest by churn day), so lives on both sides of that length, churns on the day of
    /// acquisition and acquisitions on a period's start day are checked against the reference, in months and years at once.
    /// </summary>
    [Fact]
    public async Task Churns_near_a_period_start_and_lives_around_the_longest_period_match_the_reference()
    {
        using var tenant = await factory.CreateTenantAsync();
        (string Acquired, string? Churned)[] lives =
        [
            ("2025-03-31", "2025-04-10"), // acquired on April's start day: in April's L
            ("2025-04-01", "2025-04-10"), // acquired inside April: not in its L
            ("2025-04-05", "2025-04-05"), // churned the day it was acquired
            ("2024-04-10", "2025-04-09"), // 364 days: shorter than the year 2025 (365), in its L and in April's
            ("2025-01-01", "2025-12-31"), // 364 days inside 2025: not in the year's L, in December's
            ("2024-01-01", "2025-01-01"), // 366 days: longer than any period here
            ("2023-12-31", "2024-12-31"), // 366 days, churned on the last day of 2024 (leap year)
            ("2024-12-31", null),
            ("2025-06-15", null),
        ];
        var bodies = new JsonArray();
        var drafts = new List<(DateOnly Acquired, DateOnly? Churned)>();
        for (var i = 0; i < lives.Length; i++)
        {
            bodies.Add(new JsonObject
            {
                ["externalId"] = $"l{i}", ["name"] = $"Life {i}", ["acquiredOn"] = lives[i].Acquired, ["churnedOn"] = lives[i].Churned,
            });
            drafts.Add((DateOnly.Parse(lives[i].Acquired, CultureInfo.InvariantCulture),
                lives[i].Churned is { } c ? DateOnly.Parse(c, CultureInfo.InvariantCulture) : null));
        }
        var created = await tenant.Http.PostJson("/v1/clients/batch", new JsonObject { ["items"] = bodies }).Expect(HttpStatusCode.OK);
        var clients = created["items"]!.AsArray().Zip(drafts)
            .Select(x => new ClientRecord(Guid.Parse(x.First!["id"]!.GetValue<string>()), x.Second.Acquired, x.Second.Churned, null, null))
            .ToList();
        var records = new TenantRecords(clients, [], [], [], []);
        var months = new Period(new DateOnly(2024, 1, 1), new DateOnly(2025, 12, 31)).Split(Interval.Month);
        IReadOnlyList<Period>[] grids =
        [
            months,
            [.. months, new Period(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31)), new Period(new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31))],
        ];

        foreach (var periods in grids)
        {
            IReadOnlyDictionary<Period, PeriodFacts> all;
            using (var scope = factory.Services.CreateScope())
            {
                scope.ServiceProvider.GetRequiredService<TenantContext>().Resolve(tenant.TenantId, "USD", "manufacturing");
                all = await scope.ServiceProvider.GetRequiredService<FactsQuery>().ComputeAsync(periods, KpiFilter.None, FactNeeds.All, CancellationToken.None);
            }
            foreach (var period in periods)
                Assert.Equal(ReferenceFacts.Compute(records, period).Clients, all[period].Clients);
            // Worked by hand, so that the reference is not the only judge.
            var april = all[new Period(new DateOnly(2025, 4, 1), new DateOnly(2025, 4, 30))].Clients!;
            Assert.Equal((2, 2), (april.New, april.Lost));
            if (periods.Count > months.Count)
            {
                var year2025 = all[new Period(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31))].Clients!;
                Assert.Equal((3, 2, 2, 7), (year2025.AtStart, year2025.Lost, year2025.AtEnd, year2025.Churned));
                Assert.Equal(10 + 9 + 0 + 364 + 364 + 366 + 366, year2025.ChurnedLifespanDays);
            }
        }
    }

    [Fact]
    public async Task An_industry_filter_gives_the_facts_of_that_industrys_clients_alone()
    {
        var random = new Random(7);
        using var tenant = await factory.CreateTenantAsync();
        var records = await PushRandomRecords(tenant, random);
        var period = new Period(new DateOnly(2025, 1, 1), new DateOnly(2025, 6, 30));

        var retail = records.Clients.Where(c => c.Industry == "retail").ToList();
        var ids = retail.Select(c => c.Id).ToHashSet();
        var onlyRetail = new TenantRecords(retail, records.Contracts.Where(c => ids.Contains(c.ClientId)).ToList(), [],
            records.Surveys.Where(s => s.ClientId is { } id && ids.Contains(id)).ToList(), []);
        var reference = ReferenceFacts.Compute(onlyRetail, period);
        var sql = await SqlFacts(tenant, period, new KpiFilter("Retail", null, null));

        Assert.Equal(reference.Clients, sql.Clients);
        Assert.Equal(reference.Surveys, sql.Surveys);
        Assert.Equal(Exact(reference.Revenue!), Exact(sql.Revenue!));
        Assert.Equal(Exact(reference.Relationships!), Exact(sql.Relationships!));
        Assert.Null(sql.Costs);
        Assert.Null(sql.Leads);
    }

    private async Task<PeriodFacts> SqlFacts(TenantClient tenant, Period period, KpiFilter filter)
    {
        using var scope = factory.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Resolve(tenant.TenantId, "USD", "manufacturing");
        return await scope.ServiceProvider.GetRequiredService<FactsQuery>().ComputeAsync(period, filter, FactsQuery.AllFamilies, CancellationToken.None);
    }

    // Revenue and ARR are sums of value × days / term days: compare them at a precision far below a cent.
    private static RevenueFacts Exact(RevenueFacts r) => r with
    {
        Revenue = decimal.Round(r.Revenue, 12), PreviousRevenue = decimal.Round(r.PreviousRevenue, 12), ArrAtEnd = decimal.Round(r.ArrAtEnd, 12),
        NrrBaseArr = decimal.Round(r.NrrBaseArr, 12), NrrCurrentArr = decimal.Round(r.NrrCurrentArr, 12),
    };

    // The spread sums role NPS values such as 100 / 3 client by client: compare it far below a hundredth as well.
    private static RelationshipFacts Exact(RelationshipFacts r) => r with { NpsSpreadSum = decimal.Round(r.NpsSpreadSum, 12) };

    private static async Task<TenantRecords> PushRandomRecords(TenantClient tenant, Random random)
    {
        var origin = new DateOnly(2023, 6, 1);
        DateOnly Day(int maxDays) => origin.AddDays(random.Next(0, maxDays));
        static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        decimal Money() => random.Next(1, 5_000_000) / 100m;

        var clientBodies = new JsonArray();
        var clientDrafts = new List<(string ExternalId, DateOnly AcquiredOn, DateOnly? ChurnedOn, string Industry)>();
        for (var i = 0; i < 40; i++)
        {
            var acquired = Day(1100);
            DateOnly? churned = random.Next(3) == 0 ? acquired.AddDays(random.Next(0, 500)) : null;
            var industry = Industries[random.Next(Industries.Length)];
            clientDrafts.Add(($"c{i}", acquired, churned, industry));
            clientBodies.Add(new JsonObject
            {
                ["externalId"] = $"c{i}", ["name"] = $"Client {i}", ["acquiredOn"] = Iso(acquired),
                ["churnedOn"] = churned is { } c ? Iso(c) : null, ["industry"] = industry, ["segment"] = "smb",
            });
        }
        var created = await tenant.Http.PostJson("/v1/clients/batch", new JsonObject { ["items"] = clientBodies }).Expect(HttpStatusCode.OK);
        var clients = created["items"]!.AsArray().Zip(clientDrafts)
            .Select(x => new ClientRecord(Guid.Parse(x.First!["id"]!.GetValue<string>()), x.Second.AcquiredOn, x.Second.ChurnedOn,
                x.Second.Industry, "smb"))
            .ToList();

        var contracts = new List<ContractRecord>();
        var contractBodies = new JsonArray();
        for (var i = 0; i < 80; i++)
        {
            var client = clients[random.Next(clients.Count)];
            var starts = Day(1100);
            var ends = starts.AddDays(random.Next(0, 3) switch { 0 => 364, 1 => random.Next(0, 60), _ => random.Next(0, 800) });
            var signed = starts.AddDays(-random.Next(0, 40));
            var value = Money();
            contracts.Add(new ContractRecord(client.Id, signed, starts, ends, value));
            contractBodies.Add(new JsonObject
            {
                ["externalId"] = $"k{i}", ["clientId"] = client.Id.ToString(), ["signedOn"] = Iso(signed), ["startsOn"] = Iso(starts),
                ["endsOn"] = Iso(ends), ["value"] = value, ["currency"] = "USD", ["kind"] = "new",
            });
        }
        await tenant.Http.PostJson("/v1/contracts/batch", new JsonObject { ["items"] = contractBodies }).Expect(HttpStatusCode.OK);

        var costs = new List<CostRecord>();
        var costBodies = new JsonArray();
        for (var i = 0; i < 60; i++)
        {
            var category = Categories[random.Next(Categories.Length)];
            var amount = Money();
            var day = Day(1100);
            costs.Add(new CostRecord(category, amount, day));
            costBodies.Add(new JsonObject { ["externalId"] = $"o{i}", ["category"] = category, ["amount"] = amount, ["currency"] = "USD", ["incurredOn"] = Iso(day) });
        }
        await tenant.Http.PostJson("/v1/costs/batch", new JsonObject { ["items"] = costBodies }).Expect(HttpStatusCode.OK);

        var surveys = new List<SurveyRecord>();
        var surveyBodies = new JsonArray();
        // The first 90 answers spread over every client; the next ones come from the committees of 8 clients (nps twice
        // as often), so that clients with several roles answering, buyer detractors and role NPS spreads occur in most periods.
        for (var i = 0; i < 240; i++)
        {
            var (kind, max, min) = (i < 90 ? i % 3 : random.Next(4)) switch { 0 or 3 => ("nps", 10, 0), 1 => ("csat", 5, 1), _ => ("ces", 7, 1) };
            var score = random.Next(min, max + 1);
            var day = Day(1100);
            Guid? clientId = i < 90
                ? random.Next(2) == 0 ? clients[random.Next(clients.Count)].Id : null
                : random.Next(8) == 0 ? null : clients[random.Next(8)].Id;
            var role = Roles[random.Next(Roles.Length)];
            surveys.Add(new SurveyRecord(kind, score, day, clientId, role));
            surveyBodies.Add(new JsonObject
            {
                ["externalId"] = $"s{i}", ["kind"] = kind, ["score"] = score, ["respondedOn"] = Iso(day), ["clientId"] = clientId?.ToString(),
                ["respondentRole"] = role,
            });
        }
        await tenant.Http.PostJson("/v1/surveys/batch", new JsonObject { ["items"] = surveyBodies }).Expect(HttpStatusCode.OK);

        var leads = new List<LeadRecord>();
        var leadBodies = new JsonArray();
        for (var i = 0; i < 70; i++)
        {
            var createdOn = Day(1100);
            DateOnly? qualified = random.Next(4) > 0 ? createdOn.AddDays(random.Next(0, 30)) : null;
            DateOnly? opportunity = qualified is { } q && random.Next(3) > 0 ? q.AddDays(random.Next(0, 30)) : null;
            DateOnly? closed = random.Next(3) > 0 ? (opportunity ?? qualified ?? createdOn).AddDays(random.Next(0, 90)) : null;
            bool? won = closed is null ? null : random.Next(2) == 0;
            decimal? dealValue = won == true ? Money() : null;
            leads.Add(new LeadRecord(createdOn, qualified, opportunity, closed, won, dealValue, "ads"));
            leadBodies.Add(new JsonObject
            {
                ["externalId"] = $"l{i}", ["createdOn"] = Iso(createdOn), ["qualifiedOn"] = qualified is { } a ? Iso(a) : null,
                ["opportunityOn"] = opportunity is { } b ? Iso(b) : null, ["closedOn"] = closed is { } c ? Iso(c) : null,
                ["outcome"] = won is null ? null : won.Value ? "won" : "lost", ["dealValue"] = dealValue,
                ["currency"] = dealValue is null ? null : "USD", ["source"] = "ads",
            });
        }
        await tenant.Http.PostJson("/v1/leads/batch", new JsonObject { ["items"] = leadBodies }).Expect(HttpStatusCode.OK);

        return new TenantRecords(clients, contracts, leads, surveys, costs);
    }
}

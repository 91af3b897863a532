using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.PeerBenchmarks;

/// <summary>Records the SQL text of every command the host runs during <see cref="During"/>.</summary>
public sealed class CommandRecorder : DbCommandInterceptor
{
    public ConcurrentQueue<string> Commands { get; } = new();
    private volatile bool _recording;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (_recording)
            Commands.Enqueue(command.CommandText);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public async Task<List<string>> During(Func<Task> action)
    {
        Commands.Clear();
        _recording = true;
        try
        {
            await action();
        }
        finally
        {
            _recording = false;
        }
        return Commands.ToList();
    }

    /// <summary>
    /// As <see cref="During"/>, without the API-key lookup: the middleware reads the key from the database when its
    /// in-memory copy is over a second old, so whether a request runs it depends on timing (a slow run, PostgreSQL),
    /// not on the endpoint under test.
    /// </summary>
    public async Task<List<string>> DuringAfterAuth(Func<Task> action) =>
        (await During(action)).Where(c => !IsKeyLookup(c)).ToList();

    public static bool IsKeyLookup(string sql) =>
        sql.Contains("ApiKeyId", StringComparison.Ordinal) && sql.Contains("Tenants", StringComparison.Ordinal);
}

/// <summary>30 generated tenants (five opted out), the job run once; every test only reads.</summary>
public sealed class PeerCohortFixture : PeersFactory, IAsyncLifetime
{
    public CommandRecorder Recorder { get; } = new();

    public sealed record Member(int Index, TenantClient Tenant, string Industry, int Clients, int Churned, bool OptIn)
    {
        public string SizeBand => Clients - Churned < 10 ? "under-10" : "10-49";
    }

    public List<Member> Members { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.ConfigureDbContext<KpiDbContext>(o => o.AddInterceptors(Recorder)));
    }

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 30; i++)
        {
            var industry = i < 20 ? "saas" : "retail";
            var clients = 4 + i * 7 % 23;
            var churned = i * 3 % 5;
            var optIn = i % 6 != 5;
            Members.Add(new Member(i, await TenantAsync(industry, clients, churned, optIn), industry, clients, churned, optIn));
        }
        await RunJobAsync();
    }

    Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var m in Members)
            m.Tenant.Dispose();
        Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PeerCohortTests(PeerCohortFixture fx) : IClassFixture<PeerCohortFixture>
{
    private const string Q1 = $"from={PeersFactory.From}&to={PeersFactory.To}";

    /// <summary>
    /// The test's own percentile: linear interpolation between closest ranks, written with 1-based ranks
    /// (rank r = 1 + q·(n − 1); between the values of ranks ⌊r⌋ and ⌈r⌉ by the fraction of r), rounded half away from zero.
    /// </summary>
    private static decimal Percentile(IEnumerable<decimal> values, decimal q, int decimals)
    {
        var v = values.OrderBy(x => x).ToArray();
        var rank = 1 + q * (v.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = (int)Math.Ceiling(rank);
        var x = v[below - 1] + (rank - below) * (v[above - 1] - v[below - 1]);
        return Math.Round(x, decimals, MidpointRounding.AwayFromZero);
    }

    private sealed record Expected(string Cohort, string Industry, string SizeBand, string Tenants, decimal? P10, decimal P25, decimal P50,
        decimal P75, decimal? P90, HashSet<int> Members);

    private static string Band(int n) => n switch { < 10 => "5-9", < 20 => "10-19", < 50 => "20-49", _ => "50-99" };

    /// <summary>The published cohorts, worked out here from the tenants' own KPI answers: k = 10, tails from 20, nested cohorts one apart withdrawn.</summary>
    private async Task<List<Expected>> ExpectedCohorts(string kpi, int decimals, bool includeOptedOut = false)
    {
        var values = new Dictionary<int, decimal>();
        foreach (var m in fx.Members.Where(m => m.OptIn || includeOptedOut))
        {
            var result = await m.Tenant.Http.GetAsync($"/v1/kpis/{kpi}?{Q1}").Expect(HttpStatusCode.OK);
            if (result["value"] is { } value && result["sample"]?["isSmall"]?.GetValue<bool>() != true)
                values[m.Index] = value.GetValue<decimal>();
        }
        var byIndex = fx.Members.ToDictionary(m => m.Index);
        var groups = values.Keys
            .SelectMany(i => new[]
            {
                ("industry-size", byIndex[i].Industry, byIndex[i].SizeBand, i), ("industry", byIndex[i].Industry, "*", i), ("all", "*", "*", i),
            })
            .GroupBy(x => (x.Item1, x.Item2, x.Item3), x => x.i)
            .Where(g => g.Count() >= 10)
            .Select(g =>
            {
                var vs = g.Select(i => values[i]).ToList();
                var tails = vs.Count >= 20;
                return new Expected(g.Key.Item1, g.Key.Item2, g.Key.Item3, Band(vs.Count),
                    tails ? Percentile(vs, 0.10m, decimals) : null, Percentile(vs, 0.25m, decimals), Percentile(vs, 0.50m, decimals),
                    Percentile(vs, 0.75m, decimals), tails ? Percentile(vs, 0.90m, decimals) : null, g.ToHashSet());
            }).ToList();
        // A parent cohort only one tenant larger than a published child of it is withdrawn.
        return groups.Where(p => p.Cohort == "industry-size" || !groups.Any(c =>
            c != p && c.Cohort != "all" && (p.Cohort == "all" || (c.Cohort == "industry-size" && c.Industry == p.Industry))
            && c.Members.IsSubsetOf(p.Members) && p.Members.Count - c.Members.Count == 1)).ToList();
    }

    private static string Key(string cohort, string industry, string size) => $"{cohort}|{industry}|{size}";

    [Theory]
    [InlineData("customer-churn-rate", 2)]
    [InlineData("active-clients", 0)]
    public async Task Published_percentiles_equal_an_independent_computation_over_the_opted_in_tenants(string kpi, int decimals)
    {
        var expected = await ExpectedCohorts(kpi, decimals);
        Assert.Contains(expected, e => e.Cohort == "all" && e.P10 is not null); // 25 contributors: the tails are there
        Assert.Contains(expected, e => e.Cohort == "industry" && e.Industry == "saas");

        var reader = fx.Members.First(m => m.OptIn).Tenant;
        var listed = await reader.Http.GetAsync($"/v1/benchmarks/peers?kpi={kpi}&period={PeersFactory.Quarter}").Expect(HttpStatusCode.OK);
        var cohorts = listed["cohorts"]!.AsArray().Select(c => c!.AsObject()).ToList();
        Assert.Equal(expected.Select(e => Key(e.Cohort, e.Industry, e.SizeBand)).Order(),
            cohorts.Select(c => Key((string)c["cohort"]!, (string)c["industry"]!, (string)c["sizeBand"]!)).Order());
        foreach (var e in expected)
        {
            var c = cohorts.Single(x => Key((string)x["cohort"]!, (string)x["industry"]!, (string)x["sizeBand"]!) == Key(e.Cohort, e.Industry, e.SizeBand));
            Assert.Equal(e.Tenants, (string)c["tenants"]!);
            Assert.Equal(e.P10, (decimal?)c["p10"]);
            Assert.Equal(e.P25, (decimal)c["p25"]!);
            Assert.Equal(e.P50, (decimal)c["p50"]!);
            Assert.Equal(e.P75, (decimal)c["p75"]!);
            Assert.Equal(e.P90, (decimal?)c["p90"]);
            // Nothing finer than the percentiles and a band: no count, minimum, maximum or mean.
            Assert.Equal(["cohort", "computedAt", "industry", "p10", "p25", "p50", "p75", "p90", "sizeBand", "tenants"],
                c.Select(p => p.Key).Order());
        }

        // The opted-out tenants' churn rates would have changed the figures: the comparison above could fail.
        if (kpi != "customer-churn-rate")
            return;
        var withOptedOut = await ExpectedCohorts(kpi, decimals, includeOptedOut: true);
        var allBoth = (withOptedOut.Single(e => e.Cohort == "all"), expected.Single(e => e.Cohort == "all"));
        Assert.NotEqual((allBoth.Item1.P10, allBoth.Item1.P25, allBoth.Item1.P50, allBoth.Item1.P75, allBoth.Item1.P90),
            (allBoth.Item2.P10, allBoth.Item2.P25, allBoth.Item2.P50, allBoth.Item2.P75, allBoth.Item2.P90));
    }

    [Fact]
    public async Task A_kpi_read_with_peers_carries_the_first_published_cohort_and_the_position()
    {
        var expected = await ExpectedCohorts("customer-churn-rate", 2);
        foreach (var m in fx.Members.Where(m => m.OptIn))
        {
            var result = await m.Tenant.Http.GetAsync($"/v1/kpis/customer-churn-rate?{Q1}&peers=true").Expect(HttpStatusCode.OK);
            var peers = result["peers"]!;
            var cohort = expected.FirstOrDefault(e => e.Cohort == "industry-size" && e.Industry == m.Industry && e.SizeBand == m.SizeBand)
                         ?? expected.FirstOrDefault(e => e.Cohort == "industry" && e.Industry == m.Industry)
                         ?? expected.Single(e => e.Cohort == "all");
            Assert.Equal(cohort.Cohort, (string)peers["cohort"]!);
            Assert.Equal(cohort.Industry, (string)peers["industry"]!);
            Assert.Equal(cohort.P25, (decimal)peers["p25"]!);
            Assert.Equal(cohort.P50, (decimal)peers["p50"]!);
            Assert.Equal(cohort.P75, (decimal)peers["p75"]!);
            Assert.Equal(cohort.Tenants, (string)peers["tenants"]!);
            Assert.Null(peers["reason"]);
            var own = (decimal)result["value"]!;
            var position = own < cohort.P25 ? "below-p25" : own < cohort.P50 ? "p25-p50" : own <= cohort.P75 ? "p50-p75" : "above-p75";
            Assert.Equal(position, (string)peers["position"]!);
            if (m.Industry == "retail")
                Assert.Equal("all", (string)peers["cohort"]!); // 8 opted-in retail tenants: below k, so the fallback
        }
    }

    [Fact]
    public async Task Opted_out_tenants_see_no_peer_figures()
    {
        foreach (var m in fx.Members.Where(m => !m.OptIn))
        {
            var result = await m.Tenant.Http.GetAsync($"/v1/kpis/customer-churn-rate?{Q1}&peers=true").Expect(HttpStatusCode.OK);
            Assert.Equal("not-opted-in", (string)result["peers"]!["reason"]!);
            Assert.Null(result["peers"]!["p50"]);
            await m.Tenant.Http.GetAsync($"/v1/benchmarks/peers?kpi=customer-churn-rate&period={PeersFactory.Quarter}")
                .ExpectProblem(HttpStatusCode.Forbidden);
            var scorecard = await m.Tenant.Http.GetAsync($"/v1/scorecard?{Q1}&peers=true").Expect(HttpStatusCode.OK);
            Assert.All(scorecard["perspectives"]!.AsArray().SelectMany(p => p!["kpis"]!.AsArray()),
                k => Assert.Equal("not-opted-in", (string)k!["peers"]!["reason"]!));
        }
        // And they contribute nothing: no snapshot was computed over them.
        var optedOut = fx.Members.Where(m => !m.OptIn).Select(m => m.Tenant.TenantId.ToString("N")).ToList();
        Assert.All(fx.Snapshots(), s => Assert.DoesNotContain(s.Members.Split(','), optedOut.Contains));
    }

    [Fact]
    public async Task Absent_figures_say_why()
    {
        var tenant = fx.Members.First(m => m.OptIn && m.Industry == "retail").Tenant;
        // No tenant has surveys: no cohort reaches k.
        var nps = await tenant.Http.GetAsync($"/v1/kpis/net-promoter-score?{Q1}&peers=true").Expect(HttpStatusCode.OK);
        Assert.Equal("cohort-too-small", (string)nps["peers"]!["reason"]!);
        Assert.Null(nps["peers"]!["cohort"]);
        // Money KPIs, filtered reads and periods that are not a calendar month, quarter or year are not compared.
        var money = await tenant.Http.GetAsync($"/v1/kpis/revenue?{Q1}&peers=true").Expect(HttpStatusCode.OK);
        Assert.Equal("kpi-not-comparable", (string)money["peers"]!["reason"]!);
        var filtered = await tenant.Http.GetAsync($"/v1/kpis/customer-churn-rate?{Q1}&segment=smb&peers=true").Expect(HttpStatusCode.OK);
        Assert.Equal("kpi-not-comparable", (string)filtered["peers"]!["reason"]!);
        var odd = await tenant.Http.GetAsync("/v1/kpis/customer-churn-rate?from=2026-01-02&to=2026-03-31&peers=true").Expect(HttpStatusCode.OK);
        Assert.Equal("kpi-not-comparable", (string)odd["peers"]!["reason"]!);
        // The retail industry cohort (8 tenants) is not published, not even listed.
        var listed = await tenant.Http.GetAsync($"/v1/benchmarks/peers?kpi=customer-churn-rate&period={PeersFactory.Quarter}").Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(listed["cohorts"]!.AsArray(), c => (string)c!["industry"]! == "retail");
        // A month of the quarter was computed too.
        var march = await tenant.Http.GetAsync("/v1/benchmarks/peers?kpi=active-clients&period=2026-03").Expect(HttpStatusCode.OK);
        Assert.NotEmpty(march["cohorts"]!.AsArray());
    }

    [Fact]
    public async Task Without_peers_the_answer_is_as_before_and_a_peer_read_issues_no_computation_over_other_tenants()
    {
        var tenant = fx.Members.First(m => m.OptIn).Tenant;
        var url = $"/v1/kpis/customer-churn-rate?{Q1}";
        var plain = await tenant.Http.GetAsync(url);
        var plainBody = await plain.Content.ReadAsStringAsync();
        var withFalse = await (await tenant.Http.GetAsync(url + "&peers=false")).Content.ReadAsStringAsync();
        Assert.Equal(plainBody, withFalse);
        Assert.DoesNotContain("\"peers\"", plainBody, StringComparison.Ordinal);
        Assert.NotNull(plain.Headers.ETag);

        await tenant.Http.GetAsync(url + "&peers=true").Expect(HttpStatusCode.OK); // warm up: it also keeps the KPI result
        var snapshotsBefore = fx.Snapshots().Select(s => (s.Id, s.CheckedAt, s.ComputedAt)).Order().ToList();
        // "segment=" is not a cached response (the response cache keys by the raw query), so the plain read computes;
        // the peers read takes the KPI result the warm-up kept and runs only its two peer reads.
        var without = await fx.Recorder.DuringAfterAuth(() => tenant.Http.GetAsync(url + "&segment=").Expect(HttpStatusCode.OK));
        var with = await fx.Recorder.DuringAfterAuth(() => tenant.Http.GetAsync(url + "&segment=&peers=true").Expect(HttpStatusCode.OK));
        Assert.NotEmpty(without);
        Assert.True(with.Count == 2, "expected 2 commands, saw:\n" + string.Join("\n---\n", with));
        var extra = with.Where(c => c.Contains("PeerBenchmark", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, extra.Count);
        Assert.Contains(extra, c => c.Contains("PeerBenchmarkSettings", StringComparison.Ordinal) && c.Contains("TenantId", StringComparison.Ordinal));
        Assert.Contains(extra, c => c.Contains("PeerBenchmarkSnapshots", StringComparison.Ordinal));
        // The peer reads touch no tenant records, and nothing is written: no computation on the request path.
        Assert.All(extra, c => Assert.DoesNotMatch("\"(Clients|Contracts|Surveys|Leads|Costs)\"|\\bClients\\b", c));
        Assert.All(with, c => Assert.DoesNotMatch("^\\s*(INSERT|UPDATE|DELETE)", c));
        Assert.Equal(snapshotsBefore, fx.Snapshots().Select(s => (s.Id, s.CheckedAt, s.ComputedAt)).Order().ToList());

        // The scorecard: the same two reads for every KPI at once.
        var card = $"/v1/scorecard?{Q1}&segment=";
        var cardWithout = await fx.Recorder.DuringAfterAuth(() => tenant.Http.GetAsync(card).Expect(HttpStatusCode.OK));
        var cardWith = await fx.Recorder.DuringAfterAuth(() => tenant.Http.GetAsync(card + "&peers=true").Expect(HttpStatusCode.OK));
        Assert.True(cardWithout.Count + 2 == cardWith.Count, $"{cardWithout.Count} + 2 commands expected, saw:\n" + string.Join("\n---\n", cardWith));
        var cardAgain = await fx.Recorder.DuringAfterAuth(() => tenant.Http.GetAsync(card + "&peers=true").Expect(HttpStatusCode.OK));
        Assert.True(cardAgain.Count == 2, "expected 2 commands, saw:\n" + string.Join("\n---\n", cardAgain)); // the KPI results kept, the two peer reads afresh
        Assert.All(cardAgain, c => Assert.Contains("PeerBenchmark", c, StringComparison.Ordinal));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Caching;

/// <summary>
/// KPI reads are cached per tenant and data version: a repeat costs only the key lookup, any write is
/// visible in the very next read (on this instance and on another sharing the database), and a
/// revalidation with the ETag is a 304 with no computation.
/// </summary>
public sealed class KpiResponseCacheTests(CachingFactory factory) : IClassFixture<CachingFactory>
{
    private const string Mqls = "/v1/kpis/marketing-qualified-leads?from=2026-01-01&to=2026-03-31";

    [Theory]
    [InlineData("create")]
    [InlineData("replace")]
    [InlineData("delete")]
    [InlineData("batch")]
    [InlineData("csv-import")]
    public async Task A_write_is_visible_in_the_very_next_read(string write)
    {
        using var tenant = await factory.CreateTenantAsync();
        var lead = await tenant.Http.PostJson("/v1/leads", Lead("kept", "2026-02-01")).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await ValueOf(tenant.Http, Mqls));
        factory.Counter.Reset();
        Assert.Equal(1, await ValueOf(tenant.Http, Mqls));
        Assert.Equal(1, factory.Counter.Count); // served from the cache: the key lookup only

        var leadUrl = $"/v1/leads/{lead["id"]}";
        var expected = write switch
        {
            "create" => await Done(tenant.Http.PostJson("/v1/leads", Lead("new", "2026-03-01")), HttpStatusCode.Created, 2),
            "replace" => await Done(tenant.Http.PutJson(leadUrl, Lead("kept", "2025-12-01")), HttpStatusCode.OK, 0),
            "delete" => await Done(tenant.Http.DeleteAsync(leadUrl), HttpStatusCode.NoContent, 0),
            "batch" => await Done(tenant.Http.PostJson("/v1/leads/batch",
                new { items = new[] { Lead("b1", "2026-01-20"), Lead("b2", "2026-01-21") } }), HttpStatusCode.OK, 3),
            "csv-import" => await Done(tenant.Http.PostAsync("/v1/leads/import", new StringContent(
                "externalId,createdOn,qualifiedOn\nc1,2026-01-02,2026-01-05\nc2,2026-01-02,2026-03-31\nc3,2026-01-02,2026-04-01\n",
                Encoding.UTF8, "text/csv")), HttpStatusCode.OK, 3),
            _ => throw new ArgumentOutOfRangeException(nameof(write)),
        };
        Assert.Equal(expected, await ValueOf(tenant.Http, Mqls));
    }

    [Fact]
    public async Task A_refused_write_changes_nothing_and_keeps_the_cached_answer()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/leads", Lead("once", "2026-02-01")).Expect(HttpStatusCode.Created);
        using var first = await tenant.Http.GetAsync(Mqls);
        await tenant.Http.PostJson("/v1/leads", Lead("once", "2026-02-02")).Expect(HttpStatusCode.Conflict);

        factory.Counter.Reset();
        using var again = await tenant.Http.GetAsync(Mqls);
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
        Assert.Equal(1, factory.Counter.Count);
    }

    [Theory]
    [InlineData("/v1/kpis/revenue?from=2026-01-01&to=2026-03-31")]
    [InlineData("/v1/kpis/revenue/series?from=2025-01-01&to=2026-12-31&interval=month")]
    [InlineData("/v1/scorecard?from=2026-01-01&to=2026-03-31")]
    [InlineData("/v1/scorecard?from=2026-01-01&to=2026-03-31&industry=retail")]
    public async Task A_repeated_read_runs_no_KPI_SQL_and_answers_the_same_bytes(string url)
    {
        using var tenant = await factory.CreateTenantAsync();
        await Features.Kpis.KpiScenario.PushAsync(tenant);

        factory.Counter.Reset();
        using var computed = await tenant.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, computed.StatusCode);
        Assert.True(factory.Counter.Count > 1, "the first read computes");

        factory.Counter.Reset();
        using var cached = await tenant.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(1, factory.Counter.Count); // the key lookup, which also reads the data version
        Assert.Equal(await computed.Content.ReadAsByteArrayAsync(), await cached.Content.ReadAsByteArrayAsync());
        Assert.Equal(computed.Content.Headers.ContentType, cached.Content.Headers.ContentType);
        Assert.Equal(computed.Headers.ETag, cached.Headers.ETag);
    }

    [Fact]
    public async Task A_peers_read_keeps_its_KPI_results_and_adds_the_peers_afresh_every_time()
    {
        const string url = "/v1/scorecard?from=2026-01-01&to=2026-03-31&peers=true";
        using var tenant = await factory.CreateTenantAsync();
        await Features.Kpis.KpiScenario.PushAsync(tenant);

        factory.Counter.Reset();
        using var computed = await tenant.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, computed.StatusCode);
        Assert.True(factory.Counter.Count > 3, "the first read computes");
        Assert.Null(computed.Headers.ETag); // not a cached response: peers move without the data version

        factory.Counter.Reset();
        using var kept = await tenant.Http.GetAsync(url);
        Assert.Equal(2, factory.Counter.Count); // the key lookup and the tenant's peer setting: no KPI SQL
        Assert.Equal(await computed.Content.ReadAsByteArrayAsync(), await kept.Content.ReadAsByteArrayAsync());

        // Opting in and out is seen by the very next read, the KPI results still kept.
        static IEnumerable<string?> Reasons(JsonNode body) => body["perspectives"]!.AsArray()
            .SelectMany(p => p!["kpis"]!.AsArray()).Select(k => k!["peers"]!["reason"]?.GetValue<string>());
        Assert.All(Reasons(await kept.Content.ReadFromJsonAsync<JsonNode>() ?? throw new InvalidOperationException()), r => Assert.Equal("not-opted-in", r));
        await PeerBenchmarks.PeersFactory.OptInAsync(tenant);
        Assert.DoesNotContain("not-opted-in", Reasons(await tenant.Http.GetAsync(url).Expect(HttpStatusCode.OK)));
        await PeerBenchmarks.PeersFactory.OptInAsync(tenant, optIn: false);
        Assert.All(Reasons(await tenant.Http.GetAsync(url).Expect(HttpStatusCode.OK)), r => Assert.Equal("not-opted-in", r));

        // What was asked is part of what is kept: a filtered peers read has the filtered values.
        static List<decimal?> Values(JsonNode body) => body["perspectives"]!.AsArray()
            .SelectMany(p => p!["kpis"]!.AsArray()).Select(k => k!["value"]?.GetValue<decimal>()).ToList();
        var unfiltered = Values(await tenant.Http.GetAsync(url).Expect(HttpStatusCode.OK));
        var filtered = Values(await tenant.Http.GetAsync(url + "&industry=retail").Expect(HttpStatusCode.OK));
        Assert.NotEqual(unfiltered, filtered);
        Assert.Equal(Values(await tenant.Http.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-03-31&industry=retail").Expect(HttpStatusCode.OK)), filtered);

        // A write is seen by the very next peers read.
        const string mqls = "/v1/kpis/marketing-qualified-leads?from=2026-01-01&to=2026-03-31&peers=true";
        var before = await ValueOf(tenant.Http, mqls);
        Assert.Equal(before, await ValueOf(tenant.Http, mqls));
        await tenant.Http.PostJson("/v1/leads", Lead("peers-read", "2026-02-01")).Expect(HttpStatusCode.Created);
        Assert.Equal(before + 1, await ValueOf(tenant.Http, mqls));

        // Byte for byte what a host that keeps nothing answers (last: FastEndpoints resolves through the newest host).
        using var keptNow = await tenant.Http.GetAsync(url);
        await using var uncached = CachingFactory.For(factory.Database.Shared(), ("Cache:Enabled", "false"));
        using var direct = uncached.ClientFor(tenant);
        using var fresh = await direct.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsByteArrayAsync(), await keptNow.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_cached_answer_is_byte_identical_to_one_computed_without_a_cache()
    {
        const string url = "/v1/scorecard?from=2026-01-01&to=2026-03-31";
        using var tenant = await factory.CreateTenantAsync();
        await Features.Kpis.KpiScenario.PushAsync(tenant);
        await tenant.Http.GetAsync(url).Expect(HttpStatusCode.OK);
        using var cached = await tenant.Http.GetAsync(url);

        await using var uncached = CachingFactory.For(factory.Database.Shared(), ("Cache:Enabled", "false"));
        using var direct = uncached.ClientFor(tenant);
        using var computed = await direct.GetAsync(url);

        Assert.Equal(await computed.Content.ReadAsByteArrayAsync(), await cached.Content.ReadAsByteArrayAsync());
        Assert.Equal(computed.Content.Headers.ContentType, cached.Content.Headers.ContentType);
        Assert.Equal(computed.Headers.ETag, cached.Headers.ETag); // the same build, tenant, version and request
    }

    [Fact]
    public async Task The_ETag_revalidates_with_a_304_that_computes_nothing_until_a_write()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/leads", Lead("one", "2026-02-01")).Expect(HttpStatusCode.Created);
        using var first = await tenant.Http.GetAsync(Mqls);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.True(first.Headers.CacheControl is { Private: true, NoCache: true }, $"Cache-Control: {first.Headers.CacheControl}");
        Assert.Contains("X-Api-Key", first.Headers.Vary);

        factory.Counter.Reset();
        using (var notModified = await Get(tenant.Http, Mqls, etag.Tag))
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, notModified.Headers.ETag);
            Assert.True(notModified.Headers.CacheControl is { Private: true, NoCache: true });
        }
        Assert.Equal(1, factory.Counter.Count);

        // If-None-Match compares weakly, takes a list, and a foreign tag does not match.
        using (var weak = await Get(tenant.Http, Mqls, $"\"nope\", W/{etag.Tag}"))
            Assert.Equal(HttpStatusCode.NotModified, weak.StatusCode);
        using (var other = await Get(tenant.Http, Mqls, "\"nope\""))
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using (var otherPeriod = await Get(tenant.Http, "/v1/kpis/marketing-qualified-leads?from=2026-01-01&to=2026-03-30", etag.Tag))
        {
            Assert.Equal(HttpStatusCode.OK, otherPeriod.StatusCode);
            Assert.NotEqual(etag, otherPeriod.Headers.ETag);
        }

        await tenant.Http.PostJson("/v1/leads", Lead("two", "2026-02-02")).Expect(HttpStatusCode.Created);
        using var changed = await Get(tenant.Http, Mqls, etag.Tag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Equal(2, (await changed.ReadJson())["value"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task The_query_is_normalized_the_way_binding_reads_it()
    {
        using var tenant = await factory.CreateTenantAsync();
        using var first = await tenant.Http.GetAsync("/v1/kpis/revenue?from=2026-01-01&to=2026-03-31");
        factory.Counter.Reset();
        using var reordered = await tenant.Http.GetAsync("/v1/kpis/revenue?TO=2026-03-31&from=2026-01-01");
        Assert.Equal(first.Headers.ETag, reordered.Headers.ETag);
        Assert.Equal(1, factory.Counter.Count);
    }

    [Fact]
    public async Task A_tenant_never_gets_another_tenants_cached_answer()
    {
        using var a = await factory.CreateTenantAsync();
        using var b = await factory.CreateTenantAsync();
        await a.Http.PostJson("/v1/leads", Lead("a1", "2026-02-01")).Expect(HttpStatusCode.Created);
        await a.Http.PostJson("/v1/leads", Lead("a2", "2026-02-02")).Expect(HttpStatusCode.Created);
        await b.Http.PostJson("/v1/leads", Lead("b1", "2026-02-01")).Expect(HttpStatusCode.Created);

        Assert.Equal(2, await ValueOf(a.Http, Mqls));
        using var aAnswer = await a.Http.GetAsync(Mqls);
        Assert.Equal(1, await ValueOf(b.Http, Mqls));
        using var bAnswer = await b.Http.GetAsync(Mqls);
        Assert.NotEqual(aAnswer.Headers.ETag, bAnswer.Headers.ETag);

        // Even with A's ETag, B gets its own answer, not a 304.
        using var bWithA = await Get(b.Http, Mqls, aAnswer.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, bWithA.StatusCode);
        Assert.Equal(1, (await bWithA.ReadJson())["value"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Refused_reads_are_not_cached_and_carry_no_ETag()
    {
        using var tenant = await factory.CreateTenantAsync();
        foreach (var url in new[] { "/v1/kpis/revenue?from=2026-03-31&to=2026-01-01", "/v1/kpis/no-such-kpi?from=2026-01-01&to=2026-03-31" })
        {
            var traceIds = new List<string>();
            for (var i = 0; i < 2; i++)
            {
                using var response = await tenant.Http.GetAsync(url);
                Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, url);
                Assert.Null(response.Headers.ETag);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                traceIds.Add((await response.ReadJson())["traceId"]!.GetValue<string>());
            }
            Assert.NotEqual(traceIds[0], traceIds[1]); // each refusal is the request's own, never a replay
        }
    }

    [Fact]
    public async Task Concurrent_misses_of_one_read_compute_it_once()
    {
        using var tenant = await factory.CreateTenantAsync();
        await Features.Kpis.KpiScenario.PushAsync(tenant);
        factory.Counter.Reset();
        await tenant.Http.GetAsync("/v1/scorecard?from=2026-01-01&to=2026-03-31").Expect(HttpStatusCode.OK);
        var oneComputation = factory.Counter.Count - 1; // less its key lookup

        const string url = "/v1/scorecard?from=2025-01-01&to=2025-03-31"; // the same work, not cached yet
        factory.Counter.Reset();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => tenant.Http.GetAsync(url)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies.Distinct());
        Assert.Equal(8 + oneComputation, factory.Counter.Count); // eight key lookups, one computation
        foreach (var response in responses)
            response.Dispose();
    }

    [Fact]
    public async Task A_write_on_one_instance_is_visible_in_the_next_read_on_another()
    {
        await using var other = CachingFactory.For(factory.Database.Shared());
        using var tenant = await factory.CreateTenantAsync();
        using var onB = other.ClientFor(tenant);
        await tenant.Http.PostJson("/v1/leads", Lead("x", "2026-02-01")).Expect(HttpStatusCode.Created);

        Assert.Equal(1, await ValueOf(onB, Mqls));
        other.Counter.Reset();
        Assert.Equal(1, await ValueOf(onB, Mqls));
        Assert.Equal(1, other.Counter.Count); // B answers from its own cache

        await tenant.Http.PostJson("/v1/leads", Lead("y", "2026-02-02")).Expect(HttpStatusCode.Created); // written on A
        Assert.Equal(2, await ValueOf(onB, Mqls));
        await tenant.Http.DeleteAsync($"/v1/leads/{await IdOf(tenant.Http, "y")}").Expect(HttpStatusCode.NoContent);
        Assert.Equal(1, await ValueOf(onB, Mqls));
    }

    internal static JsonObject Lead(string externalId, string qualifiedOn) => new()
    {
        ["externalId"] = externalId, ["createdOn"] = "2025-12-01", ["qualifiedOn"] = qualifiedOn, ["source"] = "webinar",
    };

    internal static async Task<decimal> ValueOf(HttpClient http, string url)
    {
        var result = await http.GetAsync(url).Expect(HttpStatusCode.OK);
        return result["value"]!.GetValue<decimal>();
    }

    private static async Task<string> IdOf(HttpClient http, string externalId)
    {
        var page = await http.GetAsync("/v1/leads?limit=200").Expect(HttpStatusCode.OK);
        return page["items"]!.AsArray().Single(i => i!["externalId"]!.GetValue<string>() == externalId)!["id"]!.GetValue<string>();
    }

    private static Task<HttpResponseMessage> Get(HttpClient http, string url, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return http.SendAsync(request);
    }

    private static async Task<int> Done(Task<HttpResponseMessage> write, HttpStatusCode status, int expected)
    {
        await write.Expect(status);
        return expected;
    }
}

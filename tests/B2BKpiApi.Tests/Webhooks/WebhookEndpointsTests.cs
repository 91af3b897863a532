using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using B2BKpiApi.Tests.Infrastructure;
using B2BKpiApi.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Tests.Webhooks;

/// <summary>A host with loopback http allowed (the receivers of these tests are on 127.0.0.1).</summary>
public sealed class LoopbackWebhookHost : IDisposable
{
    public WebhookApiFactory Factory { get; } = new(ApiFactory.NewDatabase(), WebhookApiFactory.NewKeysDirectory(),
        new Dictionary<string, string?> { ["Webhooks:PollInterval"] = "00:01:00" }); // these tests look at the API, not at delivery

    public void Dispose() => Factory.Dispose();
}

/// <summary>A host as in production (https only, no loopback), with DNS answered by the test.</summary>
public sealed class ProductionRulesWebhookHost : IDisposable
{
    public static readonly Dictionary<string, IPAddress[]> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["hooks.example.com"] = [IPAddress.Parse("93.184.216.34")],
        ["private.example.com"] = [IPAddress.Parse("10.0.0.7")],
        ["mixed.example.com"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("192.168.0.10")],
        ["metadata.example.com"] = [IPAddress.Parse("169.254.169.254")],
        ["mapped.example.com"] = [IPAddress.Parse("::ffff:127.0.0.1")],
        ["v6private.example.com"] = [IPAddress.Parse("fd00::5")],
    };

    public WebhookApiFactory Factory { get; } = new(ApiFactory.NewDatabase(), WebhookApiFactory.NewKeysDirectory(),
        new Dictionary<string, string?> { ["Webhooks:AllowLoopbackHttp"] = "false", ["Webhooks:PollInterval"] = "00:01:00" },
        new MapResolver(Names));

    public void Dispose() => Factory.Dispose();
}

public sealed class MapResolver(IReadOnlyDictionary<string, IPAddress[]> names) : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : throw new SocketException((int)SocketError.HostNotFound);
}

public sealed class WebhookEndpointsTests(LoopbackWebhookHost host) : IClassFixture<LoopbackWebhookHost>
{
    private WebhookApiFactory Factory => host.Factory;

    [Fact]
    public async Task An_endpoint_is_created_read_listed_replaced_and_deleted_and_its_secret_is_shown_once()
    {
        using var tenant = await Factory.CreateTenantAsync();
        using var response = await tenant.Http.PostJson("/v1/webhook-endpoints",
            new { url = "http://127.0.0.1:1029/hooks", description = "ops", eventTypes = new[] { "kpi.alert.triggered" } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        var id = created["id"]!.GetValue<string>();
        Assert.Equal($"/v1/webhook-endpoints/{id}", response.Headers.Location!.ToString());
        Assert.NotNull(response.Headers.ETag);
        var secret = created["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.True(Convert.FromBase64String(secret["whsec_".Length..]).Length >= 24);
        Assert.True(created["enabled"]!.GetValue<bool>());
        Assert.Equal("kpi.alert.triggered", Assert.Single(created["eventTypes"]!.AsArray())!.GetValue<string>());
        Assert.Null(created["disabledReason"]);
        Assert.EndsWith("Z", created["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);

        var read = await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}").Expect(HttpStatusCode.OK);
        Assert.Null(read["secret"]);
        Assert.Equal("ops", read["description"]!.GetValue<string>());
        Assert.DoesNotContain(secret, read.ToJsonString(), StringComparison.Ordinal);

        var list = await tenant.Http.GetAsync("/v1/webhook-endpoints?limit=10").Expect(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(list["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.DoesNotContain(secret, list.ToJsonString(), StringComparison.Ordinal);

        var replaced = await tenant.Http.PutJson($"/v1/webhook-endpoints/{id}",
            new { url = "http://127.0.0.1:1029/other", enabled = false, eventTypes = new[] { "kpi.alert.resolved", "webhook.test" } })
            .Expect(HttpStatusCode.OK);
        Assert.False(replaced["enabled"]!.GetValue<bool>());
        Assert.Null(replaced["description"]);
        Assert.Equal(2, replaced["eventTypes"]!.AsArray().Count);
        Assert.Null(replaced["secret"]);

        await tenant.Http.DeleteAsync($"/v1/webhook-endpoints/{id}").Expect(HttpStatusCode.NoContent);
        await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_list_is_paged_with_a_cursor()
    {
        using var tenant = await Factory.CreateTenantAsync();
        for (var i = 0; i < 3; i++)
            await WebhookApiFactory.RegisterAsync(tenant, $"http://127.0.0.1:1029/p{i}");
        var first = await tenant.Http.GetAsync("/v1/webhook-endpoints?limit=2").Expect(HttpStatusCode.OK);
        Assert.Equal(2, first["items"]!.AsArray().Count);
        var cursor = first["nextCursor"]!.GetValue<string>();
        var second = await tenant.Http.GetAsync($"/v1/webhook-endpoints?limit=2&cursor={cursor}").Expect(HttpStatusCode.OK);
        Assert.EndsWith("/p2", Assert.Single(second["items"]!.AsArray())!["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(second["nextCursor"]);
        await tenant.Http.GetAsync("/v1/webhook-endpoints?limit=0").ExpectProblem(HttpStatusCode.BadRequest, "limit");
        await tenant.Http.GetAsync("/v1/webhook-endpoints?cursor=nope").ExpectProblem(HttpStatusCode.BadRequest, "cursor");
    }

    [Fact]
    public async Task Validation_names_each_bad_field()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var problem = await tenant.Http.PostJson("/v1/webhook-endpoints",
            new { url = "", description = new string('x', 501), eventTypes = Array.Empty<string>() })
            .ExpectProblem(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("url"), problem.ToJsonString());
        Assert.True(errors.ContainsKey("description"), problem.ToJsonString());
        Assert.True(errors.ContainsKey("eventTypes"), problem.ToJsonString());
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "http://127.0.0.1:1029/", eventTypes = new[] { "kpi.alert.triggered", "nope" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "eventTypes[1]");
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "ftp://127.0.0.1/", eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "http://user:pw@127.0.0.1/", eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "http://127.0.0.1/", secret = "whsec_mine", eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal(0, Factory.WithDb(db => db.WebhookEndpoints.IgnoreQueryFilters().Count(e => e.TenantId == tenant.TenantId)));
    }

    [Fact]
    public async Task If_match_guards_replace_and_delete()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, "http://127.0.0.1:1029/etag");
        using var read = await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}");
        var etag = read.Headers.ETag!.ToString();
        var body = new { url = "http://127.0.0.1:1029/etag2", eventTypes = new[] { "webhook.test" } };
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/v1/webhook-endpoints/{id}") { Content = JsonContent(body) })
        {
            put.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
            using var ok = await tenant.Http.SendAsync(put);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.NotEqual(etag, ok.Headers.ETag!.ToString());
        }
        using (var stale = new HttpRequestMessage(HttpMethod.Put, $"/v1/webhook-endpoints/{id}") { Content = JsonContent(body) })
        {
            stale.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
            await tenant.Http.SendAsync(stale).ExpectProblem(HttpStatusCode.PreconditionFailed);
        }
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"/v1/webhook-endpoints/{id}"))
        {
            delete.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
            await tenant.Http.SendAsync(delete).ExpectProblem(HttpStatusCode.PreconditionFailed);
        }
        await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_database_holds_no_plaintext_secret_not_even_for_an_idempotent_create_or_a_rotation()
    {
        using var tenant = await Factory.CreateTenantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhook-endpoints")
        {
            Content = JsonContent(new { url = "http://127.0.0.1:1029/secret", eventTypes = new[] { "webhook.test" } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var created = await tenant.Http.SendAsync(request).Expect(HttpStatusCode.Created);
        var id = Guid.Parse(created["id"]!.GetValue<string>());
        var secret = created["secret"]!.GetValue<string>();
        var rotated = await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/rotate-secret", null).Expect(HttpStatusCode.OK);
        var newSecret = rotated["secret"]!.GetValue<string>();
        Assert.NotEqual(secret, newSecret);

        var everything = DumpDatabase();
        foreach (var value in new[] { secret, newSecret })
        {
            Assert.DoesNotContain(value, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(value["whsec_".Length..], everything, StringComparison.Ordinal);
        }
        var stored = Factory.WithDb(db => db.WebhookEndpoints.IgnoreQueryFilters().Single(e => e.Id == id));
        Assert.NotNull(stored.PreviousSecretProtected);
        Assert.NotEqual(stored.SecretProtected, stored.PreviousSecretProtected);
    }

    [Fact]
    public async Task Another_tenants_endpoint_answers_404_on_every_operation()
    {
        using var owner = await Factory.CreateTenantAsync();
        using var other = await Factory.CreateTenantAsync();
        var (id, _) = await WebhookApiFactory.RegisterAsync(owner, "http://127.0.0.1:1029/mine", "webhook.test");
        var queued = await owner.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).Expect(HttpStatusCode.Accepted);
        var deliveryId = queued["deliveryId"]!.GetValue<string>();
        var body = new { url = "http://127.0.0.1:1029/stolen", eventTypes = new[] { "webhook.test" } };

        await other.Http.GetAsync($"/v1/webhook-endpoints/{id}").ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.PutJson($"/v1/webhook-endpoints/{id}", body).ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.DeleteAsync($"/v1/webhook-endpoints/{id}").ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.PostAsync($"/v1/webhook-endpoints/{id}/rotate-secret", null).ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.GetAsync($"/v1/webhook-endpoints/{id}/deliveries").ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.PostAsync($"/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver", null).ExpectProblem(HttpStatusCode.NotFound);
        await other.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).ExpectProblem(HttpStatusCode.NotFound);
        var list = await other.Http.GetAsync("/v1/webhook-endpoints").Expect(HttpStatusCode.OK);
        Assert.Empty(list["items"]!.AsArray());

        // A delivery id of the owner's, reached through an endpoint of the other tenant's, is a 404 too.
        var (otherId, _) = await WebhookApiFactory.RegisterAsync(other, "http://127.0.0.1:1029/theirs", "webhook.test");
        await other.Http.PostAsync($"/v1/webhook-endpoints/{otherId}/deliveries/{deliveryId}/redeliver", null).ExpectProblem(HttpStatusCode.NotFound);

        // Nothing changed for the owner.
        var mine = await owner.Http.GetAsync($"/v1/webhook-endpoints/{id}").Expect(HttpStatusCode.OK);
        Assert.EndsWith("/mine", mine["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(Factory.Deliveries(id));
    }

    [Fact]
    public async Task A_disabled_endpoint_refuses_test_events_and_redeliveries_with_409()
    {
        using var tenant = await Factory.CreateTenantAsync();
        var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, "http://127.0.0.1:1029/off", "webhook.test");
        var queued = await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).Expect(HttpStatusCode.Accepted);
        await tenant.Http.PutJson($"/v1/webhook-endpoints/{id}", new { url = "http://127.0.0.1:1029/off", enabled = false, eventTypes = new[] { "webhook.test" } })
            .Expect(HttpStatusCode.OK);
        await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).ExpectProblem(HttpStatusCode.Conflict);
        await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/deliveries/{queued["deliveryId"]!.GetValue<string>()}/redeliver", null)
            .ExpectProblem(HttpStatusCode.Conflict);
    }

    private string DumpDatabase() => Factory.WithDb(db =>
    {
        var text = new StringBuilder();
        foreach (var e in db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking())
            text.Append(e.SecretProtected).Append(e.PreviousSecretProtected).Append(e.Url).Append(e.Description);
        foreach (var r in db.IdempotencyRecords.AsNoTracking())
            text.Append(r.Body is null ? "" : Encoding.UTF8.GetString(r.Body)).Append(r.ContentType);
        foreach (var m in db.WebhookMessages.AsNoTracking())
            text.Append(m.Payload);
        foreach (var a in db.WebhookAttempts.AsNoTracking())
            text.Append(a.Error);
        foreach (var d in db.WebhookDeliveries.AsNoTracking())
            text.Append(d.LastError);
        return text.ToString();
    });

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}

public sealed class WebhookSsrfRegistrationTests(ProductionRulesWebhookHost host) : IClassFixture<ProductionRulesWebhookHost>
{
    [Theory]
    [InlineData("http://hooks.example.com/x")] // not https
    [InlineData("https://127.0.0.1/x")]
    [InlineData("https://[::1]/x")]
    [InlineData("https://localhost/x")]
    [InlineData("https://10.1.2.3/x")]
    [InlineData("https://172.20.0.1/x")]
    [InlineData("https://192.168.1.20/x")]
    [InlineData("https://100.100.100.200/x")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[fe80::1]/x")]
    [InlineData("https://[fd00::1]/x")]
    [InlineData("https://[::ffff:10.0.0.1]/x")]
    [InlineData("https://[::ffff:169.254.169.254]/x")]
    [InlineData("https://224.0.0.1/x")]
    [InlineData("https://0.0.0.0/x")]
    [InlineData("https://255.255.255.255/x")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("https://private.example.com/x")]
    [InlineData("https://mixed.example.com/x")]
    [InlineData("https://metadata.example.com/x")]
    [InlineData("https://mapped.example.com/x")]
    [InlineData("https://v6private.example.com/x")]
    [InlineData("https://unknown.example.com/x")]
    [InlineData("https://2130706433/x")] // 127.0.0.1 written as one number
    [InlineData("https://0x7f.1/x")]
    // Issue 18: special-purpose blocks and every IPv6 form that embeds an IPv4 address
    [InlineData("https://[64:ff9b:1::a9fe:a9fe]/x")]
    [InlineData("https://[64:ff9b:1::a00:1]/x")]
    [InlineData("https://[::ffff:0:127.0.0.1]/x")]
    [InlineData("https://[::ffff:0:a9fe:a9fe]/x")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x")]
    [InlineData("https://192.0.2.1/x")]
    [InlineData("https://192.88.99.1/x")]
    [InlineData("https://[100::1]/x")]
    [InlineData("https://[2001:db8::1]/x")]
    [InlineData("https://[2002:a9fe:a9fe::1]/x")]
    public async Task Refuses_urls_that_reach_inside(string url)
    {
        using var tenant = await host.Factory.CreateTenantAsync();
        var problem = await tenant.Http.PostJson("/v1/webhook-endpoints", new { url, eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
        Assert.Contains("url", problem["errors"]!["url"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, host.Factory.WithDb(db => db.WebhookEndpoints.IgnoreQueryFilters().Count(e => e.TenantId == tenant.TenantId)));
    }

    [Fact]
    public async Task Accepts_an_https_url_whose_host_resolves_only_to_public_addresses()
    {
        using var tenant = await host.Factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "https://hooks.example.com/kpi", eventTypes = new[] { "webhook.test" } })
            .Expect(HttpStatusCode.Created);
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "https://93.184.216.34/kpi", eventTypes = new[] { "webhook.test" } })
            .Expect(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("https://hooks.example.com:0/x", "port")]
    [InlineData("https://hooks.example.com:22/x", "port")]
    [InlineData("https://hooks.example.com:25/x", "port")]
    [InlineData("https://hooks.example.com:1023/x", "port")]
    [InlineData("https://hooks.example.com/a b", "a space")]
    [InlineData("https://hooks.example.com/a\"b", "'\"'")]
    [InlineData("https://hooks.example.com/<x>", "'<'")]
    [InlineData("https://hooks.example.com/a\\b", "'\\'")]
    [InlineData("https://hooks.example.com/%zz", "'%'")]
    [InlineData("https://hooks.example.com/caf\u00e9", "U+00E9")]
    public async Task Refuses_a_port_below_1024_other_than_80_and_443_and_characters_a_url_may_not_hold(string url, string rule)
    {
        using var tenant = await host.Factory.CreateTenantAsync();
        var problem = await tenant.Http.PostJson("/v1/webhook-endpoints", new { url, eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
        Assert.Contains(rule, problem["errors"]!["url"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, "https://hooks.example.com/kpi", "webhook.test");
        await tenant.Http.PutJson($"/v1/webhook-endpoints/{id}", new { url, eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
        Assert.Equal(1, host.Factory.WithDb(db => db.WebhookEndpoints.IgnoreQueryFilters().Count(e => e.TenantId == tenant.TenantId)));
    }

    [Theory]
    [InlineData("https://hooks.example.com:443/x")]
    [InlineData("https://hooks.example.com:80/x")]
    [InlineData("https://hooks.example.com:1024/x")]
    [InlineData("https://hooks.example.com:8443/a%20b?x=1&y=%C3%A9")]
    public async Task Accepts_ports_80_443_and_from_1024_and_percent_encoded_characters(string url)
    {
        using var tenant = await host.Factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url, eventTypes = new[] { "webhook.test" } }).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Plain_http_to_a_local_receiver_hints_at_the_development_switch()
    {
        using var tenant = await host.Factory.CreateTenantAsync();
        var problem = await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "http://127.0.0.1:8080/x", eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
        Assert.Contains("Webhooks:AllowLoopbackHttp", problem["errors"]!["url"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replace_is_checked_like_a_create()
    {
        using var tenant = await host.Factory.CreateTenantAsync();
        var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, "https://hooks.example.com/kpi", "webhook.test");
        await tenant.Http.PutJson($"/v1/webhook-endpoints/{id}", new { url = "https://169.254.169.254/", eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
    }
}

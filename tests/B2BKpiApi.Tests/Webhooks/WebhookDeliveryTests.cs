using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;
using B2BKpiApi.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Webhooks;

/// <summary>
/// Delivery end to end: the API's worker sends to a real receiver on a loopback port, and every signature is
/// checked by the npm standardwebhooks reference verifier. No sleeps as assertions: each wait is for a condition,
/// with a deadline.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private readonly List<IDisposable> _hosts = [];

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
            host.Dispose();
        await _receiver.DisposeAsync();
    }

    private WebhookApiFactory Host(IDictionary<string, string?>? settings = null, TestDatabase? database = null, string? keys = null,
        IWebhookHostResolver? resolver = null)
    {
        var host = new WebhookApiFactory(database ?? ApiFactory.NewDatabase(), keys ?? WebhookApiFactory.NewKeysDirectory(), settings, resolver);
        _hosts.Add(host);
        return host;
    }

    private static JsonObject Alert(int n) => new() { ["rule"] = new JsonObject { ["name"] = $"rule {n}" }, ["n"] = n };

    [Fact]
    public async Task An_event_arrives_within_seconds_signed_so_that_the_reference_verifier_accepts_it()
    {
        var api = Host();
        using var tenant = await api.CreateTenantAsync();
        var (id, secret) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("alerts"));

        var message = await api.EnqueueAsync(tenant.TenantId, "kpi.alert.triggered", Alert(1));
        Assert.NotNull(message);
        var got = Assert.Single(await _receiver.WaitForAsync(r => r.Count >= 1, "the event", TimeSpan.FromSeconds(15)));

        Assert.Equal(WebhookOutbox.WebhookId(message.Id), got.WebhookId);
        Assert.Equal("application/json", got.ContentType);
        Assert.StartsWith("B2BKpiApi-Webhooks/", got.UserAgent, StringComparison.Ordinal);
        Assert.StartsWith("v1,", got.Signature, StringComparison.Ordinal);
        Assert.InRange(long.Parse(got.Timestamp, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var body = JsonNode.Parse(got.Body)!;
        Assert.Equal("kpi.alert.triggered", body["type"]!.GetValue<string>());
        Assert.Equal(1, body["data"]!["n"]!.GetValue<int>());
        await StandardWebhooksVerifier.AssertVerifiedAsync(secret, got);

        // The reference verifier is not a rubber stamp: a changed body or another secret is refused.
        Assert.StartsWith("refused", await StandardWebhooksVerifier.VerifyAsync(secret, got with { Body = got.Body.Replace("rule 1", "rule 2", StringComparison.Ordinal) }), StringComparison.Ordinal);
        Assert.StartsWith("refused", await StandardWebhooksVerifier.VerifyAsync(WebhookSecrets.NewSecret(), got), StringComparison.Ordinal);

        var deliveries = await WaitForDeliveries(tenant, id, d => d.Count == 1 && d[0]!["status"]!.GetValue<string>() == "succeeded");
        var delivery = deliveries[0]!;
        Assert.Equal(got.WebhookId, delivery["webhookId"]!.GetValue<string>());
        Assert.Null(delivery["nextAttemptAt"]);
        var attempt = Assert.Single(delivery["attemptLog"]!.AsArray())!;
        Assert.Equal(200, attempt["responseStatus"]!.GetValue<int>());
        Assert.True(attempt["durationMs"]!.GetValue<int>() >= 0);
    }

    [Fact]
    public async Task Receiver_500s_and_timeouts_are_retried_and_the_event_arrives_once()
    {
        var api = Host(new Dictionary<string, string?> { ["Webhooks:AttemptTimeout"] = "00:00:03", ["Webhooks:MaxRetries"] = "3" });
        using var tenant = await api.CreateTenantAsync();
        var (id, secret) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("flaky"));
        _receiver.Behaviour = (_, n) => n switch
        {
            1 => new Reply(500),
            2 => new Reply(200, Delay: TimeSpan.FromSeconds(60)), // far longer than the attempt timeout
            3 => new Reply(503),
            _ => new Reply(200),
        };

        await api.EnqueueAsync(tenant.TenantId, "kpi.alert.triggered", Alert(1));
        var got = await _receiver.WaitForAsync(r => r.Any(x => x.Answered == 200), "a successful attempt", TimeSpan.FromSeconds(30));
        Assert.Equal(4, got.Count);
        Assert.Single(got.Select(r => r.WebhookId).Distinct());
        await StandardWebhooksVerifier.AssertVerifiedAsync(secret, got[^1]);

        var deliveries = await WaitForDeliveries(tenant, id, d => d.Count == 1 && d[0]!["status"]!.GetValue<string>() == "succeeded");
        var log = deliveries[0]!["attemptLog"]!.AsArray().Reverse().ToList(); // oldest first
        Assert.Equal(4, log.Count);
        Assert.Equal(500, log[0]!["responseStatus"]!.GetValue<int>());
        Assert.Null(log[1]!["responseStatus"]);
        Assert.Equal("timeout", log[1]!["error"]!.GetValue<string>());
        Assert.Equal(503, log[2]!["responseStatus"]!.GetValue<int>());
        Assert.Equal(200, log[3]!["responseStatus"]!.GetValue<int>());
        // No second success arrives later.
        Assert.Single(_receiver.Requests, r => r.Answered == 200);
    }

    [Fact]
    public async Task Retry_after_of_a_429_is_honoured()
    {
        var api = Host(new Dictionary<string, string?> { ["Webhooks:RetryBaseDelay"] = "00:00:00.010", ["Webhooks:RetryMaxDelay"] = "00:00:00.050" });
        using var tenant = await api.CreateTenantAsync();
        await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("busy"));
        _receiver.Behaviour = (_, n) => n == 1 ? new Reply(429, RetryAfter: "2") : new Reply(200);

        await api.EnqueueAsync(tenant.TenantId, "kpi.alert.triggered", Alert(1));
        var got = await _receiver.WaitForAsync(r => r.Count >= 2, "the retry after the 429", TimeSpan.FromSeconds(20));
        // Without Retry-After the back-off would wait at most 50 ms; the receiver asked for 2 s.
        Assert.True(got[1].At - got[0].At >= TimeSpan.FromSeconds(1.9), $"retried after {(got[1].At - got[0].At).TotalMilliseconds} ms");
        Assert.Equal(got[0].WebhookId, got[1].WebhookId);
    }

    [Fact]
    public async Task The_circuit_breaker_of_a_failing_endpoint_opens_and_the_attempt_is_rescheduled_while_other_endpoints_still_receive()
    {
        var api = Host(new Dictionary<string, string?>
        {
            ["Webhooks:MaxRetries"] = "1",
            ["Webhooks:BreakerMinimumThroughput"] = "2",
            ["Webhooks:BreakerFailureRatio"] = "0.5",
            ["Webhooks:BreakerSamplingDuration"] = "00:01:00",
            ["Webhooks:BreakerBreakDuration"] = "00:01:00",
        });
        using var tenant = await api.CreateTenantAsync();
        var (down, _) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("down"), "webhook.test");
        var (up, _) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("up"), "webhook.test");
        _receiver.Behaviour = (path, _) => path == "/down" ? new Reply(500) : new Reply(200);

        await tenant.Http.PostAsync($"/v1/webhook-endpoints/{down}/test", null).Expect(HttpStatusCode.Accepted);
        // Two tries (first + one retry) fail: the breaker, at 2 calls and 100 % failures, opens.
        await _receiver.WaitForAsync(r => r.Count(x => x.Path == "/down") >= 2, "two failed tries", TimeSpan.FromSeconds(15));
        var deliveries = await WaitForDeliveries(tenant, down,
            d => d.Count == 1 && d[0]!["attempts"]!.GetValue<int>() >= 2, TimeSpan.FromSeconds(20));
        var log = deliveries[0]!["attemptLog"]!.AsArray();
        Assert.Contains(log, a => a!["error"]?.GetValue<string>().Contains("circuit breaker", StringComparison.Ordinal) == true);
        Assert.Equal("pending", deliveries[0]!["status"]!.GetValue<string>());
        Assert.NotNull(deliveries[0]!["nextAttemptAt"]);
        // While open, nothing more reaches the failing receiver.
        Assert.Equal(2, _receiver.On("down").Count);

        // The breaker is per endpoint: another endpoint of the same tenant is served.
        await tenant.Http.PostAsync($"/v1/webhook-endpoints/{up}/test", null).Expect(HttpStatusCode.Accepted);
        await _receiver.WaitForAsync(r => r.Any(x => x.Path == "/up" && x.Answered == 200), "the healthy endpoint's event");
        Assert.Equal(2, _receiver.On("down").Count);
    }

    [Fact]
    public async Task A_delivery_survives_an_api_restart_mid_retry_and_arrives_once_with_the_same_webhook_id()
    {
        var database = ApiFactory.NewDatabase();
        var keys = WebhookApiFactory.NewKeysDirectory();
        var slow = new Dictionary<string, string?>
        {
            ["Webhooks:MaxRetries"] = "0",
            ["Webhooks:RetrySchedule:0"] = "00:00:03", ["Webhooks:RetrySchedule:1"] = "00:00:03", ["Webhooks:RetrySchedule:2"] = "00:00:03",
        };
        var first = new WebhookApiFactory(database.Shared(), keys, slow);
        string secret;
        Guid id;
        Guid tenantId;
        _receiver.Behaviour = (_, _) => new Reply(500);
        try
        {
            using var tenant = await first.CreateTenantAsync();
            tenantId = tenant.TenantId;
            (id, secret) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("restart"));
            await first.EnqueueAsync(tenant.TenantId, "kpi.alert.triggered", Alert(7));
            await _receiver.WaitForAsync(r => r.Count >= 1, "the first, failed attempt");
            await WaitFor(() => first.Deliveries(id) is [{ Attempts: 1, LockedUntil: null }], "the failure recorded and rescheduled");
        }
        finally
        {
            first.Dispose(); // the API stops mid-retry: the next attempt is only in the database
        }
        var failedBefore = _receiver.Requests.Count;
        _receiver.Behaviour = (_, _) => new Reply(200);

        var second = Host(slow, database, keys);
        _ = second.Services; // start it: its worker finds the rescheduled delivery
        var got = await _receiver.WaitForAsync(r => r.Any(x => x.Answered == 200), "the delivery after the restart", TimeSpan.FromSeconds(30));
        await WaitFor(() => second.Deliveries(id) is [{ Status: "succeeded" }], "the delivery marked succeeded");
        Assert.Single(_receiver.Requests, r => r.Answered == 200);
        Assert.Single(got.Select(r => r.WebhookId).Distinct());
        Assert.Equal(failedBefore + 1, _receiver.Requests.Count);
        await StandardWebhooksVerifier.AssertVerifiedAsync(secret, got.Single(r => r.Answered == 200));
        Assert.Equal(tenantId, second.Deliveries(id).Single().TenantId);
    }

    [Fact]
    public async Task Two_instances_on_one_database_never_send_a_delivery_twice()
    {
        var database = ApiFactory.NewDatabase();
        var keys = WebhookApiFactory.NewKeysDirectory();
        var a = Host(database: database, keys: keys);
        var b = Host(database: database.Shared(), keys: keys); // disposed first: the owner drops the database last
        _ = b.Services; // both workers run
        using var tenant = await a.CreateTenantAsync();
        await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("shared"));
        var sent = new List<string>();
        for (var n = 0; n < 12; n++)
        {
            var on = n % 2 == 0 ? a : b; // enqueued on both instances, so both workers are woken
            sent.Add(WebhookOutbox.WebhookId((await on.EnqueueAsync(tenant.TenantId, "kpi.alert.triggered", Alert(n)))!.Id));
        }

        var got = await _receiver.WaitForAsync(r => r.Select(x => x.WebhookId).Distinct().Count() == 12, "all twelve events");
        Assert.Equal(sent.Order(), got.Select(r => r.WebhookId).Order());
        Assert.Equal(12, got.Count); // each exactly once: the claims never let both instances send one delivery
    }

    [Fact]
    public async Task Events_past_the_retention_period_are_deleted_with_their_deliveries_and_attempts()
    {
        var api = Host(new Dictionary<string, string?> { ["Webhooks:Retention"] = "00:00:02", ["Webhooks:CleanupInterval"] = "00:00:00.500" });
        using var tenant = await api.CreateTenantAsync();
        var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("old"));
        var message = await api.EnqueueAsync(tenant.TenantId, "kpi.alert.triggered", Alert(1));
        await _receiver.WaitForAsync(r => r.Count >= 1, "the event");

        await WaitFor(() => api.WithDb(db => !db.WebhookMessages.Any(m => m.Id == message!.Id)), "the old message deleted");
        Assert.Empty(api.Deliveries(id));
        Assert.Equal(0, api.WithDb(db => db.WebhookAttempts.Count(x => x.TenantId == tenant.TenantId)));
        await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}").Expect(HttpStatusCode.OK); // the endpoint stays
    }

    [Fact]
    public async Task Events_arrive_in_creation_order_and_a_redelivery_repeats_the_webhook_id_so_receivers_can_deduplicate()
    {
        var api = Host();
        using var tenant = await api.CreateTenantAsync();
        var (id, secret) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("ordered"));
        var sent = new List<string>();
        for (var n = 1; n <= 5; n++)
            sent.Add(WebhookOutbox.WebhookId((await api.EnqueueAsync(tenant.TenantId, "kpi.alert.triggered", Alert(n)))!.Id));

        var got = await _receiver.WaitForAsync(r => r.Count >= 5, "five events");
        Assert.Equal(sent, got.Select(r => r.WebhookId));
        Assert.Equal([1, 2, 3, 4, 5], got.Select(r => JsonNode.Parse(r.Body)!["data"]!["n"]!.GetValue<int>()));

        var deliveries = await WaitForDeliveries(tenant, id, d => d.Count == 5 && d.All(x => x!["status"]!.GetValue<string>() == "succeeded"));
        var third = deliveries.Single(d => d!["webhookId"]!.GetValue<string>() == sent[2])!;
        var redelivered = await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/deliveries/{third["id"]!.GetValue<string>()}/redeliver", null)
            .Expect(HttpStatusCode.Accepted);
        Assert.Equal(sent[2], redelivered["webhookId"]!.GetValue<string>());
        got = await _receiver.WaitForAsync(r => r.Count >= 6, "the redelivery");
        Assert.Equal(sent[2], got[5].WebhookId);
        Assert.Equal(got[2].Body, got[5].Body);
        await StandardWebhooksVerifier.AssertVerifiedAsync(secret, got[5]);
        // What a receiver does with it: de-duplicating by webhook-id leaves the five events.
        Assert.Equal(5, got.Select(r => r.WebhookId).Distinct().Count());

        var page = await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}/deliveries?limit=4").Expect(HttpStatusCode.OK);
        Assert.Equal(redelivered["deliveryId"]!.GetValue<string>(), page["items"]![0]!["id"]!.GetValue<string>()); // newest first
        var rest = await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}/deliveries?limit=4&cursor={page["nextCursor"]!.GetValue<string>()}")
            .Expect(HttpStatusCode.OK);
        Assert.Equal(2, rest["items"]!.AsArray().Count);
        Assert.Null(rest["nextCursor"]);
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_verify_during_the_overlap()
    {
        var api = Host();
        using var tenant = await api.CreateTenantAsync();
        var (id, oldSecret) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("rotated"), "webhook.test");
        var rotated = await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/rotate-secret", null).Expect(HttpStatusCode.OK);
        var newSecret = rotated["secret"]!.GetValue<string>();
        var expires = DateTime.Parse(rotated["previousSecretExpiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.InRange(expires - DateTime.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        var read = await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}").Expect(HttpStatusCode.OK);
        Assert.NotNull(read["previousSecretExpiresAt"]);

        await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).Expect(HttpStatusCode.Accepted);
        var got = Assert.Single(await _receiver.WaitForAsync(r => r.Count >= 1, "the test event"));
        Assert.Equal(2, got.Signature.Split(' ').Length);
        Assert.All(got.Signature.Split(' '), s => Assert.StartsWith("v1,", s, StringComparison.Ordinal));
        await StandardWebhooksVerifier.AssertVerifiedAsync(newSecret, got);
        await StandardWebhooksVerifier.AssertVerifiedAsync(oldSecret, got);
        // The body is the documented WebhookTestEvent: {type, timestamp, data: {endpointId, message}}.
        var body = JsonNode.Parse(got.Body)!;
        Assert.Equal("webhook.test", body["type"]!.GetValue<string>());
        Assert.EndsWith("Z", body["timestamp"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(id.ToString(), body["data"]!["endpointId"]!.GetValue<string>());
        Assert.Equal(WebhookTestEventData.Text, body["data"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_event_of_one_tenant_never_reaches_another_tenants_endpoint()
    {
        var api = Host();
        using var a = await api.CreateTenantAsync();
        using var b = await api.CreateTenantAsync();
        var (endpointA, _) = await WebhookApiFactory.RegisterAsync(a, _receiver.Url("tenant-a"));
        var (_, secretB) = await WebhookApiFactory.RegisterAsync(b, _receiver.Url("tenant-b"));

        // Aimed at A's endpoint with B's tenant id, as a buggy caller could: the outbox refuses to pair them.
        using (var scope = api.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Data.KpiDbContext>();
            Assert.Null(await WebhookOutbox.EnqueueAsync(db, b.TenantId, "kpi.alert.triggered", Alert(0), DateTime.UtcNow,
                CancellationToken.None, onlyEndpointId: endpointA));
        }
        var messageB = await api.EnqueueAsync(b.TenantId, "kpi.alert.triggered", Alert(2));
        var messageA = await api.EnqueueAsync(a.TenantId, "kpi.alert.triggered", Alert(1));
        await _receiver.WaitForAsync(r => r.Count >= 2, "one event for each tenant");

        var gotB = Assert.Single(_receiver.On("tenant-b"));
        Assert.Equal(WebhookOutbox.WebhookId(messageB!.Id), gotB.WebhookId);
        await StandardWebhooksVerifier.AssertVerifiedAsync(secretB, gotB);
        Assert.Equal(WebhookOutbox.WebhookId(messageA!.Id), Assert.Single(_receiver.On("tenant-a")).WebhookId);
        Assert.Single(api.Deliveries(endpointA));
    }

    [Fact]
    public async Task A_name_that_rebinds_to_a_private_address_is_refused_at_connect_time()
    {
        var resolver = new RebindingResolver(IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.1"));
        var api = Host(new Dictionary<string, string?> { ["Webhooks:MaxRetries"] = "2" }, resolver: resolver);
        using var tenant = await api.CreateTenantAsync();
        // Registration resolves the name to a public address, so it is accepted…
        var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, "http://rebind.example:8080/hook", "webhook.test");
        Assert.Equal(1, resolver.Calls);

        // …and at connect time it resolves to a private one: refused before any connection, and not retried.
        await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).Expect(HttpStatusCode.Accepted);
        var deliveries = await WaitForDeliveries(tenant, id, d => d.Count == 1 && d[0]!["attempts"]!.GetValue<int>() >= 1);
        var log = deliveries[0]!["attemptLog"]!.AsArray();
        // One HTTP attempt per scheduled attempt: a refusal is not retried in-process.
        Assert.Equal(deliveries[0]!["attempts"]!.GetValue<int>(), log.Count);
        Assert.All(log, attempt =>
        {
            Assert.Null(attempt!["responseStatus"]);
            Assert.Contains("Refused before connecting", attempt["error"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("private", attempt["error"]!.GetValue<string>(), StringComparison.Ordinal);
        });
        Assert.Contains(deliveries[0]!["status"]!.GetValue<string>(), new[] { "pending", "failed" });
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_counts_as_a_failed_attempt()
    {
        var api = Host();
        using var tenant = await api.CreateTenantAsync();
        var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("moved"), "webhook.test");
        _receiver.Behaviour = (path, _) => path == "/moved" ? new Reply(307, Location: _receiver.Url("elsewhere")) : new Reply(200);

        await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).Expect(HttpStatusCode.Accepted);
        var deliveries = await WaitForDeliveries(tenant, id, d => d.Count == 1 && d[0]!["attempts"]!.GetValue<int>() >= 1);
        Assert.Equal(307, deliveries[0]!["lastResponseStatus"]!.GetValue<int>());
        Assert.Contains(deliveries[0]!["status"]!.GetValue<string>(), new[] { "pending", "failed" });
        Assert.NotEmpty(_receiver.On("moved"));
        Assert.Empty(_receiver.On("elsewhere"));
    }

    [Fact]
    public async Task An_endpoint_failing_past_the_limit_is_disabled_and_says_so_until_its_owner_enables_it()
    {
        var api = Host(new Dictionary<string, string?>
        {
            ["Webhooks:MaxRetries"] = "0",
            ["Webhooks:DisableAfter"] = "00:00:01",
            ["Webhooks:RetrySchedule:0"] = "00:00:00.500", ["Webhooks:RetrySchedule:1"] = "00:00:00.500", ["Webhooks:RetrySchedule:2"] = "00:00:00.500",
        });
        using var tenant = await api.CreateTenantAsync();
        var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, _receiver.Url("dying"), "webhook.test");
        _receiver.Behaviour = (_, _) => new Reply(500);
        await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).Expect(HttpStatusCode.Accepted);

        JsonNode endpoint = null!;
        await WaitFor(async () =>
        {
            endpoint = await tenant.Http.GetAsync($"/v1/webhook-endpoints/{id}").Expect(HttpStatusCode.OK);
            return !endpoint["enabled"]!.GetValue<bool>();
        }, "the endpoint disabled by the worker");
        Assert.Contains("Disabled by the service", endpoint["disabledReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(endpoint["disabledAt"]);
        Assert.NotNull(endpoint["failingSince"]);

        _receiver.Behaviour = (_, _) => new Reply(200);
        var enabled = await tenant.Http.PutJson($"/v1/webhook-endpoints/{id}", new { url = _receiver.Url("dying"), enabled = true, eventTypes = new[] { "webhook.test" } })
            .Expect(HttpStatusCode.OK);
        Assert.True(enabled["enabled"]!.GetValue<bool>());
        Assert.Null(enabled["disabledReason"]);
        Assert.Null(enabled["disabledAt"]);
        Assert.Null(enabled["failingSince"]);
        // The delivery that waited resumes and succeeds.
        await _receiver.WaitForAsync(r => r.Any(x => x.Answered == 200), "the waiting delivery after re-enabling");
    }

    /// <summary>
    /// No port-scan oracle: a port where nothing listens, a service that is not HTTP (it greets like SSH and closes) and
    /// an https URL to a plain-http receiver are told apart only as "connection failed" / "TLS failed", never with what
    /// the service said or an exception's text, in the deliveries listing (every attempt and the last error).
    /// </summary>
    [Fact]
    public async Task A_failed_attempt_says_only_connection_failed_or_TLS_failed()
    {
        using var banner = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        banner.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await banner.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("SSH-2.0-OpenSSH_9.6 secret-banner\r\n"u8.ToArray(), stop.Token);
                await Task.Delay(50, stop.Token);
            }
        });
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there any more

        var api = Host(new Dictionary<string, string?> { ["Webhooks:MaxRetries"] = "0", ["Webhooks:RetrySchedule:0"] = "01:00:00" });
        using var tenant = await api.CreateTenantAsync();
        var cases = new (string Url, string Error)[]
        {
            ($"http://127.0.0.1:{((IPEndPoint)banner.LocalEndpoint).Port}/ssh", WebhookSender.ConnectionFailed),
            ($"http://127.0.0.1:{closedPort}/closed", WebhookSender.ConnectionFailed),
            ($"https://127.0.0.1:{new Uri(_receiver.Url("tls")).Port}/tls", WebhookSender.TlsFailed),
        };
        foreach (var (url, error) in cases)
        {
            var (id, _) = await WebhookApiFactory.RegisterAsync(tenant, url, "webhook.test");
            await tenant.Http.PostAsync($"/v1/webhook-endpoints/{id}/test", null).Expect(HttpStatusCode.Accepted);
            var deliveries = await WaitForDeliveries(tenant, id, d => d.Count == 1 && d[0]!["attemptLog"]!.AsArray().Count >= 1);
            var attempt = deliveries[0]!["attemptLog"]!.AsArray()[0]!;
            Assert.Equal(error, attempt["error"]!.GetValue<string>());
            Assert.Null(attempt["responseStatus"]);
            Assert.Equal(error, deliveries[0]!["lastError"]!.GetValue<string>());
            Assert.DoesNotContain("SSH", deliveries.ToJsonString(), StringComparison.Ordinal);
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving);
    }

    private static async Task<JsonArray> WaitForDeliveries(TenantClient tenant, Guid endpointId, Func<JsonArray, bool> condition, TimeSpan? within = null)
    {
        JsonArray items = [];
        await WaitFor(async () =>
        {
            var page = await tenant.Http.GetAsync($"/v1/webhook-endpoints/{endpointId}/deliveries").Expect(HttpStatusCode.OK);
            items = page["items"]!.AsArray();
            return condition(items);
        }, "the deliveries list", within);
        return items;
    }

    private static Task WaitFor(Func<bool> condition, string what) => WaitFor(() => Task.FromResult(condition()), what);

    private static async Task WaitFor(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using B2BKpiApi.Webhooks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Webhooks;

/// <summary>
/// An API host whose webhook worker runs fast (short poll, second-long schedule, loopback http allowed) and whose
/// Data Protection key ring is in a folder of the test's own, so a second host over the same database reads the secrets.
/// </summary>
public sealed class WebhookApiFactory : ApiFactory
{
    private readonly Dictionary<string, string?> _settings;

    public WebhookApiFactory(TestDatabase database, string keysDirectory, IDictionary<string, string?>? settings = null,
        IWebhookHostResolver? resolver = null) : base(database)
    {
        KeysDirectory = keysDirectory;
        Resolver = resolver;
        _settings = new Dictionary<string, string?>
        {
            ["Webhooks:RunDeliveryWorker"] = "true",
            ["Webhooks:AllowLoopbackHttp"] = "true",
            ["Webhooks:KeysDirectory"] = keysDirectory,
            ["Webhooks:PollInterval"] = "00:00:00.200",
            // Generous: on a loaded machine a loopback answer can take seconds, and a timed-out attempt is retried (sent twice).
            ["Webhooks:AttemptTimeout"] = "00:00:10",
            ["Webhooks:MaxRetries"] = "2",
            ["Webhooks:RetryBaseDelay"] = "00:00:00.050",
            ["Webhooks:RetryMaxDelay"] = "00:00:00.500",
            ["Webhooks:MaxRetryAfter"] = "00:00:05",
            ["Webhooks:BreakerMinimumThroughput"] = "1000",
            ["Webhooks:RetrySchedule:0"] = "00:00:01",
            ["Webhooks:RetrySchedule:1"] = "00:00:01",
            ["Webhooks:RetrySchedule:2"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    public string KeysDirectory { get; }

    public IWebhookHostResolver? Resolver { get; }

    public static string NewKeysDirectory() => Path.Combine(Path.GetTempPath(), $"kpi-test-keys-{Guid.NewGuid():N}");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        if (Resolver is not null)
            builder.ConfigureTestServices(s => s.AddSingleton(Resolver));
    }

    /// <summary>Registers an endpoint and returns its id and its secret (shown once).</summary>
    public static async Task<(Guid Id, string Secret)> RegisterAsync(TenantClient tenant, string url, params string[] eventTypes)
    {
        var created = await tenant.Http.PostAsJsonAsync("/v1/webhook-endpoints", new
        {
            url,
            description = "test receiver",
            eventTypes = eventTypes.Length == 0 ? new[] { "kpi.alert.triggered", "kpi.alert.resolved" } : eventTypes,
        }).Expect(HttpStatusCode.Created);
        return (Guid.Parse(created["id"]!.GetValue<string>()), created["secret"]!.GetValue<string>());
    }

    /// <summary>Writes an event into the outbox the way the alert evaluator does, and saves it.</summary>
    public async Task<WebhookMessage?> EnqueueAsync(Guid tenantId, string eventType, JsonNode data)
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var message = await WebhookOutbox.EnqueueAsync(db, tenantId, eventType, data, KpiDbContext.Now(TimeProvider.System), CancellationToken.None);
        await db.SaveChangesAsync();
        return message;
    }

    public List<WebhookDelivery> Deliveries(Guid endpointId) =>
        WithDb(db => db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId).OrderBy(d => d.CreatedAt).ToList());

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Database.OwnedByFactory && Directory.Exists(KeysDirectory))
            Directory.Delete(KeysDirectory, recursive: true);
    }
}

/// <summary>DNS under the test's control: the first answer of a name, then another (DNS rebinding), without a network.</summary>
public sealed class RebindingResolver(IPAddress first, IPAddress then) : IWebhookHostResolver
{
    private int _calls;

    public int Calls => _calls;

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        Task.FromResult(new[] { Interlocked.Increment(ref _calls) == 1 ? first : then });
}

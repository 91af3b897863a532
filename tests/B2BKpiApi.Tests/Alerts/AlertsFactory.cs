using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Alerts;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Alerts;

/// <summary>
/// A wall clock the test sets: "today" for the rules' calendar windows and the daily run. It runs on from the time it
/// was set at the real pace, and timers and elapsed time stay real (the base class's), so the worker polls and
/// debounces in real time while the calendar is the test's.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _setTo;
    private long _setAt;

    public TestClock(DateTimeOffset start) => Set(start);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return _setTo + System.GetElapsedTime(_setAt);
    }

    public void Set(DateTimeOffset now)
    {
        lock (_gate)
        {
            _setTo = now;
            _setAt = System.GetTimestamp();
        }
    }
}

/// <summary>Counts one host's rule evaluations through its own meters (other hosts run in parallel).</summary>
public sealed class EvaluationCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, int> _byKpi = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public EvaluationCounter(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == AlertMetrics.EvaluationsName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? kpi = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "kpi") kpi = tag.Value as string;
                if (tag.Key == "outcome") outcome = tag.Value as string;
            }
            if (kpi is not null)
                _attempts.AddOrUpdate(kpi, (int)value, (_, n) => n + (int)value);
            // A superseded evaluation wrote nothing; count the ones that took effect (or failed).
            if (kpi is not null && outcome != "superseded")
                _byKpi.AddOrUpdate(kpi, (int)value, (_, n) => n + (int)value);
        });
        _listener.Start();
    }

    public int For(string kpi) => _byKpi.TryGetValue(kpi, out var n) ? n : 0;

    /// <summary>Every evaluation this host started and finished, superseded ones included (work another instance also did).</summary>
    public int Attempts(string kpi) => _attempts.TryGetValue(kpi, out var n) ? n : 0;

    public void Dispose() => _listener.Dispose();
}

/// <summary>An API host whose alert worker polls fast and debounces briefly, with a clock the test sets.</summary>
public class AlertsFactory : ApiFactory
{
    /// <summary>The day the tests live on: the latest complete month is March 2026, the one before February.</summary>
    public static readonly DateTimeOffset Today = new(2026, 4, 15, 10, 0, 0, TimeSpan.Zero);

    public AlertsFactory() : this(NewDatabase(), new TestClock(Today)) { }

    /// <summary>A host over <paramref name="database"/> with the given clock: several hosts on one database share one clock.</summary>
    protected AlertsFactory(TestDatabase database, TestClock clock) : base(database) => Clock = clock;

    public TestClock Clock { get; }

    /// <summary>Settings a test class adds (or overrides) on top of these.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    protected virtual TimeSpan QuietPeriod => TimeSpan.FromSeconds(1.5);

    protected virtual bool WorkerEnabled => true;

    private EvaluationCounter? _counter;

    /// <summary>Evaluations of this host, by KPI id.</summary>
    public EvaluationCounter Evaluations => _counter ??= new EvaluationCounter(Services.GetRequiredService<IMeterFactory>());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Alerts:Enabled", WorkerEnabled ? "true" : "false");
        builder.UseSetting("Alerts:PollInterval", "00:00:00.100");
        builder.UseSetting("Alerts:QuietPeriod", QuietPeriod.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Alerts:MaxDelay", "01:00:00");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }

    public AlertSchedule? Schedule(TenantClient tenant) => WithDb(db => db.AlertSchedules.AsNoTracking().SingleOrDefault(s => s.TenantId == tenant.TenantId));

    /// <summary>Adds an enabled webhook endpoint of the tenant subscribed to both alert events, so that events get deliveries.</summary>
    public void Subscribe(TenantClient tenant)
    {
        using var scope = Services.CreateScope();
        var owner = scope.ServiceProvider.GetRequiredService<KpiDbContext>().Tenants.Single(t => t.Id == tenant.TenantId);
        scope.ServiceProvider.GetRequiredService<B2BKpiApi.Tenancy.TenantContext>().Resolve(owner.Id, owner.Currency, owner.Industry, owner.DataVersion);
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        db.WebhookEndpoints.Add(new WebhookEndpoint
        {
            Id = Guid.CreateVersion7(),
            Url = "https://receiver.example/hooks",
            EventTypes = "kpi.alert.triggered kpi.alert.resolved",
            SecretProtected = "test-secret-not-used",
        });
        db.SaveChanges();
    }

    /// <summary>The tenant's outbox messages, oldest first, as (type, envelope).</summary>
    public List<(string Type, JsonNode Body)> Messages(TenantClient tenant) => WithDb(db => db.WebhookMessages
        .Where(m => m.TenantId == tenant.TenantId).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToList()
        .Select(m => (m.EventType, JsonNode.Parse(m.Payload)!)).ToList());

    public int Deliveries(TenantClient tenant) => WithDb(db => db.WebhookDeliveries.Count(d => d.TenantId == tenant.TenantId));

    public long DataVersion(TenantClient tenant) => WithDb(db => db.Tenants.Where(t => t.Id == tenant.TenantId).Select(t => t.DataVersion).Single());

    public AlertRule Rule(Guid id) => WithDb(db => db.AlertRules.IgnoreQueryFilters().AsNoTracking().Single(r => r.Id == id));

    /// <summary>A new tenant (subscribed to alert events unless told otherwise) with one monthly rule, evaluated once.</summary>
    public async Task<(TenantClient Tenant, Guid RuleId)> TenantWithRule(string kpiId, JsonObject condition, bool subscribe = true)
    {
        var tenant = await CreateTenantAsync();
        if (subscribe)
            Subscribe(tenant);
        var rule = await AlertData.CreateRule(tenant, new JsonObject
        {
            ["name"] = $"{kpiId} {condition["type"]}", ["kpiId"] = kpiId, ["window"] = "month", ["condition"] = condition,
        });
        var id = Guid.Parse(rule["id"]!.GetValue<string>());
        await CaughtUp(tenant, id);
        return (tenant, id);
    }

    /// <summary>Waits, up to a deadline, until the rule has been evaluated against the tenant's current data.</summary>
    public async Task<AlertRule> CaughtUp(TenantClient tenant, Guid ruleId, DateTime? after = null)
    {
        return await Eventually.Until(() =>
        {
            var rule = Rule(ruleId);
            var current = rule.EvaluatedDataVersion == DataVersion(tenant) && (after is null || rule.LastEvaluatedAt > after);
            return current ? rule : null;
        }, $"rule {ruleId} evaluated against the tenant's current data");
    }
}

/// <summary>Waits for a condition with a deadline; the wait itself asserts nothing.</summary>
public static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static async Task<T> Until<T>(Func<T?> probe, string what) where T : class
    {
        var stop = DateTime.UtcNow + Deadline;
        while (true)
        {
            if (probe() is { } value)
                return value;
            if (DateTime.UtcNow > stop)
                throw new TimeoutException($"Gave up waiting for {what} after {Deadline.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }
}

/// <summary>Building blocks of the alert tests' data.</summary>
public static class AlertData
{
    public static async Task<JsonNode> CreateRule(TenantClient tenant, object body) =>
        await tenant.Http.PostJson("/v1/alerts", body).Expect(HttpStatusCode.Created);

    public static async Task<JsonNode> Batch(TenantClient tenant, string route, params JsonObject[] items) =>
        await tenant.Http.PostJson($"{route}/batch", new JsonObject { ["items"] = new JsonArray(items) }).Expect(HttpStatusCode.OK);

    public static JsonObject Client(string externalId, string acquiredOn, string industry = "manufacturing") => new()
    {
        ["externalId"] = externalId, ["name"] = $"Client {externalId}", ["acquiredOn"] = acquiredOn, ["industry"] = industry, ["segment"] = "smb",
    };

    public static JsonObject Survey(string externalId, string kind, int score, string respondedOn) => new()
    {
        ["externalId"] = externalId, ["kind"] = kind, ["score"] = score, ["respondedOn"] = respondedOn,
    };
}

using System.Diagnostics;
using System.Net;
using System.Text;
using B2BKpiApi.Observability;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace B2BKpiApi.Tests.Features;

/// <summary>
/// The OpenTelemetry pipeline as the app builds it, with in-memory exporters added beside its own: spans for
/// requests and database commands, the HTTP and KPI metrics, and the Prometheus endpoint when it is enabled.
/// </summary>
/// <remarks>
/// ActivitySources and the KPI meter are process-wide, so other test classes running at the same time can add
/// to what is exported here: spans are picked by a trace id this test sends, and counters are compared with
/// at-least bounds.
/// </remarks>
public sealed class ObservabilityTests(ObservabilityTests.TelemetryFactory factory) : IClassFixture<ObservabilityTests.TelemetryFactory>
{
    public sealed class TelemetryFactory : ApiFactory
    {
        public List<Activity> Spans { get; } = [];
        public List<Metric> Metrics { get; } = [];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("RateLimiting:PermitsPerMinute", "25");
            builder.UseSetting("Observability:PrometheusEnabled", "true");
            builder.UseSetting("Observability:JsonConsoleLogs", "false");
            builder.UseSetting("Observability:TracingEnabled", "true");
            builder.ConfigureTestServices(services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans));
                services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics));
            });
        }
    }

    [Fact]
    public async Task A_request_gives_a_server_span_and_a_span_per_database_command_in_its_trace()
    {
        using var tenant = await factory.CreateTenantAsync();
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/scorecard?from=2025-01-01&to=2025-03-31");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await tenant.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The server span ends just after the response is handed over: wait for the exporter to receive it.
        var spans = await SpansOf(traceId, s => s.Kind == ActivityKind.Server);
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal("Microsoft.AspNetCore", server.Source.Name);
        Assert.Equal("/v1/scorecard", server.GetTagItem("http.route"));
        Assert.Equal(200, server.GetTagItem("http.response.status_code"));

        var commands = spans.Where(s => s.Kind == ActivityKind.Client).ToList();
        Assert.NotEmpty(commands);
        var (source, system) = factory.Database.Provider == "postgres"
            ? ("Npgsql", "postgresql")
            : (DbCommandTracing.SourceName, "sqlite");
        Assert.All(commands, c => Assert.Equal(source, c.Source.Name));
        Assert.All(commands, c => Assert.Equal(system, c.GetTagItem("db.system.name") ?? c.GetTagItem("db.system")));
        // The key lookup and the scorecard's aggregates: one query per fact family (both periods in one pass).
        Assert.True(commands.Count >= 6, $"{commands.Count} database spans");
        Assert.All(commands, c => Assert.True(server.StartTimeUtc <= c.StartTimeUtc, "a command runs inside the request"));
    }

    [Fact]
    public async Task Kpi_computation_import_rows_and_rate_limit_rejections_are_measured()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.GetAsync("/v1/kpis/revenue?from=2025-01-01&to=2025-03-31").Expect(HttpStatusCode.OK);
        await tenant.Http.GetAsync("/v1/scorecard?from=2025-01-01&to=2025-03-31").Expect(HttpStatusCode.OK);
        using var csv = new StringContent("externalId,category,amount,currency,incurredOn\ng-1,marketing,10.50,USD,2025-03-01\ng-2,sales,20,USD,2025-03-02\n",
            Encoding.UTF8, "text/csv");
        await tenant.Http.PostAsync("/v1/costs/import", csv).Expect(HttpStatusCode.OK);
        var refused = 0;
        for (var i = 0; i < 40 && refused == 0; i++)
        {
            using var r = await tenant.Http.GetAsync("/v1/kpis");
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
                refused++;
        }
        Assert.Equal(1, refused);

        var metrics = Collect();
        var kpi = Points(metrics, "kpi.computation.duration");
        Assert.Contains(kpi, p => Tag(p, "kpi") == "revenue" && Tag(p, "family") == "revenue" && p.GetHistogramCount() >= 1);
        Assert.Contains(kpi, p => Tag(p, "kpi") == "scorecard" && Tag(p, "family") == "all" && p.GetHistogramCount() >= 1);
        var rows = Points(metrics, "kpi.import.rows");
        Assert.Contains(rows, p => Tag(p, "resource") == "costs" && Tag(p, "kind") == "csv" && p.GetSumLong() >= 2);
        var rejections = Points(metrics, "kpi.rate_limit.rejections");
        Assert.Contains(rejections, p => Tag(p, "policy") == "per-tenant" && p.GetSumLong() >= 1);
        var requests = Points(metrics, "http.server.request.duration");
        Assert.Contains(requests, p => Tag(p, "http.route") == "/v1/scorecard" && p.GetHistogramCount() >= 1);
    }

    [Fact]
    public async Task The_prometheus_endpoint_serves_the_metrics_without_tenant_ids_keys_or_filter_values()
    {
        using var tenant = await factory.CreateTenantAsync();
        const string filter = "industry-0b7f3a9e";
        await tenant.Http.GetAsync($"/v1/scorecard?from=2025-01-01&to=2025-03-31&industry={filter}").Expect(HttpStatusCode.OK);
        await tenant.Http.GetAsync($"/v1/clients/{Guid.NewGuid()}").Expect(HttpStatusCode.NotFound);

        using var anonymous = factory.CreateClient();
        using var scrape = await anonymous.GetAsync(ObservabilitySetup.MetricsPath);
        var body = await scrape.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", body, StringComparison.Ordinal);
        Assert.Contains("kpi_computation_duration_seconds_count{", body, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/v1/clients/{id:guid}\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.TenantId.ToString(), body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(tenant.TenantId.ToString("N"), body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(tenant.ApiKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiFactory.AdminKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain(filter, body, StringComparison.Ordinal);
    }

    private async Task<List<Activity>> SpansOf(ActivityTraceId traceId, Func<Activity, bool> until)
    {
        for (var i = 0; i < 100; i++)
        {
            // ToArray copies without the enumerator's version check: the exporter may be appending meanwhile.
            var spans = factory.Spans.ToArray().Where(s => s is not null && s.TraceId == traceId).ToList();
            if (spans.Any(until))
                return spans;
            await Task.Delay(50);
        }
        Assert.Fail($"no span of trace {traceId} arrived");
        return [];
    }

    private List<Metric> Collect()
    {
        lock (factory.Metrics)
        {
            factory.Metrics.Clear();
            // The result is false with a Prometheus reader beside the in-memory one (it has nothing to push); the
            // in-memory reader is flushed all the same.
            factory.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
            return factory.Metrics.ToList();
        }
    }

    private static List<MetricPoint> Points(List<Metric> metrics, string name)
    {
        var points = new List<MetricPoint>();
        foreach (var metric in metrics.Where(m => m.Name == name))
            foreach (ref readonly var point in metric.GetMetricPoints())
                points.Add(point);
        Assert.True(points.Count > 0, $"metric {name} was exported");
        return points;
    }

    private static string? Tag(MetricPoint point, string name)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == name)
                return tag.Value?.ToString();
        return null;
    }
}

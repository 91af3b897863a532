using System.Diagnostics;
using System.Globalization;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace B2BKpiApi.Observability;

/// <summary>The <c>Observability</c> configuration section.</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Observability";

    /// <summary>The <c>service.name</c> resource attribute on every span and metric.</summary>
    public string ServiceName { get; set; } = "b2b-kpi-api";

    /// <summary>
    /// Console logs as one JSON object a line, with the trace and span ids of the request that wrote them (the default,
    /// for log collectors). False: one plain line per entry (time, level, category, message), what Development sets.
    /// </summary>
    public bool JsonConsoleLogs { get; set; } = true;

    /// <summary>Serve the Prometheus text format at <c>/metrics</c>. Off by default.</summary>
    public bool PrometheusEnabled { get; set; }

    /// <summary>
    /// When set, <c>/metrics</c> answers only a request with <c>Authorization: Bearer &lt;key&gt;</c> (what Prometheus sends
    /// with <c>authorization: { credentials: … }</c> in its scrape config); any other request gets 401. Empty: open.
    /// </summary>
    public string? MetricsKey { get; set; }

    /// <summary>
    /// Record spans. Unset: on exactly when an OTLP endpoint is configured, since spans with nowhere to go would
    /// only cost time (a span per database command adds up in a 200,000-row import).
    /// </summary>
    public bool? TracingEnabled { get; set; }

    /// <summary>
    /// OTLP collector address (for example <c>http://127.0.0.1:4317</c>). Empty: no OTLP export. The standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable is honoured too.
    /// </summary>
    public string? OtlpEndpoint { get; set; }
}

public static class ObservabilitySetup
{
    public const string MetricsPath = "/metrics";

    /// <summary>JSON logs with trace ids, OpenTelemetry traces and metrics, OTLP and Prometheus export when configured.</summary>
    public static WebApplicationBuilder AddKpiObservability(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ObservabilityOptions.Section).Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        builder.Services.Configure<ObservabilityOptions>(builder.Configuration.GetSection(ObservabilityOptions.Section));

        // Scopes carry the TraceId/SpanId of Activity.Current, which is how the JSON lines get them.
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (options.JsonConsoleLogs)
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        else
            // One readable line per entry for a person at a terminal (Development): the default format spreads an
            // entry over two lines with the category's event id.
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = false;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "HH:mm:ss ";
            });

        var otlpEndpoint = FirstNonEmpty(options.OtlpEndpoint, builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName, serviceVersion: typeof(ObservabilitySetup).Assembly.GetName().Version?.ToString()));
        if (options.TracingEnabled ?? otlpEndpoint is not null)
        {
            DbCommandTracing.EnsureSubscribed();
            otel.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(DbCommandTracing.SourceName));
        }
        // Metrics stay on: an instrument costs an add per measurement, and /metrics or OTLP may read them.
        otel.WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("Microsoft.AspNetCore.RateLimiting")
                    .AddMeter(KpiMetrics.MeterName);
                if (options.PrometheusEnabled)
                    metrics.AddPrometheusExporter();
            });
        if (otlpEndpoint is not null)
        {
            // Logs travel with the spans and metrics, so a collector shows them under their trace.
            otel.WithLogging(_ => { }, options => options.IncludeScopes = true);
            otel.UseOtlpExporter(OtlpExportProtocol.Grpc, new Uri(otlpEndpoint));
        }

        return builder;
    }

    /// <summary>
    /// The Server-Timing header on every answer (time to its first byte, so the full time for everything but
    /// streamed CSV exports), and <c>/metrics</c> when Prometheus is enabled. Call it first in the pipeline.
    /// </summary>
    public static WebApplication UseKpiObservability(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            context.Response.OnStarting(() =>
            {
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                context.Response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"app;dur={ms:0.0};desc=\"until the first byte\"");
                return Task.CompletedTask;
            });
            return next(context);
        });
        var options = app.Configuration.GetSection(ObservabilityOptions.Section).Get<ObservabilityOptions>();
        if (options?.PrometheusEnabled == true)
        {
            if (!string.IsNullOrEmpty(options.MetricsKey))
            {
                var expected = System.Text.Encoding.UTF8.GetBytes("Bearer " + options.MetricsKey);
                app.UseWhen(c => c.Request.Path.StartsWithSegments(MetricsPath), branch => branch.Use((context, next) =>
                {
                    var sent = System.Text.Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
                    if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(sent, expected))
                        return next(context);
                    context.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
                    return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                        detail: "/metrics needs the key configured in Observability:MetricsKey as 'Authorization: Bearer <key>'.")
                        .ExecuteAsync(context);
                }));
            }
            app.MapPrometheusScrapingEndpoint(MetricsPath);
        }
        return app;
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}

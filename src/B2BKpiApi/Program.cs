using B2BKpiApi.Alerts;
using B2BKpiApi.Caching;
using B2BKpiApi.Dashboard;
using B2BKpiApi.Data;
using B2BKpiApi.Documentation;
using B2BKpiApi.Features.ChurnRisk;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Health;
using B2BKpiApi.Http;
using B2BKpiApi.Ingest;
using B2BKpiApi.Observability;
using FastEndpoints;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

if (args is ["--health-probe", var probeUrl])
    return await HealthProbe.RunAsync(probeUrl);

var builder = WebApplication.CreateBuilder(args);
if (WebhookServices.UnsafeConfiguration(builder) is { } unsafeWebhooks)
{
    await Console.Error.WriteLineAsync(unsafeWebhooks);
    return 2;
}
if (B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkOptions.Invalid(builder.Configuration) is { } invalidPeerBenchmarks)
{
    await Console.Error.WriteLineAsync(invalidPeerBenchmarks);
    return 2;
}
builder.AddKpiObservability();

builder.Services.Configure<AuthOptions>(builder.Configuration.GetSection("Auth"));
builder.Services.ConfigureHttpJsonOptions(o => JsonConventions.Configure(o.SerializerOptions));
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
{
    c.ProblemDetails.Extensions["traceId"] = c.HttpContext.TraceIdentifier;
    B2BKpiApi.Http.ProblemConventions.Complete(c);
});
builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>(); // after the default writer: when Accept names no JSON
builder.WebHost.ConfigureKestrel(o =>
{
    o.AddServerHeader = false;
    B2BKpiApi.Http.RequestTargetLimit.ConfigureKestrel(o);
    B2BKpiApi.Http.RequestHeaderLimit.ConfigureKestrel(o);
});
// A bind failure is reported in one line by StartupReport; the host would log it again with its stack trace.
builder.Logging.AddFilter(B2BKpiApi.Hosting.StartupReport.HostCategory, LogLevel.Critical);
builder.Services.AddExceptionHandler<KpiLimitExceptionHandler>();
builder.Services.AddExceptionHandler<DatabaseOutage>();
builder.Services.AddExceptionHandler<B2BKpiApi.Csv.CsvFormatProblems>();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<TenantContext>();
builder.Services.AddScoped<IdempotencyClaim>(); // the request's Idempotency-Key claim, marked executed by its write
builder.Services.AddTenantKeyCache();
builder.Services.AddKpiDatabase(builder.Configuration);
builder.Services.AddKpiReadReplica(builder.Configuration); // ConnectionStrings:Replica: KPI and list reads from a hot standby
builder.Services.AddProxyHeaders(builder.Configuration); // ForwardedHeaders:KnownProxies
builder.Services.AddScoped<BulkWriter>();
builder.Services.AddFastEndpoints();
builder.Services.AddRequestValidators();
builder.Services.AddSingleton(typeof(CsvRows<>));
builder.Services.AddKpiOpenApi();
builder.Services.AddKpiRateLimiting(builder.Configuration);
builder.Services.AddSingleton<B2BKpiApi.Tenancy.AuthFailureLimiter>();
builder.Services.Configure<KpiOptions>(builder.Configuration.GetSection("Kpis"));
builder.Services.AddScoped<FactsQuery>();
builder.Services.AddScoped<ComputeGate>();
builder.Services.AddScoped<KpiEngine>();
builder.Services.AddKpiResponseCache(builder.Configuration);
builder.Services.AddSingleton<KpiReadLimiter>();
builder.Services.AddHostedService<IdempotencyCleanup>();
builder.Services.AddWebhooks(builder.Configuration, builder.Environment);
builder.Services.AddKpiAlerts(builder.Configuration);
B2BKpiApi.Features.PeerBenchmarks.PeerBenchmarkServices.AddPeerBenchmarks(builder.Services, builder.Configuration);
builder.Services.AddChurnRisk(builder.Configuration);
builder.Services.AddHealthChecks().AddDbContextCheck<KpiDbContext>(tags: ["ready"]);

var app = builder.Build();
app.Services.GetRequiredService<ReplicaDatabase>(); // a misconfigured replica fails at start-up, not at the first read
app.UseProxyHeaders(); // first: every later step sees the client's address (X-Forwarded-For from a known proxy only)

app.UseKpiObservability();
app.UseMiddleware<B2BKpiApi.Http.SecurityHeaders>();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<B2BKpiApi.Http.RequestTargetLimit>();
app.UseMiddleware<B2BKpiApi.Http.RequestHeaderLimit>();
app.UseDashboard();
app.UseRouting();
app.UseMiddleware<ApiKeyMiddleware>();
app.UseRateLimiter();
app.UseMiddleware<B2BKpiApi.Http.ControlCharacterQuery>();
app.UseMiddleware<B2BKpiApi.Http.RequestContentType>();
app.UseKpiResponseCache();
app.UseMiddleware<IdempotencyMiddleware>();

app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
// Swagger UI is for people trying the API: off in Production unless OpenApi:SwaggerUi is true (the document stays served).
if (!app.Environment.IsProduction() || app.Configuration.GetValue<bool>("OpenApi:SwaggerUi"))
    app.UseSwaggerUI(o => o.SwaggerEndpoint(KpiOpenApi.DocumentPath, "B2B KPI API v1"));
app.MapApiReference();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
app.UseKpiEndpoints(); // every /v1 operation: Features/*/<Operation>.cs

B2BKpiApi.Hosting.StartupReport.LogConfiguration(app);
await Database.MigrateAsync(app.Services);
return await B2BKpiApi.Hosting.StartupReport.RunAsync(app);

/// <summary>The web host; public so that tests can start it with WebApplicationFactory.</summary>
public partial class Program;

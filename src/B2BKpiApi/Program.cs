using B2BKpiApi.Data;
using B2BKpiApi.Features.Kpis;
using B2BKpiApi.Health;
using B2BKpiApi.Hosting;
using FastEndpoints;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

if (args is ["--health-probe", var probeUrl])
    return await HealthProbe.RunAsync(probeUrl);

var builder = WebApplication.CreateBuilder(args);

builder.Services.Configure<AuthOptions>(builder.Configuration.GetSection("Auth"));
builder.Services.ConfigureHttpJsonOptions(o => JsonConventions.Configure(o.SerializerOptions));
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
    c.ProblemDetails.Extensions["traceId"] = c.HttpContext.TraceIdentifier);
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<TenantContext>();
builder.Services.AddKpiDatabase(builder.Configuration);
builder.Services.AddFastEndpoints();
builder.Services.AddRequestValidators();
builder.Services.AddSingleton(typeof(CsvRows<>));
builder.Services.AddKpiOpenApi();
builder.Services.AddKpiRateLimiting(builder.Configuration);
builder.Services.Configure<KpiOptions>(builder.Configuration.GetSection("Kpis"));
builder.Services.AddScoped<FactsQuery>();
builder.Services.AddScoped<KpiEngine>();
builder.Services.AddHostedService<IdempotencyCleanup>();
builder.Services.AddHealthChecks().AddDbContextCheck<KpiDbContext>(tags: ["ready"]);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRouting();
app.UseMiddleware<ApiKeyMiddleware>();
app.UseRateLimiter();
app.UseMiddleware<IdempotencyMiddleware>();

app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
app.UseSwaggerUI(o => o.SwaggerEndpoint(KpiOpenApi.DocumentPath, "B2B KPI API v1"));
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
app.UseKpiEndpoints(); // every /v1 operation: Features/*/<Operation>.cs

await Database.MigrateAsync(app.Services);
await app.RunAsync();
return 0;

/// <summary>The web host; public so that tests can start it with WebApplicationFactory.</summary>
public partial class Program;

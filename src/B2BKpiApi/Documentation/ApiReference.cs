using Scalar.AspNetCore;

namespace B2BKpiApi.Documentation;

/// <summary>The Scalar API reference at <c>/docs</c> and the links at <c>GET /</c>.</summary>
public static class ApiReference
{
    public const string DocsPath = "/docs";

    public sealed record Links(string Docs, string OpenApi, string SwaggerUi, string Dashboard, string HealthLive, string HealthReady);

    public sealed record Home(string Name, string Description, Links Links);

    private static readonly Home HomeDocument = new(
        "B2B KPI API",
        "KPI-as-a-service: push clients, contracts, leads, surveys and costs under /v1 with an X-Api-Key; read 31 KPIs with benchmarks.",
        new Links(DocsPath, KpiOpenApi.DocumentPath, "/swagger", "/dashboard/", "/health/live", "/health/ready"));

    public static WebApplication MapApiReference(this WebApplication app)
    {
        // Scalar's script ships inside the package and is served from /docs: no CDN, no internet needed.
        app.MapScalarApiReference(DocsPath, options => options
            .WithTitle("B2B KPI API reference")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddPreferredSecuritySchemes("ApiKey")
            .AddApiKeyAuthentication("ApiKey", scheme => scheme.WithName(Auth.Header))
            .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl));

        app.MapGet("/", () => TypedResults.Ok(HomeDocument)).ExcludeFromDescription();
        return app;
    }
}

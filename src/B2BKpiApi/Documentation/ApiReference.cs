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

    /// <summary>
    /// Scalar's script ships inside the package and is served from /docs. Everything that would reach beyond this
    /// server is off: the AI agent ("Ask AI") and its MCP integration, the developer toolbar (Deploy, Generate SDK,
    /// Share), telemetry, the fonts from Scalar's CDN and its request proxy (requests go straight to this API). The
    /// API key field starts empty: the reader pastes their own key, there is no placeholder to send by mistake.
    /// </summary>
    public static void Configure(ScalarOptions options) => options
        .WithTitle("B2B KPI API reference")
        .WithOpenApiRoutePattern("/openapi/{documentName}.json")
        .AddPreferredSecuritySchemes("ApiKey")
        .AddApiKeyAuthentication("ApiKey", scheme => scheme.WithName(Auth.Header).WithValue(""))
        .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl)
        .DisableAgent()
        .DisableMcp()
        .HideDeveloperTools()
        .DisableTelemetry()
        .DisableDefaultFonts();

    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapScalarApiReference(DocsPath, Configure);

        app.MapGet("/", () => TypedResults.Ok(HomeDocument)).ExcludeFromDescription();
        return app;
    }
}

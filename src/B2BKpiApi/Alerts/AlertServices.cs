using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.Alerts;

public static class AlertServices
{
    /// <summary>Alert rules' evaluation worker (configuration section <c>Alerts</c>) and the event schemas of the OpenAPI document.</summary>
    public static IServiceCollection AddKpiAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AlertOptions>(configuration.GetSection("Alerts"));
        services.AddSingleton<AlertWake>();
        services.AddSingleton<AlertMetrics>();
        services.AddSingleton<AlertEvaluationSeam>();
        services.AddScoped<AlertEvaluator>();
        services.AddScoped<AtRiskClientsTarget>();
        if (configuration.GetValue("Alerts:Enabled", true))
            services.AddHostedService<AlertWorker>();
        services.Configure<SwaggerGenOptions>(o => o.DocumentFilter<AlertEventsDocumentFilter>());
        return services;
    }
}

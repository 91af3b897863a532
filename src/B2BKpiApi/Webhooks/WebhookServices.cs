using B2BKpiApi.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;

namespace B2BKpiApi.Webhooks;

/// <summary>Registration of webhook delivery: options, the secrets' key ring, the SSRF guard, the sender and the worker.</summary>
public static class WebhookServices
{
    /// <summary>
    /// The one line to print when the configuration is unsafe, or null. Loopback http is for development and tests:
    /// in Production it would let a tenant aim webhooks at the server's own unauthenticated ports.
    /// </summary>
    public static string? UnsafeConfiguration(WebApplicationBuilder builder) =>
        builder.Environment.IsProduction() && builder.Configuration.GetValue<bool>($"{WebhookOptions.Section}:AllowLoopbackHttp")
            ? "Webhooks:AllowLoopbackHttp is true in Production: refused (it lets webhooks reach loopback over plain http). Set it to false or remove it."
            : null;

    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddDataProtection()
            .SetApplicationName("B2BKpiApi")
            .PersistKeysToFileSystem(new DirectoryInfo(KeysDirectory(configuration, environment)));
        services.ConfigureSwaggerGen(o => o.DocumentFilter<WebhookEventsDocumentFilter>());
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.AddSingleton<WebhookUrlGuard>();
        services.AddSingleton<WebhookSender>();
        // Instances that should only answer requests can leave delivery to others; at least one instance must run it.
        if (configuration.GetValue($"{WebhookOptions.Section}:RunDeliveryWorker", true))
            services.AddHostedService<WebhookDeliveryWorker>();
        return services;
    }

    /// <summary>
    /// <c>Webhooks:KeysDirectory</c>, or a folder beside the SQLite file, or <c>data/data-protection-keys</c> under the
    /// content root on a server database. Losing it makes every stored signing secret unreadable (they must be rotated).
    /// </summary>
    public static string KeysDirectory(IConfiguration configuration, IHostEnvironment environment)
    {
        if (configuration[$"{WebhookOptions.Section}:KeysDirectory"] is { Length: > 0 } configured)
            return Path.GetFullPath(configured, environment.ContentRootPath);
        if (Database.ProviderOf(configuration) == Database.Sqlite)
        {
            var source = new SqliteConnectionStringBuilder(configuration.GetConnectionString("Kpi") ?? "Data Source=data/kpi.db").DataSource;
            if (source is { Length: > 0 } && source != ":memory:" && !source.StartsWith("file:", StringComparison.Ordinal))
                return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, "data-protection-keys");
        }
        return Path.Combine(environment.ContentRootPath, "data", "data-protection-keys");
    }
}

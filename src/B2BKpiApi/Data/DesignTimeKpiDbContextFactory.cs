using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace B2BKpiApi.Data;

/// <summary>
/// What <c>dotnet ef</c> builds the context with, so the tools never start the web host. The provider
/// comes from <c>-- --provider sqlite|postgres|sqlserver</c>, else <c>Database__Provider</c>, else SQLite;
/// the connection string from <c>-- --connection "…"</c>, else <c>ConnectionStrings__Kpi</c>, else
/// <see cref="Database.DesignTimeConnectionString"/>.
/// </summary>
public sealed class DesignTimeKpiDbContextFactory : IDesignTimeDbContextFactory<KpiDbContext>
{
    public KpiDbContext CreateDbContext(string[] args)
    {
        var provider = Argument(args, "--provider") ?? Environment.GetEnvironmentVariable("Database__Provider") ?? Database.Sqlite;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
        }).Build();
        provider = Database.ProviderOf(configuration);
        var connectionString = Argument(args, "--connection") ?? Environment.GetEnvironmentVariable("ConnectionStrings__Kpi")
            ?? Database.DesignTimeConnectionString(provider);
        var options = new DbContextOptionsBuilder<KpiDbContext>();
        Database.Configure(options, provider, connectionString);
        return new KpiDbContext(options.Options, new TenantContext(), TimeProvider.System);
    }

    private static string? Argument(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}

using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;

namespace B2BKpiApi.Data;

/// <summary>Found by <c>dotnet ef</c> in this (startup) assembly; never used at run time.</summary>
public sealed class DesignTimeServices : IDesignTimeServices
{
    public void ConfigureDesignTimeServices(IServiceCollection serviceCollection) =>
        serviceCollection.AddScoped<IMigrationsScaffolder, PerProviderMigrationsScaffolder>();

    /// <summary>
    /// EF writes a model snapshot over any file of the same name it finds in the project, so the three
    /// providers' <c>KpiDbContextModelSnapshot.cs</c> would overwrite one another. Here every file goes
    /// to the folder of its namespace: the provider's own <c>Data/Migrations/{Provider}</c>.
    /// </summary>
    private sealed class PerProviderMigrationsScaffolder(MigrationsScaffolderDependencies dependencies)
        : MigrationsScaffolder(dependencies)
    {
        protected override string GetDirectory(string projectDir, string? siblingFileName, string subnamespace) =>
            Path.Combine(projectDir, Path.Combine(subnamespace.Split('.', StringSplitOptions.RemoveEmptyEntries)));
    }
}

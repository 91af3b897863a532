using B2BKpiApi.Metrics;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class DocumentationTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));

    [Fact]
    public void The_readme_lists_every_kpi_with_its_formula()
    {
        foreach (var kpi in KpiCatalog.All)
        {
            Assert.Contains($"| `{kpi.Id}` |", Readme, StringComparison.Ordinal);
            Assert.Contains(kpi.Formula.Replace("|", "\\|", StringComparison.Ordinal), Readme, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_readme_starts_with_the_run_and_test_commands()
    {
        var firstScreen = string.Join('\n', Readme.Split('\n').Take(25));
        Assert.Contains("dotnet run --project src/B2BKpiApi", firstScreen, StringComparison.Ordinal);
        Assert.Contains("dotnet test", firstScreen, StringComparison.Ordinal);
    }
}

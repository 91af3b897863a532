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

    [Fact]
    public void The_readme_says_a_money_kpi_has_unit_money_and_a_separate_currency()
    {
        Assert.DoesNotContain("(`currency` for money)", Readme, StringComparison.Ordinal);
        Assert.Contains("`currency` (the tenant's ISO 4217", Readme, StringComparison.Ordinal);
        Assert.Contains("a money KPI's `unit` is `money`", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_says_how_to_run_the_http_files_and_links_their_readme()
    {
        Assert.Contains("[`http/README.md`](http/README.md)", Readme, StringComparison.Ordinal);
        Assert.Contains("bash scripts/http-check.sh src/B2BKpiApi/bin/Release/net10.0/B2BKpiApi.dll", Readme, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repo.Root, "scripts", "http-check.sh")));
    }

    [Fact]
    public void The_readme_run_section_explains_the_data_protection_warning_of_the_first_start()
    {
        var run = Readme[..Readme.IndexOf("## A first session with curl", StringComparison.Ordinal)];
        Assert.Contains("No XML encryptor configured", run, StringComparison.Ordinal);
        Assert.Contains("data-protection-keys", run, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_configuration_table_documents_the_metrics_key()
    {
        Assert.Contains("| `Observability:MetricsKey`", Readme, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer <key>", Readme, StringComparison.Ordinal);
    }
}

using System.Net;
using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Features.Migrations;

/// <summary>
/// SQL Server cannot run here, so this checks what can be checked without it: the real requests (KPI
/// engine, list pages, reads, CSV export) run against a SqlServer-configured context, every command EF
/// would send is T-SQL, and nothing is evaluated on the client (see <see cref="SqlServerApiFactory"/>).
/// It does not check what a real server would answer.
/// </summary>
public sealed class SqlServerTranslationTests(SqlServerApiFactory factory) : IClassFixture<SqlServerApiFactory>
{
    private const string Period = "from=2025-01-01&to=2025-03-31";
    private static readonly string[] Families = ["[Clients]", "[Contracts]", "[Costs]", "[Surveys]", "[Leads]"];

    public static TheoryData<string, string[]> ScorecardFilters => new()
    {
        { "", Families },
        { "&industry=Manufacturing", ["[Clients]", "[Contracts]", "[Surveys]"] },
        { "&segment=Enterprise", ["[Clients]", "[Contracts]", "[Surveys]"] },
        { "&industry=Manufacturing&segment=Enterprise", ["[Clients]", "[Contracts]", "[Surveys]"] },
        { "&source=referral", ["[Leads]"] },
    };

    [Theory]
    [MemberData(nameof(ScorecardFilters))]
    public async Task The_scorecard_queries_translate_to_TSql(string filter, string[] tables)
    {
        var commands = await Send($"/v1/scorecard?{Period}{filter}");

        foreach (var table in tables)
            Assert.Contains(commands, c => c.Contains($"FROM {table}", StringComparison.Ordinal));
        foreach (var table in Families.Except(tables))
            Assert.DoesNotContain(commands, c => c.Contains($"FROM {table}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_KPI_alone_and_a_series_translate_to_TSql()
    {
        foreach (var kpi in KpiCatalog.All)
            Assert.NotEmpty(await Send($"/v1/kpis/{kpi.Id}?{Period}"));
        Assert.NotEmpty(await Send($"/v1/kpis/revenue/series?from=2025-01-01&to=2025-12-31&interval=quarter&industry=Manufacturing"));
        Assert.NotEmpty(await Send($"/v1/kpis/win-rate/series?from=2025-01-01&to=2025-12-31&interval=month&source=referral"));
    }

    public static TheoryData<string, string> Resources => new()
    {
        { "clients", "[Clients]" },
        { "contracts", "[Contracts]" },
        { "leads", "[Leads]" },
        { "surveys", "[Surveys]" },
        { "costs", "[Costs]" },
    };

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task The_list_read_and_export_queries_of_a_resource_translate_to_TSql(string resource, string table)
    {
        var cursor = B2BKpiApi.Paging.Cursors.Encode(Guid.CreateVersion7());

        foreach (var url in new[] { $"/v1/{resource}", $"/v1/{resource}?limit=200&from=2025-01-01&to=2025-12-31&cursor={cursor}" })
        {
            var page = Assert.Single(await Send(url), c => c.Contains($"FROM {table}", StringComparison.Ordinal));
            // A page is the first rows in id order: TOP (or OFFSET … FETCH) with ORDER BY, never LIMIT.
            Assert.Matches(@"SELECT TOP\(@\w+\)|OFFSET .* FETCH", page);
            Assert.Matches(@"ORDER BY \[\w+\]\.\[Id\]", page);
        }

        Assert.Contains(await Send($"/v1/{resource}/{Guid.CreateVersion7()}", HttpStatusCode.NotFound),
            c => c.Contains($"FROM {table}", StringComparison.Ordinal));
        Assert.Contains(await Send($"/v1/{resource}?from=2025-01-01", HttpStatusCode.OK, "text/csv"),
            c => c.Contains($"FROM {table}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_capture_fails_a_query_EF_cannot_translate_and_one_EF_warns_about()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();

        // Without these failing, a green run above would prove nothing about client evaluation.
        var untranslatable = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            db.Clients.Where(c => c.Name.GetHashCode() == 42).ToListAsync());
        Assert.Contains("could not be translated", untranslatable.Message, StringComparison.Ordinal);
        var warned = await Assert.ThrowsAsync<InvalidOperationException>(() => db.Costs.Skip(1).Take(1).ToListAsync());
        Assert.Contains(nameof(CoreEventId.RowLimitingOperationWithoutOrderByWarning), warned.Message, StringComparison.Ordinal);
    }

    /// <summary>Sends one GET and returns the commands it made EF send, each checked to be T-SQL.</summary>
    private async Task<IReadOnlyList<string>> Send(string url, HttpStatusCode expected = HttpStatusCode.OK, string accept = "application/json")
    {
        using var http = factory.CreateTenantClient();
        http.DefaultRequestHeaders.Add("Accept", accept);
        factory.Capture.Take();
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{url} answered {(int)response.StatusCode}, not {(int)expected}: {body}");

        // Apart from the API-key lookup; the idempotency clean-up may run at any time and is T-SQL too.
        var commands = factory.Capture.Take();
        Assert.Contains(commands, c => c.Contains("FROM [Tenants]", StringComparison.Ordinal));
        foreach (var command in commands)
            AssertTSql(command);
        return commands.Where(c => !c.Contains("FROM [Tenants]", StringComparison.Ordinal)).ToList();
    }

    internal static void AssertTSql(string sql)
    {
        Assert.Matches(@"\[\w+\]", sql);                 // identifiers quoted with brackets
        Assert.DoesNotMatch(@"""\w+""", sql);            // not with double quotes (SQLite, PostgreSQL)
        Assert.DoesNotMatch(@"\bLIMIT\b", sql);          // SQLite/PostgreSQL paging
        Assert.DoesNotContain("::", sql);                // PostgreSQL casts
        Assert.DoesNotMatch(@"\bILIKE\b|\bstrftime\b|\bjulianday\b", sql);
    }
}

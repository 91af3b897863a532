using System.Net;
using System.Net.Http.Headers;
using System.Text;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class CsvTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static async Task<string> Export(TenantClient tenant, string route)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, route);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await tenant.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<int> Count(TenantClient tenant, string route)
    {
        var page = await tenant.Http.GetAsync($"{route}?limit=200").Expect(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count;
    }

    [Fact]
    public async Task An_import_stores_the_rows_and_an_export_re_imports_unchanged()
    {
        using var tenant = await factory.CreateTenantAsync();
        const string file = """
            externalId,category,amount,currency,incurredOn
            gl-1,marketing,1200.50,USD,2026-01-03
            gl-2,direct-labor,99,USD,2026-01-04
            ,overhead,0.01,USD,2026-01-05
            """;
        var imported = await tenant.Http.PostAsync("/v1/costs/import", Csv(file)).Expect(HttpStatusCode.OK);
        Assert.Equal(3, imported["rows"]!.GetValue<int>());
        Assert.Equal(3, imported["created"]!.GetValue<int>());

        var list = await tenant.Http.GetAsync("/v1/costs").Expect(HttpStatusCode.OK);
        var first = list["items"]!.AsArray().Single(i => i!["externalId"]?.GetValue<string>() == "gl-1")!;
        Assert.Equal(1200.50m, first["amount"]!.GetValue<decimal>());
        Assert.Equal("marketing", first["category"]!.GetValue<string>());

        var export = await Export(tenant, "/v1/costs");
        var lines = export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("externalId,category,amount,currency,incurredOn", lines[0]);
        Assert.Contains("gl-2,direct-labor,99,USD,2026-01-04", lines);
        Assert.Equal(4, lines.Length);

        // Re-importing the export: the rows with an externalId update their record and change nothing.
        var onlyKeyed = string.Join("\n", lines.Where(l => !l.StartsWith(',')));
        var again = await tenant.Http.PostAsync("/v1/costs/import", Csv(onlyKeyed)).Expect(HttpStatusCode.OK);
        Assert.Equal(0, again["created"]!.GetValue<int>());
        Assert.Equal(2, again["updated"]!.GetValue<int>());
        Assert.Equal(export, await Export(tenant, "/v1/costs"));
    }

    [Fact]
    public async Task A_file_with_bad_rows_is_refused_whole_naming_each_row_and_field()
    {
        using var tenant = await factory.CreateTenantAsync();
        const string file = """
            externalId,kind,score,respondedOn
            a,nps,9,2026-01-01
            b,csat,9,2026-01-02
            c,nps,7,2026-02-30
            d,happiness,1,2026-01-03
            a,ces,3,2026-01-04
            """;
        var problem = await tenant.Http.PostAsync("/v1/surveys/import", Csv(file)).ExpectProblem(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Equal(["rows[3].score", "rows[4].respondedOn", "rows[5].kind", "rows[6].externalId"], errors);
        Assert.Equal(0, await Count(tenant, "/v1/surveys"));
    }

    [Fact]
    public async Task A_row_naming_another_tenants_client_is_refused_and_nothing_is_stored()
    {
        using var owner = await factory.CreateTenantAsync();
        using var other = await factory.CreateTenantAsync();
        var client = await owner.Http.PostJson("/v1/clients", new { name = "Owned", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        var mine = await other.Http.PostJson("/v1/clients", new { name = "Mine", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        var file = $"""
            clientId,signedOn,startsOn,endsOn,value,currency,kind
            {mine["id"]},2026-01-01,2026-01-01,2026-12-31,100,USD,new
            {client["id"]},2026-01-01,2026-01-01,2026-12-31,100,USD,new
            """;
        await other.Http.PostAsync("/v1/contracts/import", Csv(file)).ExpectProblem(HttpStatusCode.BadRequest, "rows[3].clientId");
        Assert.Equal(0, await Count(other, "/v1/contracts"));
    }

    [Theory]
    [InlineData("id,name,acquiredOn\n1,X,2026-01-01\n", "header")]
    [InlineData("name,acquiredOn,tenantId\nX,2026-01-01,abc\n", "header")]
    [InlineData("name,acquiredOn\n", "rows")]
    [InlineData("", "header")]
    public async Task Unknown_or_server_owned_columns_and_empty_files_are_refused(string file, string field)
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostAsync("/v1/clients/import", Csv(file)).ExpectProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(0, await Count(tenant, "/v1/clients"));
    }

    [Fact]
    public async Task An_import_that_is_not_text_csv_is_a_415_problem()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostRaw("/v1/clients/import", "{}").ExpectProblem(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_large_file_imports_in_one_transaction()
    {
        using var tenant = await factory.CreateTenantAsync();
        const int rows = 20_000;
        var file = new StringBuilder("externalId,category,amount,currency,incurredOn\n");
        for (var i = 0; i < rows; i++)
            file.Append("c-").Append(i).Append(",cogs,1.25,USD,2026-0").Append(1 + (i % 9)).Append("-15\n");
        var imported = await tenant.Http.PostAsync("/v1/costs/import", Csv(file.ToString())).Expect(HttpStatusCode.OK);
        Assert.Equal(rows, imported["created"]!.GetValue<int>());

        // Σ cogs over the year is exact to the cent: 20,000 × 1.25.
        var cogs = await tenant.Http.GetAsync("/v1/kpis/gross-profit-margin?from=2026-01-01&to=2026-12-31").Expect(HttpStatusCode.OK);
        Assert.Equal(rows * 1.25m, cogs["inputs"]!["cogs"]!.GetValue<decimal>());

        // The same file with one bad row at the end stores nothing more, although the earlier chunks were written.
        file.Append("late,cogs,oops,USD,2026-01-01\n");
        var problem = await tenant.Http.PostAsync("/v1/costs/import", Csv(file.ToString().Replace("c-", "d-", StringComparison.Ordinal)))
            .ExpectProblem(HttpStatusCode.BadRequest, $"rows[{rows + 2}].amount");
        var after = await tenant.Http.GetAsync("/v1/kpis/gross-profit-margin?from=2026-01-01&to=2026-12-31").Expect(HttpStatusCode.OK);
        Assert.Equal(rows * 1.25m, after["inputs"]!["cogs"]!.GetValue<decimal>());
        Assert.NotNull(problem);
    }

    [Fact]
    public async Task An_export_never_holds_another_tenants_records_and_honours_the_date_range()
    {
        using var owner = await factory.CreateTenantAsync();
        using var other = await factory.CreateTenantAsync();
        await owner.Http.PostAsync("/v1/clients/import", Csv("name,acquiredOn\nA,2026-01-01\nB,2026-02-01\n")).Expect(HttpStatusCode.OK);

        var others = await Export(other, "/v1/clients");
        Assert.Equal("externalId,name,acquiredOn,churnedOn,industry,segment", others.TrimEnd());
        var february = await Export(owner, "/v1/clients?from=2026-02-01&to=2026-02-28");
        Assert.Equal(2, february.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(",B,2026-02-01,", february, StringComparison.Ordinal);
    }
}

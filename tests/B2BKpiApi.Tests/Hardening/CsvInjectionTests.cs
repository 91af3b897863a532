using System.Net;
using System.Net.Http.Headers;
using System.Text;
using B2BKpiApi.Csv;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Hardening;

public sealed class CsvInjectionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] Names = ["=SUM(A1:A9)", "+1 555 0100", "-minus", "@cmd", "'quoted", "''twice", "plain", "a=b"];

    private static async Task<string> Export(TenantClient tenant, string route)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, route);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await tenant.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<List<(string ExternalId, string Name)>> Clients(TenantClient tenant)
    {
        var page = await tenant.Http.GetAsync("/v1/clients?limit=200").Expect(HttpStatusCode.OK);
        return page["items"]!.AsArray()
            .Select(c => (c!["externalId"]!.GetValue<string>(), c["name"]!.GetValue<string>()))
            .OrderBy(c => c.Item1, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Formula_cells_are_exported_neutralised_and_the_export_re_imports_to_the_same_records()
    {
        using var source = await factory.CreateTenantAsync();
        for (var i = 0; i < Names.Length; i++)
            await source.Http.PostJson("/v1/clients", new { externalId = i == 0 ? "=ext" : $"crm-{i}", name = Names[i], acquiredOn = "2025-01-01" })
                .Expect(HttpStatusCode.Created);

        var export = await Export(source, "/v1/clients");
        var lines = export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("\"'=ext\",\"'=SUM(A1:A9)\",", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("crm-1,\"'+1 555 0100\",", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("crm-2,\"'-minus\",", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("crm-3,\"'@cmd\",", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("crm-4,\"''quoted\",", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("crm-5,\"'''twice\",", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("crm-6,plain,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("crm-7,a=b,", StringComparison.Ordinal));
        // No cell that a spreadsheet would evaluate: every field starts with neither = + - @ (quotes aside).
        foreach (var field in lines.Skip(1).SelectMany(l => l.Split(',')))
            Assert.False(field.TrimStart('"').Length > 0 && "=+-@".Contains(field.TrimStart('"')[0], StringComparison.Ordinal), field);

        using var target = await factory.CreateTenantAsync();
        await target.Http.PostAsync("/v1/clients/import", new StringContent(export, Encoding.UTF8, "text/csv")).Expect(HttpStatusCode.OK);
        Assert.Equal(await Clients(source), await Clients(target));
        // The same rows (UUIDv7 ids made in one millisecond are not ordered, so the order may differ).
        Assert.Equal(lines.Order(StringComparer.Ordinal), (await Export(target, "/v1/clients"))
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

        // Re-importing into the source changes nothing.
        var again = await source.Http.PostAsync("/v1/clients/import", new StringContent(export, Encoding.UTF8, "text/csv")).Expect(HttpStatusCode.OK);
        Assert.Equal(0, again["created"]!.GetValue<int>());
        Assert.Equal(await Clients(target), await Clients(source));
    }

    [Theory]
    [InlineData("=1+1")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData("@SUM(1)")]
    [InlineData("\tTab")]
    [InlineData("\rCR")]
    [InlineData("'")]
    [InlineData("''")]
    [InlineData("'=1")]
    [InlineData("plain")]
    [InlineData("")]
    public void Neutralising_is_reversed_exactly_by_the_import(string value)
    {
        var cell = CsvInjection.Neutralise(value);
        Assert.Equal(value, CsvInjection.Restore(cell));
        if (value.Length > 0 && "=+-@\t\r'".Contains(value[0], StringComparison.Ordinal))
            Assert.Equal("'" + value, cell);
        else
            Assert.Equal(value, cell);
    }
}

using System.Net;
using System.Text;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// Control characters, duplicate keys, enum values in another case and malformed CSV are refused as
/// 400s naming the place, on every provider (these run on SQLite and, with KPI_TEST_POSTGRES, on PostgreSQL,
/// where a NUL used to be a 500), and nothing of a refused request is stored.
/// </summary>
public sealed class InputStrictnessTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static async Task<int> Count(TenantClient tenant, string route)
    {
        var page = await tenant.Http.GetAsync($"{route}?limit=200").Expect(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count;
    }

    public static TheoryData<string, string> ControlCharactersInJson => new()
    {
        { """{"name":"Glo\u0000bex","acquiredOn":"2025-01-01"}""", "name" },
        { """{"name":"Globex\u0007","acquiredOn":"2025-01-01"}""", "name" },
        { """{"name":"Globex","acquiredOn":"2025-01-01","externalId":"crm\u00001"}""", "externalId" },
        { """{"name":"Globex","acquiredOn":"2025-01-01","externalId":"crm\t1"}""", "externalId" },
        { """{"name":"Globex","acquiredOn":"2025-01-01","industry":"manu\nfacturing"}""", "industry" },
        { """{"name":"Globex","acquiredOn":"2025-01-01","segment":"\u001f"}""", "segment" },
    };

    [Theory]
    [MemberData(nameof(ControlCharactersInJson))]
    public async Task A_control_character_in_a_json_string_is_a_400_naming_the_field(string body, string field)
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.PostRaw("/v1/clients", body).ExpectProblem(HttpStatusCode.BadRequest, field);
        Assert.Contains("control character", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await Count(tenant, "/v1/clients"));
    }

    [Fact]
    public async Task Nul_is_refused_in_batches_replacements_and_tenant_creation_too()
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostRaw("/v1/costs/batch",
                """{"items":[{"externalId":"gl-1","category":"sales","amount":1,"currency":"USD","incurredOn":"2025-01-01"},{"externalId":"gl\u00002","category":"sales","amount":1,"currency":"USD","incurredOn":"2025-01-01"}]}""")
            .ExpectProblem(HttpStatusCode.BadRequest, "items[1].externalId");
        Assert.Equal(0, await Count(tenant, "/v1/costs"));

        var created = await tenant.Http.PostJson("/v1/clients", new { name = "Globex", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        using var put = new StringContent("""{"name":"Glo\u0000bex","acquiredOn":"2025-01-01"}""", Encoding.UTF8, "application/json");
        await tenant.Http.PutAsync($"/v1/clients/{created["id"]}", put).ExpectProblem(HttpStatusCode.BadRequest, "name");

        using var admin = factory.CreateAdminClient();
        await admin.PostRaw("/v1/tenants", """{"name":"Acme","industry":"manu\u0000facturing","currency":"USD"}""")
            .ExpectProblem(HttpStatusCode.BadRequest, "industry");
    }

    [Fact]
    public async Task Tab_and_line_breaks_are_kept_in_a_free_text_name()
    {
        using var tenant = await factory.CreateTenantAsync();
        var created = await tenant.Http.PostRaw("/v1/clients", """{"name":"Globex\tEMEA\r\nHQ","acquiredOn":"2025-01-01"}""")
            .Expect(HttpStatusCode.Created);
        var read = await tenant.Http.GetAsync($"/v1/clients/{created["id"]}").Expect(HttpStatusCode.OK);
        Assert.Equal("Globex\tEMEA\r\nHQ", read["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v1/kpis/revenue?from=2025-01-01&to=2025-03-31&industry=manu%00facturing", "industry")]
    [InlineData("/v1/kpis/revenue?from=2025-01-01&to=2025-03-31&source=web%01", "source")]
    [InlineData("/v1/scorecard?from=2025-01-01&to=2025-03-31&segment=%00", "segment")]
    [InlineData("/v1/clients?cursor=%00", "cursor")]
    public async Task A_control_character_in_a_query_filter_is_a_400_naming_the_parameter(string url, string parameter)
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.GetAsync(url).ExpectProblem(HttpStatusCode.BadRequest, parameter);
    }

    [Fact]
    public async Task A_control_character_in_a_csv_cell_is_a_400_naming_the_row_and_field()
    {
        using var tenant = await factory.CreateTenantAsync();
        var file = "externalId,name,acquiredOn\ncrm-1,Globex,2025-01-01\ncrm-2,Ini\0tech,2025-01-01\n";
        var problem = await tenant.Http.PostAsync("/v1/clients/import", Csv(file)).ExpectProblem(HttpStatusCode.BadRequest, "rows[3].name");
        Assert.Contains("U+0000", problem["errors"]!["rows[3].name"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await Count(tenant, "/v1/clients"));
    }

    [Theory]
    [InlineData("""{"name":"A","name":"B","acquiredOn":"2025-01-01"}""", "name")]
    [InlineData("""{"name":"A","Name":"B","acquiredOn":"2025-01-01"}""", "Name")]
    [InlineData("""{"name":"A","acquiredOn":"2025-01-01","acquiredOn":"2025-02-01"}""", "acquiredOn")]
    public async Task A_key_given_twice_in_any_case_is_a_400_naming_it(string body, string field)
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.PostRaw("/v1/clients", body).ExpectProblem(HttpStatusCode.BadRequest, field);
        Assert.Contains("more than once", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await Count(tenant, "/v1/clients"));
    }

    [Theory]
    [InlineData("NEW")]
    [InlineData("New")]
    [InlineData("Renewal")]
    public async Task An_enum_value_in_another_case_is_a_400(string kind)
    {
        using var tenant = await factory.CreateTenantAsync();
        var client = await tenant.Http.PostJson("/v1/clients", new { name = "Globex", acquiredOn = "2025-01-01" }).Expect(HttpStatusCode.Created);
        await tenant.Http.PostJson("/v1/contracts", new
            {
                clientId = client["id"]!.GetValue<Guid>(), signedOn = "2025-01-10", startsOn = "2025-02-01", endsOn = "2026-01-31",
                value = 24000, currency = "USD", kind,
            })
            .ExpectProblem(HttpStatusCode.BadRequest, "kind");
        Assert.Equal(0, await Count(tenant, "/v1/contracts"));
    }

    [Fact]
    public async Task Enum_values_as_written_are_still_accepted_and_written_back_the_same()
    {
        using var tenant = await factory.CreateTenantAsync();
        var cost = await tenant.Http.PostJson("/v1/costs", new { category = "direct-labor", amount = 5, currency = "USD", incurredOn = "2025-01-01" })
            .Expect(HttpStatusCode.Created);
        Assert.Equal("direct-labor", cost["category"]!.GetValue<string>());
        await tenant.Http.PostJson("/v1/costs", new { category = "DIRECT-LABOR", amount = 5, currency = "USD", incurredOn = "2025-01-01" })
            .ExpectProblem(HttpStatusCode.BadRequest, "category");
    }

    [Theory]
    [InlineData("externalId,name,acquiredOn,name\ncrm-1,A,2025-01-01,B\n", "header")]
    [InlineData("externalId,name,acquiredOn,Name\ncrm-1,A,2025-01-01,B\n", "header")]
    [InlineData("externalId,name,acquiredOn\ncrm-1,A,2025-01-01\ncrm-2,B,2025-01-01,extra\n", "rows[3]")]
    [InlineData("externalId,name,acquiredOn\ncrm-1,Glo\"bex,2025-01-01\n", "rows[2]")]
    [InlineData("externalId,name,acquiredOn\ncrm-1,\"Globex\"x,2025-01-01\n", "rows[2]")]
    [InlineData("externalId,name,acquiredOn\ncrm-1,A,2025-01-01\ncrm-2,\"Globex,2025-01-01\n", "rows[3]")]
    [InlineData("externalId,kind,score,respondedOn\na,NPS,9,2026-01-01\n", "rows[2].kind")]
    public async Task Malformed_csv_is_a_400_naming_the_place_and_stores_nothing(string file, string field)
    {
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostAsync(file.Contains("kind", StringComparison.Ordinal) ? "/v1/surveys/import" : "/v1/clients/import", Csv(file))
            .ExpectProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(0, await Count(tenant, "/v1/clients"));
        Assert.Equal(0, await Count(tenant, "/v1/surveys"));
    }

    [Fact]
    public async Task Csv_that_is_not_utf8_is_a_400_naming_the_row_and_field()
    {
        using var tenant = await factory.CreateTenantAsync();
        // "Müller" in Latin-1: 0xFC is not UTF-8, and would otherwise be stored as U+FFFD.
        var bytes = Encoding.ASCII.GetBytes("externalId,name,acquiredOn\ncrm-1,A,2025-01-01\ncrm-2,M")
            .Concat(new byte[] { 0xFC }).Concat(Encoding.ASCII.GetBytes("ller,2025-01-01\n")).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        var problem = await tenant.Http.PostAsync("/v1/clients/import", content).ExpectProblem(HttpStatusCode.BadRequest, "rows[3].name");
        Assert.Contains("UTF-8", problem["errors"]!["rows[3].name"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await Count(tenant, "/v1/clients"));
    }

    [Fact]
    public async Task Utf8_text_with_quotes_and_commas_still_imports_unchanged()
    {
        using var tenant = await factory.CreateTenantAsync();
        var file = "externalId,name,acquiredOn\ncrm-1,\"Müller, \"\"Söhne\"\"\",2025-01-01\n";
        await tenant.Http.PostAsync("/v1/clients/import", Csv(file)).Expect(HttpStatusCode.OK);
        var list = await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        Assert.Equal("Müller, \"Söhne\"", list["items"]![0]!["name"]!.GetValue<string>());
    }
}

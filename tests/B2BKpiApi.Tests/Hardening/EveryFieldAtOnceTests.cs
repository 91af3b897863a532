using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// Issue 18, items 5–7: a body or CSV row names every failing field at once (values that cannot be read and
/// validation failures together), a date that names no day says so, enum errors list the allowed values, an
/// unknown field lists the fields, enum query values are case-exact, and null is refused where a field may only
/// be left out. Runs on SQLite and, with KPI_TEST_POSTGRES, on PostgreSQL; nothing of a refused request is stored.
/// </summary>
public sealed class EveryFieldAtOnceTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    private static string[] Messages(JsonNode problem, string field) =>
        problem["errors"]![field]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();

    private static async Task<int> Count(TenantClient tenant, string route)
    {
        var page = await tenant.Http.GetAsync($"{route}?limit=200").Expect(HttpStatusCode.OK);
        return page["items"]!.AsArray().Count;
    }

    [Fact]
    public async Task A_json_body_names_an_unreadable_date_and_an_invalid_score_together()
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.PostRaw("/v1/surveys",
                """{"externalId":"s1","kind":"nps","score":11,"respondedOn":"2025-02-30"}""")
            .ExpectProblem(HttpStatusCode.BadRequest, "respondedOn");
        Assert.Contains("2025-02-30 is not a day", Messages(problem, "respondedOn")[0], StringComparison.Ordinal);
        Assert.Contains("February 2025 has 28 days", Messages(problem, "respondedOn")[0], StringComparison.Ordinal);
        Assert.Contains("between 0 and 10", Messages(problem, "score")[0], StringComparison.Ordinal);
        Assert.Equal(2, problem["errors"]!.AsObject().Count);
        Assert.Equal(0, await Count(tenant, "/v1/surveys"));
    }

    [Fact]
    public async Task A_json_body_names_every_unreadable_field_and_every_invalid_one()
    {
        using var tenant = await factory.CreateTenantAsync();
        // outcome and createdOn cannot be read, dealValue is read but invalid, favouriteColour is no field.
        var problem = await tenant.Http.PostRaw("/v1/leads",
                """{"createdOn":"2025-13-01","outcome":"WON","dealValue":-5,"currency":"USD","favouriteColour":"red"}""")
            .ExpectProblem(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Contains("months run from 01 to 12", Messages(problem, "createdOn")[0], StringComparison.Ordinal);
        Assert.Equal("'outcome' must be one of won, lost, written exactly so.", Messages(problem, "outcome")[0]);
        Assert.True(errors.ContainsKey("dealValue"), problem.ToJsonString());
        Assert.Contains("The fields are: externalId, createdOn, qualifiedOn", Messages(problem, "favouriteColour")[0], StringComparison.Ordinal);
        // createdOn is reported as unreadable, not also as missing.
        Assert.Single(Messages(problem, "createdOn"));
        Assert.Equal(0, await Count(tenant, "/v1/leads"));
    }

    [Fact]
    public async Task A_batch_names_every_failing_field_of_every_item()
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.PostRaw("/v1/costs/batch", """
            {"items":[
              {"externalId":"gl-1","category":"marketing","amount":1,"currency":"USD","incurredOn":"2025-01-01"},
              {"externalId":"gl-2","category":"Marketing","amount":0,"currency":"USD","incurredOn":"2025-04-31"},
              {"externalId":"gl-3","category":"sales","amount":1,"currency":"usd","incurredOn":"2025-01-01"}
            ]}
            """).ExpectProblem(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Contains("must be one of", Messages(problem, "items[1].category")[0], StringComparison.Ordinal);
        Assert.Contains("2025-04-31 is not a day", Messages(problem, "items[1].incurredOn")[0], StringComparison.Ordinal);
        Assert.True(errors.ContainsKey("items[1].amount"), problem.ToJsonString());
        Assert.True(errors.ContainsKey("items[2].currency"), problem.ToJsonString());
        Assert.False(errors.ContainsKey("items[0].amount"), problem.ToJsonString());
        Assert.Equal(0, await Count(tenant, "/v1/costs"));
    }

    [Fact]
    public async Task An_enum_body_value_in_another_case_lists_the_values()
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.PostRaw("/v1/costs",
                """{"category":"MARKETING","amount":5,"currency":"USD","incurredOn":"2025-01-01"}""")
            .ExpectProblem(HttpStatusCode.BadRequest, "category");
        Assert.Contains("one of cogs, direct-labor, sales, marketing, overhead", Messages(problem, "category")[0], StringComparison.Ordinal);
        Assert.Equal(Messages(problem, "category")[0], problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_csv_row_names_every_failing_field_in_the_words_of_json()
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.PostAsync("/v1/surveys/import", Csv(
                "externalId,kind,score,respondedOn\ns1,nps,9,2025-01-01\ns2,nps,11,2025-02-30\ns3,NPS,x,2025-1-2\n"))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Contains("2025-02-30 is not a day", Messages(problem, "rows[3].respondedOn")[0], StringComparison.Ordinal);
        Assert.Contains("between 0 and 10", Messages(problem, "rows[3].score")[0], StringComparison.Ordinal);
        Assert.Equal("'kind' must be one of nps, csat, ces, written exactly so.", Messages(problem, "rows[4].kind")[0]);
        Assert.Equal("'score' must be a whole number, such as 7.", Messages(problem, "rows[4].score")[0]);
        Assert.Contains("cannot be read as a date written YYYY-MM-DD", Messages(problem, "rows[4].respondedOn")[0], StringComparison.Ordinal);
        Assert.Equal(5, problem["errors"]!.AsObject().Count);

        var lead = await tenant.Http.PostAsync("/v1/leads/import", Csv("createdOn,outcome\n2025-01-01,WON\n"))
            .ExpectProblem(HttpStatusCode.BadRequest, "rows[2].outcome");
        Assert.Contains("one of won, lost", Messages(lead, "rows[2].outcome")[0], StringComparison.Ordinal);
        Assert.Equal(0, await Count(tenant, "/v1/surveys"));
        Assert.Equal(0, await Count(tenant, "/v1/leads"));
    }

    [Fact]
    public async Task Csv_cells_read_as_json_values_do()
    {
        using var tenant = await factory.CreateTenantAsync();
        var clients = await tenant.Http.PostAsync("/v1/clients/import", Csv(
                "externalId,name,acquiredOn,industry\n'=c1,'Globex,2025-01-31,\nc2,Initech,2024-02-29,software\n"))
            .Expect(HttpStatusCode.OK);
        Assert.Equal(2, clients["created"]!.GetValue<int>());
        var list = await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK);
        var first = list["items"]!.AsArray().Single(c => c!["externalId"]!.GetValue<string>() == "=c1")!;
        Assert.Equal("Globex", first["name"]!.GetValue<string>());
        Assert.Null(first["industry"]);
        var id = first["id"]!.GetValue<string>();

        var contracts = await tenant.Http.PostAsync("/v1/contracts/import", Csv(
                $"externalId,clientId,signedOn,startsOn,endsOn,value,currency,kind\nk1,{id},2025-01-01,2025-01-01,2025-12-31,1200.50,USD,new\n"))
            .Expect(HttpStatusCode.OK);
        Assert.Equal(1, contracts["created"]!.GetValue<int>());
        var contract = (await tenant.Http.GetAsync("/v1/contracts").Expect(HttpStatusCode.OK))["items"]![0]!;
        Assert.Equal(1200.50m, contract["value"]!.GetValue<decimal>());
        Assert.Equal("new", contract["kind"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("enabled")]
    [InlineData("toDate")]
    public async Task Null_is_refused_where_an_alert_field_may_only_be_left_out(string field)
    {
        using var tenant = await factory.CreateTenantAsync();
        var body = new JsonObject
        {
            ["name"] = "Too many new clients", ["kpiId"] = "new-clients", ["window"] = "month",
            ["condition"] = new JsonObject { ["type"] = "above", ["threshold"] = 5 }, [field] = null,
        };
        var problem = await tenant.Http.PostJson("/v1/alerts", body).ExpectProblem(HttpStatusCode.BadRequest, field);
        Assert.Contains("true or false, or left out", Messages(problem, field)[0], StringComparison.Ordinal);
        Assert.Empty((await tenant.Http.GetAsync("/v1/alerts").Expect(HttpStatusCode.OK))["items"]!.AsArray());

        body.Remove(field);
        var created = await tenant.Http.PostJson("/v1/alerts", body).Expect(HttpStatusCode.Created);
        Assert.Equal(field == "enabled", created[field]!.GetValue<bool>()); // the defaults: enabled true, toDate false
    }

    [Fact]
    public async Task Null_is_refused_for_a_webhook_endpoints_enabled()
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.PostRaw("/v1/webhook-endpoints",
                """{"url":"https://hooks.example.com/kpi","enabled":null,"eventTypes":["kpi.alert.triggered"]}""")
            .ExpectProblem(HttpStatusCode.BadRequest, "enabled");
        Assert.Contains("true or false", Messages(problem, "enabled")[0], StringComparison.Ordinal);
        Assert.Empty((await tenant.Http.GetAsync("/v1/webhook-endpoints").Expect(HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Theory]
    [InlineData("FIRING")]
    [InlineData("Firing")]
    [InlineData("NoData")]
    [InlineData("sleeping")]
    public async Task An_alert_state_filter_is_case_exact_and_lists_the_states(string state)
    {
        using var tenant = await factory.CreateTenantAsync();
        var problem = await tenant.Http.GetAsync($"/v1/alerts?state={state}").ExpectProblem(HttpStatusCode.BadRequest, "state");
        Assert.Contains("one of pending, ok, firing, no-data", Messages(problem, "state")[0], StringComparison.Ordinal);
        await tenant.Http.GetAsync("/v1/alerts?state=no-data").Expect(HttpStatusCode.OK);
        await tenant.Http.GetAsync("/v1/alerts?state=firing").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_oversized_api_key_is_a_401_problem_saying_the_key_is_too_long()
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/clients");
        request.Headers.TryAddWithoutValidation("X-Api-Key", "kpi_" + new string('k', 60 * 1024));
        var problem = await http.SendAsync(request).ExpectProblem(HttpStatusCode.Unauthorized);
        Assert.Contains("too long", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_over_the_api_limit_are_a_431_problem_naming_the_largest()
    {
        using var tenant = await factory.CreateTenantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/clients");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('p', 40 * 1024));
        var problem = await tenant.Http.SendAsync(request).ExpectProblem((HttpStatusCode)431);
        Assert.Contains("X-Padding", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}

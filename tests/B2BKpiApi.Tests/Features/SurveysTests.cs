using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

public sealed class SurveysTests(ApiFactory factory) : ResourceTests(factory)
{
    protected override string Route => "/v1/surveys";
    protected override string MainDateField => "respondedOn";
    protected override (string Field, JsonNode Value) Change => ("score", 6);

    protected override async Task<JsonObject> ValidBody(TenantClient tenant, string? externalId = null, string mainDate = "2026-02-10") =>
        new()
        {
            ["externalId"] = externalId, ["kind"] = "nps", ["score"] = 9, ["respondedOn"] = mainDate,
            ["clientId"] = await CreateClientRecord(tenant), ["respondentRole"] = "economic-buyer",
        };

    protected override (JsonObject Body, string[] Fields) InvalidBody =>
        (new JsonObject { ["kind"] = "csat", ["score"] = 0 }, ["score", "respondedOn"]);

    public static TheoryData<string, int, bool> Scores => new()
    {
        { "nps", 0, true }, { "nps", 10, true }, { "nps", 11, false }, { "nps", -1, false },
        { "csat", 1, true }, { "csat", 5, true }, { "csat", 0, false }, { "csat", 6, false },
        { "ces", 1, true }, { "ces", 7, true }, { "ces", 0, false }, { "ces", 8, false },
    };

    [Theory]
    [MemberData(nameof(Scores))]
    public async Task The_score_range_depends_on_the_kind(string kind, int score, bool accepted)
    {
        using var tenant = await Factory.CreateTenantAsync();
        var call = tenant.Http.PostJson(Route, new { kind, score, respondedOn = "2026-01-01" });
        if (accepted)
            await call.Expect(HttpStatusCode.Created);
        else
            await call.ExpectProblem(HttpStatusCode.BadRequest, "score");
    }

    [Fact]
    public async Task A_survey_naming_another_tenants_client_is_refused()
    {
        using var owner = await Factory.CreateTenantAsync();
        using var other = await Factory.CreateTenantAsync();
        await other.Http.PostJson(Route, await ValidBody(owner)).ExpectProblem(HttpStatusCode.BadRequest, "clientId");
        await AssertCount(other, 0);
    }

    [Fact]
    public async Task A_survey_need_not_name_a_client()
    {
        using var tenant = await Factory.CreateTenantAsync();
        await tenant.Http.PostJson(Route, new { kind = "ces", score = 7, respondedOn = "2026-01-01" }).Expect(HttpStatusCode.Created);
    }
}

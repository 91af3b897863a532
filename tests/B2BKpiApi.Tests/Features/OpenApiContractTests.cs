using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

/// <summary>The committed openapi/v1.json is the contract partners generate clients from: it must be the served one.</summary>
public sealed class OpenApiContractTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string Committed = Path.Combine(Repo.Root, "openapi", "v1.json");

    [Fact]
    public async Task The_committed_document_is_the_one_the_app_serves()
    {
        using var http = factory.CreateClient();
        var served = await http.GetStringAsync("/openapi/v1.json");
        var pretty = JsonNode.Parse(served)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(Committed, pretty);

        Assert.True(File.Exists(Committed), "openapi/v1.json is missing: run the tests once with UPDATE_OPENAPI=1.");
        var committed = await File.ReadAllTextAsync(Committed);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(committed), JsonNode.Parse(served)),
            "openapi/v1.json differs from the served document: run the tests with UPDATE_OPENAPI=1 and commit the change.");
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_a_description_and_its_problem_responses()
    {
        using var http = factory.CreateClient();
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var operationIds = new HashSet<string>();
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                var id = operation!["operationId"]?.GetValue<string>();
                Assert.False(string.IsNullOrEmpty(id), $"{where} has no operationId");
                Assert.True(operationIds.Add(id!), $"{where}: operationId {id} is not unique");
                Assert.False(string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()), $"{where} has no summary");
                Assert.False(string.IsNullOrEmpty(operation["description"]?.GetValue<string>()), $"{where} has no description");
                var responses = operation["responses"]!.AsObject();
                Assert.True(responses.ContainsKey("401"), $"{where} does not document 401");
                foreach (var (status, response) in responses.Where(r => r.Key.StartsWith('4')))
                    Assert.True(response!["content"]?["application/problem+json"] is not null, $"{where} {status} is not a problem");
            }
        }
        Assert.Contains("CreateTenant", operationIds);
    }

    [Fact]
    public async Task Swagger_ui_and_health_need_no_key()
    {
        using var http = factory.CreateClient();
        await http.GetAsync("/swagger/index.html").Expect(HttpStatusCode.OK);
        Assert.Equal("Healthy", await http.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
    }
}

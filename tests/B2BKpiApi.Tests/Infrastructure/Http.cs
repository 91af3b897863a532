using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace B2BKpiApi.Tests.Infrastructure;

public static class Http
{
    public static async Task<JsonNode> ReadJson(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    public static async Task<JsonNode> Expect(this Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        var isJson = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true;
        return body.Length == 0 ? new JsonObject() : isJson ? JsonNode.Parse(body)! : JsonValue.Create(body);
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient http, string url, object body) => http.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PutJson(this HttpClient http, string url, object body) => http.PutAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PostRaw(this HttpClient http, string url, string json) =>
        http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Asserts an RFC 9457 validation problem that names <paramref name="field"/>.</summary>
    public static async Task<JsonNode> ExpectProblem(this Task<HttpResponseMessage> call, HttpStatusCode status, string? field = null)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // never a stack trace
        if (field is not null)
        {
            var errors = problem["errors"]?.AsObject();
            Assert.True(errors is not null && errors.ContainsKey(field), $"Expected an error for '{field}': {body}");
        }
        return problem;
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);
}

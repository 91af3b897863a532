using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Features;

/// <summary>What a newcomer opens first: <c>GET /</c>, the Scalar reference, the dashboard's files; and what stays closed by default.</summary>
public sealed class DocsAndDashboardTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_root_links_the_docs_the_openapi_document_swagger_the_dashboard_and_health_and_each_link_answers()
    {
        using var http = factory.CreateClient();
        var home = await http.GetAsync("/").Expect(HttpStatusCode.OK);
        var links = home["links"]!.AsObject();
        Assert.Equal(["docs", "openApi", "swaggerUi", "dashboard", "healthLive", "healthReady"], links.Select(l => l.Key));
        foreach (var (name, link) in links)
        {
            using var response = await http.GetAsync(link!.GetValue<string>());
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name} ({link}) answers {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Docs_serve_the_scalar_reference_from_the_app_itself_with_the_api_key_scheme()
    {
        using var http = factory.CreateClient();
        var page = (await http.GetAsync("/docs/").Expect(HttpStatusCode.OK)).GetValue<string>();
        Assert.Contains("<script src=\"scalar.js\"></script>", page, StringComparison.Ordinal);
        Assert.Contains("\"preferredSecurityScheme\":[\"ApiKey\"]", page, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn.jsdelivr", page, StringComparison.OrdinalIgnoreCase);
        using var script = await http.GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000, "the reference's script ships with the app");
    }

    [Fact]
    public async Task Docs_show_no_third_party_buttons_no_placeholder_key_and_load_nothing_remote()
    {
        using var http = factory.CreateClient();
        var page = (await http.GetAsync("/docs/").Expect(HttpStatusCode.OK)).GetValue<string>();
        // The configuration object Scalar is initialized with (the third argument of initialize(...)).
        var start = page.IndexOf("{\"", page.IndexOf("initialize(", StringComparison.Ordinal), StringComparison.Ordinal);
        var end = page.IndexOf("},\n", start, StringComparison.Ordinal);
        var config = JsonNode.Parse(page[start..(end + 1)])!.AsObject();

        Assert.True(config["agent"]?["disabled"]?.GetValue<bool>(), "the AI agent (Ask AI) is off");
        Assert.True(config["mcp"]?["disabled"]?.GetValue<bool>(), "the MCP integration is off");
        Assert.Equal("never", config["showDeveloperTools"]?.GetValue<string>()); // Deploy, Generate SDK, Share
        Assert.False(config["telemetry"]?.GetValue<bool>());
        Assert.False(config["withDefaultFonts"]?.GetValue<bool>()); // Inter and JetBrains Mono come from Scalar's CDN
        Assert.Null(config["proxyUrl"]); // requests go straight to this API, not through proxy.scalar.com
        Assert.Equal("", config["authentication"]!["securitySchemes"]!["ApiKey"]!["value"]!.GetValue<string>());
        Assert.Equal("X-Api-Key", config["authentication"]!["securitySchemes"]!["ApiKey"]!["name"]!.GetValue<string>());
        // Nothing on the page names another host: every script and the document are relative to /docs/.
        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex("(src|href|url)\\W+https?://"), page);
    }

    [Theory]
    [InlineData("/dashboard/", "text/html")]
    [InlineData("/dashboard/dashboard.js", "text/javascript")]
    [InlineData("/dashboard/dashboard.css", "text/css")]
    [InlineData("/dashboard/chart.umd.min.js", "text/javascript")]
    public async Task The_dashboard_files_are_served_without_a_key_under_a_strict_content_security_policy(string path, string mediaType)
    {
        using var http = factory.CreateClient();
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(' ', response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task The_vendored_chart_library_keeps_its_licence_header()
    {
        using var http = factory.CreateClient();
        var script = await http.GetStringAsync("/dashboard/chart.umd.min.js");
        Assert.StartsWith("/*!\n * Chart.js v4.6.1", script, StringComparison.Ordinal);
        Assert.Contains("Released under the MIT License", script[..300], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_metrics_are_off_by_default()
    {
        using var http = factory.CreateClient();
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Every_answer_says_how_long_the_server_took_in_server_timing()
    {
        using var http = factory.CreateClient();
        using var response = await http.GetAsync("/health/live");
        var timing = Assert.Single(response.Headers.GetValues("Server-Timing"));
        Assert.Matches("^app;dur=[0-9]+\\.[0-9];desc=\"until the first byte\"$", timing);
    }
}

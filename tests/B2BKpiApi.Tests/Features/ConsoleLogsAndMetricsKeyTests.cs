using System.Net;
using System.Net.Http.Headers;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Tests.Features;

/// <summary>Plain console lines in Development and JSON elsewhere; <c>/metrics</c> behind <c>Observability:MetricsKey</c>.</summary>
public sealed class ConsoleLogsAndMetricsKeyTests(ConsoleLogsAndMetricsKeyTests.MetricsKeyFactory factory)
    : IClassFixture<ConsoleLogsAndMetricsKeyTests.MetricsKeyFactory>
{
    public const string MetricsKey = "scrape-key-0123456789";

    public sealed class MetricsKeyFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Observability:PrometheusEnabled", "true");
            builder.UseSetting("Observability:MetricsKey", MetricsKey);
        }
    }

    [Theory]
    [InlineData("Development", "simple")]
    [InlineData("Production", "json")]
    public void Development_logs_one_plain_line_per_entry_and_production_logs_json(string environment, string formatter)
    {
        using var host = factory.WithWebHostBuilder(b => b.UseEnvironment(environment));
        var console = host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        Assert.Equal(formatter, console.FormatterName);
        if (formatter == "simple")
        {
            var simple = host.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
            Assert.True(simple.SingleLine);
            Assert.True(simple.UseUtcTimestamp);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key")]
    [InlineData("Bearer " + MetricsKey + "x")]
    [InlineData(MetricsKey)]
    public async Task Metrics_refuse_a_request_without_the_configured_key(string? authorization)
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(MetricsKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain("# TYPE", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_answer_the_scraper_that_sends_the_key()
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_key_guards_only_metrics()
    {
        using var http = factory.CreateClient();
        using var response = await http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

using System.Diagnostics;
using System.Net;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace B2BKpiApi.Tests.Webhooks;

public sealed class WebhookStartupTests
{
    [Fact]
    public async Task Loopback_http_for_webhooks_is_refused_in_production_with_one_clear_line()
    {
        var dbFile = Path.Combine(Path.GetTempPath(), $"kpi-webhook-startup-{Guid.NewGuid():N}.db");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "--urls", "http://127.0.0.1:0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Kpi"] = $"Data Source={dbFile}",
                ["Webhooks__AllowLoopbackHttp"] = "true",
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single((await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("Webhooks:AllowLoopbackHttp", line, StringComparison.Ordinal);
        Assert.Contains("Production", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line + await output, StringComparison.Ordinal);
        Assert.False(File.Exists(dbFile), "nothing ran: the database was not even created");
    }

    /// <summary>The settings of the Development environment (appsettings.Development.json), not the test's.</summary>
    private sealed class DevelopmentFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Development");
        }
    }

    [Fact]
    public async Task Development_settings_let_a_local_http_receiver_register()
    {
        using var factory = new DevelopmentFactory();
        using var tenant = await factory.CreateTenantAsync();
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "http://127.0.0.1:8080/hooks", eventTypes = new[] { "webhook.test" } })
            .Expect(HttpStatusCode.Created);
        // Only loopback: a private address stays refused in Development too.
        await tenant.Http.PostJson("/v1/webhook-endpoints", new { url = "http://10.0.0.1:8080/hooks", eventTypes = new[] { "webhook.test" } })
            .ExpectProblem(HttpStatusCode.BadRequest, "url");
    }
}

using System.Diagnostics;

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
}

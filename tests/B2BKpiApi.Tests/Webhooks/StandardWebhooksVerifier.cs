using System.Diagnostics;
using System.Text.Json;
using B2BKpiApi.Tests.Infrastructure;

namespace B2BKpiApi.Tests.Webhooks;

/// <summary>
/// Checks a received webhook with the npm <c>standardwebhooks</c> package (the reference verifier) through
/// tests/webhooks/verify.mjs, so that a signature is judged by the standard's own library, not by our code.
/// </summary>
public static class StandardWebhooksVerifier
{
    private static string Script => Path.Combine(Repo.Root, "tests", "webhooks", "verify.mjs");

    /// <summary>"verified", or "refused: …" with the library's reason.</summary>
    public static async Task<string> VerifyAsync(string secret, Received received)
    {
        if (!Directory.Exists(Path.Combine(Repo.Root, "node_modules", "standardwebhooks")))
            Assert.Fail($"The npm package standardwebhooks is not installed: run 'npm ci' in {Repo.Root} (CI does it before the .NET tests).");
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { Script },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(new { secret, headers = received.Headers, body = received.Body }));
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        var result = output.Trim();
        Assert.True(result is "verified" || result.StartsWith("refused: ", StringComparison.Ordinal), $"verify.mjs failed to run: {output} {error}");
        return result;
    }

    public static async Task AssertVerifiedAsync(string secret, Received received) =>
        Assert.Equal("verified", await VerifyAsync(secret, received));
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using B2BKpiApi.Hosting;

namespace B2BKpiApi.Tests.Hardening;

public sealed class StartupTests
{
    [Fact]
    public void The_logged_database_location_never_holds_a_password()
    {
        var postgres = StartupReport.DescribeLocation("postgres", "Host=db.internal;Port=5433;Username=kpi;Password=s3cret-pw;Database=kpi_prod");
        Assert.Equal("host db.internal, port 5433, database kpi_prod, user kpi", postgres);
        var sqlite = StartupReport.DescribeLocation("sqlite", "Data Source=data/kpi.db;Password=s3cret-pw");
        Assert.Equal(Path.GetFullPath("data/kpi.db"), sqlite);
        var sqlServer = StartupReport.DescribeLocation("sqlserver", "Server=db,1433;Database=kpi;User Id=kpi;Password=s3cret-pw;TrustServerCertificate=true");
        Assert.Contains("database=kpi", sqlServer, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret", postgres + sqlite + sqlServer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_instance_on_a_busy_port_fails_with_one_clear_line_after_logging_its_database_and_the_missing_operator_key()
    {
        var port = Infrastructure.PostgresCluster.FreePort();
        using var busy = new TcpListener(IPAddress.Loopback, port);
        busy.Start();
        var dbFile = Path.Combine(Path.GetTempPath(), $"kpi-busy-{Guid.NewGuid():N}.db");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(Program).Assembly.Location, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Database__Provider"] = "sqlite",
                ["ConnectionStrings__Kpi"] = $"Data Source={dbFile}",
                ["Auth__AdminApiKey"] = "",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__B2BKpiApi"] = "Information",
            },
        };
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);

            var errorLines = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(2, process.ExitCode);
            var line = Assert.Single(errorLines);
            Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
            Assert.Contains("already in use", line, StringComparison.Ordinal);
            var log = await output;
            Assert.DoesNotContain("   at ", log + line, StringComparison.Ordinal);
            Assert.Contains($"Database: sqlite at {dbFile}", log, StringComparison.Ordinal);
            Assert.Contains("No operator key is configured", log, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var file in new[] { dbFile, dbFile + "-wal", dbFile + "-shm" })
                File.Delete(file);
        }
    }
}

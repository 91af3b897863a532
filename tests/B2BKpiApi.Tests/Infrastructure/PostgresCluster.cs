using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace B2BKpiApi.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of the test's own (initdb into a temp folder, a free port in 5450–5499), so a test
/// can stop and restart it without touching the shared server on 5432. Runs the server as the
/// <c>postgres</c> user when the tests run as root (initdb refuses root).
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private readonly string _bin;
    private readonly string _dataDir;

    private PostgresCluster(string bin, string dataDir, int port)
    {
        _bin = bin;
        _dataDir = dataDir;
        Port = port;
    }

    public int Port { get; }

    public string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5;Pooling=false";

    public static PostgresCluster Create()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Where(d => File.Exists(Path.Combine(d, "bin", "initdb"))).ToList()
            : [];
        if (versions.Count == 0)
            throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql).");
        var bin = Path.Combine(versions.OrderBy(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Last(), "bin");
        var dataDir = Path.Combine(Path.GetTempPath(), $"kpi-outage-{Guid.NewGuid():N}");
        var cluster = new PostgresCluster(bin, dataDir, FreePort());
        try
        {
            cluster.Run("initdb", $"-D {dataDir} -A trust -U postgres --no-sync -E UTF8");
            cluster.Start();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A hot-standby streaming replica of this server (pg_basebackup -R into a temp folder, its own free port):
    /// what <c>ConnectionStrings:Replica</c> points at. Dispose it before the primary.
    /// </summary>
    public PostgresCluster CreateReplica()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"kpi-replica-{Guid.NewGuid():N}");
        var replica = new PostgresCluster(_bin, dataDir, FreePort());
        try
        {
            Run("pg_basebackup", $"-h 127.0.0.1 -p {Port} -U postgres -D {dataDir} -R -X stream -c fast");
            replica.Start();
            return replica;
        }
        catch
        {
            replica.Dispose();
            throw;
        }
    }

    /// <summary>Runs one SQL statement on <paramref name="database"/> of this server and returns the first column of the first row.</summary>
    public object? Scalar(string database, string sql)
    {
        using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ConnectionString);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public void Start() =>
        Run("pg_ctl", $"-D {_dataDir} -l {_dataDir}/server.log -w -t 60 -o \"-p {Port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off\" start");

    public void Stop() => Run("pg_ctl", $"-D {_dataDir} -w -t 60 -m fast stop");

    public void Dispose()
    {
        if (File.Exists(Path.Combine(_dataDir, "postmaster.pid")))
            Run("pg_ctl", $"-D {_dataDir} -w -t 60 -m immediate stop", check: false);
        if (Directory.Exists(_dataDir))
            Directory.Delete(_dataDir, recursive: true);
    }

    private void Run(string tool, string arguments, bool check = true)
    {
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(_bin, tool))
        {
            Arguments = asRoot ? $"-u postgres -- {Path.Combine(_bin, tool)} {arguments}" : arguments,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} did not finish within two minutes.");
        }
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {arguments} failed ({process.ExitCode}): {output.Result}{error.Result}");
    }

    /// <summary>A free loopback port in 5450–5499, the range these tests may use.</summary>
    public static int FreePort()
    {
        foreach (var port in Enumerable.Range(5450, 50).OrderBy(_ => Random.Shared.Next()))
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // taken: try another
            }
        }
        throw new InvalidOperationException("No free port in 5450-5499.");
    }
}

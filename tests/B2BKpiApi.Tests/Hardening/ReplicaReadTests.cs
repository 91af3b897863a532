using System.Net;
using B2BKpiApi.Data;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// Reads from a real hot-standby replica (ConnectionStrings:Replica): a PostgreSQL primary of the test's own and a
/// streaming replica made with pg_basebackup -R. Replay is paused on the replica (pg_wal_replay_pause) to make it
/// behind on purpose, and the replica is stopped, so these run only where KPI_TEST_PG_OUTAGE is set (CI sets it).
/// </summary>
public sealed class ReplicaReadTests
{
    private sealed class ReplicaApi(TestDatabase database, string replica, string maxLag) : ApiFactory(database)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:Kpi",
                new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Pooling = true, Timeout = 5 }.ConnectionString);
            builder.UseSetting("ConnectionStrings:Replica", replica);
            builder.UseSetting("Replica:MaxLag", maxLag);
            builder.UseSetting("Replica:RetryAfter", "00:00:01");
            // Every read computes (a cached answer would not show which database it came from).
            builder.UseSetting("Cache:Enabled", "false");
        }

        public ReplicaDatabase Replica => Services.GetRequiredService<ReplicaDatabase>();
    }

    private sealed class Setup : IDisposable
    {
        public required PostgresCluster Primary { get; init; }
        public required PostgresCluster Replica { get; init; }
        public required ReplicaApi Api { get; init; }
        public required string DatabaseName { get; init; }

        public static Setup Create(string maxLag = "00:00:30")
        {
            var primary = PostgresCluster.Create();
            var replica = primary.CreateReplica();
            var database = TestDatabase.NewPostgres(primary.ServerConnectionString);
            var name = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database!;
            var replicaConnection = new NpgsqlConnectionStringBuilder(replica.ServerConnectionString) { Database = name, Pooling = true }.ConnectionString;
            return new Setup { Primary = primary, Replica = replica, Api = new ReplicaApi(database, replicaConnection, maxLag), DatabaseName = name };
        }

        public long VersionOn(PostgresCluster server, Guid tenant) =>
            server.Scalar(DatabaseName, $"SELECT \"DataVersion\" FROM \"Tenants\" WHERE \"Id\" = '{tenant}'") is long v ? v : -1;

        /// <summary>Waits until the replica has replayed the tenant's data version the primary holds.</summary>
        public async Task CaughtUpAsync(Guid tenant)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (VersionOn(Replica, tenant) < VersionOn(Primary, tenant))
            {
                Assert.True(DateTime.UtcNow < deadline, "the replica did not replay the tenant's writes within 30 s");
                await Task.Delay(100);
            }
        }

        public void PauseReplay() => Replica.Scalar("postgres", "SELECT pg_wal_replay_pause()");
        public void ResumeReplay() => Replica.Scalar("postgres", "SELECT pg_wal_replay_resume()");

        public void Dispose()
        {
            Api.Dispose();
            Replica.Dispose();
            Primary.Dispose();
        }
    }

    private static async Task<long> NewClients(TenantClient tenant) =>
        (await tenant.Http.GetAsync("/v1/kpis/new-clients?from=2025-01-01&to=2025-12-31").Expect(HttpStatusCode.OK))["value"]!.GetValue<long>();

    private static async Task<List<string>> ClientNames(TenantClient tenant) =>
        (await tenant.Http.GetAsync("/v1/clients").Expect(HttpStatusCode.OK))["items"]!.AsArray()
            .Select(c => c!["name"]!.GetValue<string>()).Order().ToList();

    private static async Task AddClient(TenantClient tenant, string name) =>
        await tenant.Http.PostJson("/v1/clients", new { name, acquiredOn = "2025-03-01" }).Expect(HttpStatusCode.Created);

    [PostgresOutageFact]
    public async Task Reads_use_the_replica_once_it_has_replayed_the_tenants_writes_and_the_primary_while_it_has_not()
    {
        using var setup = Setup.Create();
        var counts = setup.Api.Replica;
        using var tenant = await setup.Api.CreateTenantAsync();
        using var other = await setup.Api.CreateTenantAsync();
        await AddClient(tenant, "Globex");
        await AddClient(other, "Hooli");
        await setup.CaughtUpAsync(tenant.TenantId);
        await setup.CaughtUpAsync(other.TenantId);

        // Caught up: the reads run on the replica, with the same tenant filter (each tenant sees only its own client).
        var onReplica = counts.Count(ReadRoute.Replica);
        Assert.Equal(1, await NewClients(tenant));
        Assert.Equal(["Globex"], await ClientNames(tenant));
        Assert.Equal(["Hooli"], await ClientNames(other));
        await tenant.Http.GetAsync("/v1/scorecard?from=2025-01-01&to=2025-12-31").Expect(HttpStatusCode.OK);
        await tenant.Http.GetAsync("/v1/kpis/new-clients/series?from=2025-01-01&to=2025-12-31&interval=quarter").Expect(HttpStatusCode.OK);
        Assert.Equal(onReplica + 5, counts.Count(ReadRoute.Replica));
        Assert.Equal(0, counts.Count(ReadRoute.PrimaryReplicaDown));

        // Replay paused: the replica cannot have the next write, so the read right after it goes to the primary
        // and sees it (never the replica's older answer).
        setup.PauseReplay();
        try
        {
            await AddClient(tenant, "Initech");
            Assert.True(setup.VersionOn(setup.Replica, tenant.TenantId) < setup.VersionOn(setup.Primary, tenant.TenantId), "replay is paused");
            var behind = counts.Count(ReadRoute.PrimaryReplicaBehind);
            Assert.Equal(2, await NewClients(tenant));
            Assert.Equal(["Globex", "Initech"], await ClientNames(tenant));
            Assert.Equal(behind + 2, counts.Count(ReadRoute.PrimaryReplicaBehind));
            // The other tenant wrote nothing since: the replica still answers it.
            var replicaBefore = counts.Count(ReadRoute.Replica);
            Assert.Equal(["Hooli"], await ClientNames(other));
            Assert.Equal(replicaBefore + 1, counts.Count(ReadRoute.Replica));
        }
        finally
        {
            setup.ResumeReplay();
        }

        await setup.CaughtUpAsync(tenant.TenantId);
        var after = counts.Count(ReadRoute.Replica);
        Assert.Equal(2, await NewClients(tenant));
        Assert.Equal(after + 1, counts.Count(ReadRoute.Replica));
    }

    [PostgresOutageFact]
    public async Task A_replica_lagging_beyond_max_lag_serves_no_tenant()
    {
        using var setup = Setup.Create(maxLag: "00:00:01");
        var counts = setup.Api.Replica;
        using var quiet = await setup.Api.CreateTenantAsync();
        using var busy = await setup.Api.CreateTenantAsync();
        await AddClient(quiet, "Globex");
        await setup.CaughtUpAsync(quiet.TenantId);
        await setup.CaughtUpAsync(busy.TenantId);
        var onReplica = counts.Count(ReadRoute.Replica);
        Assert.Equal(1, await NewClients(quiet));
        Assert.Equal(onReplica + 1, counts.Count(ReadRoute.Replica));

        setup.PauseReplay();
        try
        {
            // Another tenant's write arrives but is not replayed; once it is older than MaxLag the replica is
            // lagging, and even the tenant whose own data it has is read from the primary.
            await AddClient(busy, "Hooli");
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var lagging = counts.Count(ReadRoute.PrimaryReplicaLagging);
            Assert.Equal(1, await NewClients(quiet));
            Assert.Equal(lagging + 1, counts.Count(ReadRoute.PrimaryReplicaLagging));
        }
        finally
        {
            setup.ResumeReplay();
        }
        await setup.CaughtUpAsync(busy.TenantId);
        var back = counts.Count(ReadRoute.Replica);
        Assert.Equal(1, await NewClients(quiet));
        Assert.Equal(back + 1, counts.Count(ReadRoute.Replica));
    }

    [PostgresOutageFact]
    public async Task With_the_replica_stopped_reads_go_to_the_primary_without_an_error_and_return_to_it_after()
    {
        using var setup = Setup.Create();
        var counts = setup.Api.Replica;
        using var tenant = await setup.Api.CreateTenantAsync();
        await AddClient(tenant, "Globex");
        await setup.CaughtUpAsync(tenant.TenantId);
        Assert.Equal(1, await NewClients(tenant)); // opens a pooled connection to the replica, which the stop then breaks
        Assert.Equal(1, counts.Count(ReadRoute.Replica));

        setup.Replica.Stop();
        await AddClient(tenant, "Initech");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(2, await NewClients(tenant));
            Assert.Equal(["Globex", "Initech"], await ClientNames(tenant));
        }
        Assert.True(counts.Count(ReadRoute.PrimaryReplicaDown) >= 10, $"{counts.Count(ReadRoute.PrimaryReplicaDown)} reads counted as replica down");
        Assert.Equal(1, counts.Count(ReadRoute.Replica));

        setup.Replica.Start();
        await setup.CaughtUpAsync(tenant.TenantId);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (counts.Count(ReadRoute.Replica) == 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "reads did not return to the replica within 30 s of its restart");
            Assert.Equal(2, await NewClients(tenant));
            await Task.Delay(300);
        }
    }
}

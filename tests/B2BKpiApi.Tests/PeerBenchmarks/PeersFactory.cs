using System.Net;
using System.Text.Json.Nodes;
using B2BKpiApi.Data;
using B2BKpiApi.Features.PeerBenchmarks;
using B2BKpiApi.Tests.Alerts;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.PeerBenchmarks;

/// <summary>
/// A host whose calendar is fixed on 15 April 2026 (so Q1 2026 is the latest complete quarter) and whose peer job runs
/// only when a test calls it (<see cref="RunJobAsync"/>), unless <see cref="WorkerEnabled"/>.
/// </summary>
public class PeersFactory : ApiFactory
{
    public const string Quarter = "2026-Q1";
    public const string From = "2026-01-01";
    public const string To = "2026-03-31";

    public static readonly DateTimeOffset Today = new(2026, 4, 15, 10, 0, 0, TimeSpan.Zero);

    public TestClock Clock { get; } = new(Today);

    protected virtual bool WorkerEnabled => false;

    protected virtual int MinTenants => 10;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PeerBenchmarks:Enabled", WorkerEnabled ? "true" : "false");
        builder.UseSetting("PeerBenchmarks:PollInterval", "00:00:00.200");
        builder.UseSetting("PeerBenchmarks:MinTenants", MinTenants.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Q1 2026 and its months, and 2026: enough for the tests, little to compute.
        builder.UseSetting("PeerBenchmarks:Months", "4");
        builder.UseSetting("PeerBenchmarks:Quarters", "2");
        builder.UseSetting("PeerBenchmarks:Years", "1");
        // A tenant whose KPIs run past the compute budget is left out of a run (and a one-tenant change is not
        // republished): on a loaded test machine that would make the tests about timing, not about the rules.
        builder.UseSetting("Kpis:ComputeBudgetSeconds", "300");
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>Runs the job as the worker would; an operator refresh first makes it due again.</summary>
    public async Task RunJobAsync()
    {
        using var admin = CreateAdminClient();
        await admin.PostAsync("/v1/admin/peer-benchmarks/refresh", null).Expect(HttpStatusCode.Accepted);
        Assert.True(await Services.GetRequiredService<PeerBenchmarkJob>().RunIfDueAsync(CancellationToken.None));
    }

    public List<PeerBenchmarkSnapshot> Snapshots() => WithDb(db => db.PeerBenchmarkSnapshots.AsNoTracking().ToList());

    /// <summary>A tenant with <paramref name="clients"/> clients acquired in 2025, of which <paramref name="churned"/> churn in Q1 2026.</summary>
    public async Task<TenantClient> TenantAsync(string industry, int clients, int churned, bool optIn)
    {
        var tenant = await CreateTenantAsync(industry: industry);
        await PushClientsAsync(tenant, "c", clients, churned, "2025-02-01");
        if (optIn)
            await OptInAsync(tenant);
        return tenant;
    }

    public static async Task PushClientsAsync(TenantClient tenant, string prefix, int clients, int churned, string acquiredOn)
    {
        var items = new JsonArray();
        for (var i = 0; i < clients; i++)
            items.Add(new JsonObject
            {
                ["externalId"] = $"{prefix}{i}", ["name"] = $"Client {prefix}{i}", ["acquiredOn"] = acquiredOn,
                ["churnedOn"] = i < churned ? $"2026-02-{10 + i % 15:00}" : null,
            });
        await tenant.Http.PostJson("/v1/clients/batch", new JsonObject { ["items"] = items }).Expect(HttpStatusCode.OK);
    }

    public static Task OptInAsync(TenantClient tenant, bool optIn = true) =>
        tenant.Http.PutJson("/v1/settings/peer-benchmarks", new { optIn }).Expect(HttpStatusCode.OK);
}

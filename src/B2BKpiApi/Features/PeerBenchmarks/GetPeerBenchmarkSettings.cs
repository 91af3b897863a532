using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>GET /v1/settings/peer-benchmarks: the tenant's opt-in, its peer industry and its derived size band.</summary>
public sealed class GetPeerBenchmarkSettings(KpiDbContext db, TenantContext tenant, TimeProvider clock)
    : EndpointWithoutRequest<Ok<PeerBenchmarkSettingsResponse>>
{
    public override void Configure()
    {
        Get("settings/peer-benchmarks");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action(Signature))
            .WithTags("Peer benchmarks").WithName(nameof(GetPeerBenchmarkSettings))
            .WithSummary("The tenant's peer-benchmark settings")
            .WithDescription("Off by default. sizeBand is derived from the tenant's active client count today and cannot be set.")
            .Produces<PeerBenchmarkSettingsResponse>());
    }

    private static void Signature() { }

    public override async Task<Ok<PeerBenchmarkSettingsResponse>> ExecuteAsync(CancellationToken ct) =>
        TypedResults.Ok((await PeerBenchmarkSettingsResponse.ReadAsync(db, tenant, clock, track: false, ct)).Response);
}

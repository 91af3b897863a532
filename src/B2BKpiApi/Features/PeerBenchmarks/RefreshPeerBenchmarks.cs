using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>POST /v1/admin/peer-benchmarks/refresh (operator key): asks for a computation of the peer snapshots now.</summary>
public sealed class RefreshPeerBenchmarks(KpiDbContext db, TimeProvider clock, PeerBenchmarkWake wake)
    : EndpointWithoutRequest<Accepted<RefreshPeerBenchmarks.Response>>
{
    /// <summary>When the refresh was asked for and when the last computation completed (null: never).</summary>
    public new sealed record Response(DateTime RequestedAt, DateTime? LastCompletedAt);

    public override void Configure()
    {
        Post("admin/peer-benchmarks/refresh");
        Group<OperatorApi>();
        Description(b => b.OperatorOperation(new Action(Signature))
            .WithTags("Peer benchmarks").WithName(nameof(RefreshPeerBenchmarks))
            .WithSummary("Recompute the peer benchmarks now (operator key)")
            .WithDescription("Queues a computation of every peer snapshot; one API instance (whichever takes the database lease) runs it " +
                             "in the background, never on a request. Answers 202 at once; lastCompletedAt moves when it is done.")
            .Produces<Response>(StatusCodes.Status202Accepted));
    }

    private static void Signature() { }

    public override async Task<Accepted<Response>> ExecuteAsync(CancellationToken ct)
    {
        var now = KpiDbContext.Now(clock);
        await db.PeerBenchmarkRuns.Where(r => r.Id == PeerBenchmarkRun.SingletonId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.RequestedAt, now), ct);
        var last = await db.PeerBenchmarkRuns.AsNoTracking().Where(r => r.Id == PeerBenchmarkRun.SingletonId)
            .Select(r => r.LastCompletedAt).FirstOrDefaultAsync(ct);
        wake.Wake();
        return TypedResults.Accepted((string?)null, new Response(now, last));
    }
}

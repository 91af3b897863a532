using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using FastEndpoints;
using B2BKpiApi.Features.PeerBenchmarks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

/// <summary>GET /v1/scorecard: every KPI for a period, grouped by balanced-scorecard perspective.</summary>
public sealed class GetScorecard(KpiEngine engine, TenantContext tenant, PeerBenchmarkReader peers, Caching.KpiResultCache kept)
    : Endpoint<KpiQuery, Results<Ok<GetScorecard.Response>, ValidationProblem>>
{
    public sealed record PerspectiveResponse(string Perspective, IReadOnlyList<KpiResultResponse> Kpis);

    public new sealed record Response(PeriodResponse Period, string Currency, string Industry, IReadOnlyList<PerspectiveResponse> Perspectives);

    public override void Configure()
    {
        Get("scorecard");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<KpiQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<KpiQuery, bool?>(Signature))
            .WithTags("Kpis").WithName(nameof(GetScorecard))
            .WithSummary("Every KPI for a period, by balanced-scorecard perspective")
            .WithDescription("The one call a dashboard makes: every KPI of the catalog with its inputs, trend and benchmark verdict, " +
                             "grouped by perspective (financial, customer, internal-process, learning-growth). " +
                             "It runs a fixed handful of aggregate queries for the period and its previous period.")
            .Produces<Response>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
    }

    private static void Signature([AsParameters] KpiQuery query,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = PeerBenchmarkReader.QueryName), System.ComponentModel.Description(GetKpi.PeersDescription)] bool? peers) { }

    public override async Task<Results<Ok<Response>, ValidationProblem>> ExecuteAsync(KpiQuery query, CancellationToken ct)
    {
        if (PeerBenchmarkReader.Invalid(HttpContext.Request) is { } invalidPeers)
            return Problems.Invalid(PeerBenchmarkReader.QueryName, invalidPeers);
        // Resolved here, on the request: the cache may run Compute where FastEndpoints' Resolve cannot see the request.
        var reads = Resolve<KpiReads>();
        Task<IReadOnlyList<KpiResultResponse>> Compute(CancellationToken c) =>
            reads.RunAsync(r => engine.ComputeAllAsync(query.Period, query.Filter, query.CompareMode, r), c);
        IReadOnlyList<KpiResultResponse> results;
        if (PeerBenchmarkReader.Requested(HttpContext.Request))
        {
            // Not a cached response (peers move without the data version): the KPI results are kept, peers added afresh.
            results = await kept.GetOrComputeAsync("scorecard", query.Period, query.Filter, query.CompareMode, Compute, ct);
            results = await peers.AddAsync(results, query.Period, query.Filter, ct);
        }
        else
            results = await Compute(ct);
        var byId = KpiCatalog.All.Zip(results).ToList();
        var perspectives = Enum.GetValues<Perspective>()
            .Select(p => new PerspectiveResponse(Wire.Of(p), byId.Where(x => x.First.Perspective == p).Select(x => x.Second).ToList()))
            .ToList();
        return TypedResults.Ok(new Response(PeriodResponse.Of(query.Period), tenant.Currency, tenant.Industry, perspectives));
    }
}

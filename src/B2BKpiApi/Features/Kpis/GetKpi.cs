using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using FastEndpoints;
using B2BKpiApi.Features.PeerBenchmarks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

/// <summary>GET /v1/kpis/{id}: one KPI for a period, with its inputs, trend and benchmark verdict.</summary>
public sealed class GetKpi(KpiEngine engine, PeerBenchmarkReader peers, Caching.KpiResultCache kept)
    : Endpoint<KpiQuery, Results<Ok<KpiResultResponse>, ValidationProblem, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("kpis/{id}");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<KpiQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<string, KpiQuery, bool?>(Signature))
            .WithTags("Kpis").WithName(nameof(GetKpi))
            .WithSummary("One KPI for a period")
            .WithDescription("The value with its inputs, sample size (survey and lead KPIs), the previous period's value and the change, " +
                             "and the benchmark comparison for the tenant's industry. An undefined KPI has value null and a reason.")
            .Produces<KpiResultResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
    }

    private static void Signature(string id, [AsParameters] KpiQuery query,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = PeerBenchmarkReader.QueryName), System.ComponentModel.Description(PeersDescription)] bool? peers) { }

    internal const string PeersDescription =
        "true: each result also carries peers, where the tenant stands among opted-in tenants like it (published percentiles " +
        "of a calendar month, quarter or year, README \"Peer benchmarks\"), or the reason there are none. Absent or false: no peers field.";

    public override async Task<Results<Ok<KpiResultResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(KpiQuery query, CancellationToken ct)
    {
        var id = Route<string>("id")!;
        if (PeerBenchmarkReader.Invalid(HttpContext.Request) is { } invalidPeers)
            return Problems.Invalid(PeerBenchmarkReader.QueryName, invalidPeers);
        if (!KpiCatalog.TryGet(id, out var definition))
            return UnknownKpi(id);
        // The replica when it has replayed the tenant's latest write, else the primary (KpiReads).
        // Resolved here, on the request: the cache may run Compute where FastEndpoints' Resolve cannot see the request.
        var reads = Resolve<KpiReads>();
        Task<KpiResultResponse> Compute(CancellationToken c) =>
            reads.RunAsync(r => engine.ComputeAsync(definition, query.Period, query.Filter, query.CompareMode, r), c);
        KpiResultResponse result;
        if (PeerBenchmarkReader.Requested(HttpContext.Request))
        {
            // Not a cached response (peers move without the data version): the KPI result is kept, peers added afresh.
            var results = await kept.GetOrComputeAsync($"kpi:{definition.Id}", query.Period, query.Filter,
                query.CompareMode, async c => [await Compute(c)], ct);
            result = (await peers.AddAsync(results, query.Period, query.Filter, ct))[0];
        }
        else
            result = await Compute(ct);
        return TypedResults.Ok(result);
    }

    internal static ProblemHttpResult UnknownKpi(string id) =>
        TypedResults.Problem($"There is no KPI '{id}'. GET /v1/kpis lists every KPI id.", statusCode: StatusCodes.Status404NotFound,
            title: "Not Found");
}

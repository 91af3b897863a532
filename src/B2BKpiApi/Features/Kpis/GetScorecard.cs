using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

/// <summary>GET /v1/scorecard: every KPI for a period, grouped by balanced-scorecard perspective.</summary>
public sealed class GetScorecard(KpiEngine engine, TenantContext tenant) : Endpoint<KpiQuery, Ok<GetScorecard.Response>>
{
    public sealed record PerspectiveResponse(string Perspective, IReadOnlyList<KpiResultResponse> Kpis);

    public new sealed record Response(PeriodResponse Period, string Currency, string Industry, IReadOnlyList<PerspectiveResponse> Perspectives);

    public override void Configure()
    {
        Get("scorecard");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<KpiQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<KpiQuery>(Signature))
            .WithTags("Kpis").WithName(nameof(GetScorecard))
            .WithSummary("Every KPI for a period, by balanced-scorecard perspective")
            .WithDescription("The one call a dashboard makes: every KPI of the catalog with its inputs, trend and benchmark verdict, " +
                             "grouped by perspective (financial, customer, internal-process, learning-growth). " +
                             "It runs a fixed handful of aggregate queries for the period and its previous period.")
            .Produces<Response>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
    }

    private static void Signature([AsParameters] KpiQuery query) { }

    public override async Task<Ok<Response>> ExecuteAsync(KpiQuery query, CancellationToken ct)
    {
        var results = await Resolve<KpiReads>().RunAsync(c => engine.ComputeAllAsync(query.Period, query.Filter, query.CompareMode, c), ct);
        var byId = KpiCatalog.All.Zip(results).ToList();
        var perspectives = Enum.GetValues<Perspective>()
            .Select(p => new PerspectiveResponse(Wire.Of(p), byId.Where(x => x.First.Perspective == p).Select(x => x.Second).ToList()))
            .ToList();
        return TypedResults.Ok(new Response(PeriodResponse.Of(query.Period), tenant.Currency, tenant.Industry, perspectives));
    }
}

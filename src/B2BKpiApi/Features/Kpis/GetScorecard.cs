using B2BKpiApi.Common;
using B2BKpiApi.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

public static class GetScorecard
{
    public sealed record PerspectiveResponse(string Perspective, IReadOnlyList<KpiResultResponse> Kpis);

    public sealed record Response(PeriodResponse Period, string Currency, string Industry, IReadOnlyList<PerspectiveResponse> Perspectives);

    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/scorecard", Handle)
            .WithTags("Kpis")
            .WithName(nameof(GetScorecard))
            .WithSummary("Every KPI for a period, by balanced-scorecard perspective")
            .WithDescription("The one call a dashboard makes: every KPI of the catalog with its inputs, trend and benchmark verdict, " +
                             "grouped by perspective (financial, customer, internal-process, learning-growth). " +
                             "It runs a fixed handful of aggregate queries for the period and its previous period.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .Validate<KpiQuery>();

    private static async Task<Ok<Response>> Handle([AsParameters] KpiQuery query, KpiEngine engine, TenantContext tenant, CancellationToken ct)
    {
        var results = await engine.ComputeAllAsync(query.Period, query.Filter, ct);
        var byId = KpiCatalog.All.Zip(results).ToList();
        var perspectives = Enum.GetValues<Perspective>()
            .Select(p => new PerspectiveResponse(Wire.Of(p), byId.Where(x => x.First.Perspective == p).Select(x => x.Second).ToList()))
            .ToList();
        return TypedResults.Ok(new Response(PeriodResponse.Of(query.Period), tenant.Currency, tenant.Industry, perspectives));
    }
}

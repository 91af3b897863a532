using B2BKpiApi.Common;
using B2BKpiApi.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

public static class GetKpi
{
    public static void Map(RouteGroupBuilder kpis) =>
        kpis.MapGet("/{id}", Handle)
            .WithName(nameof(GetKpi))
            .WithSummary("One KPI for a period")
            .WithDescription("The value with its inputs, sample size (survey and lead KPIs), the previous period's value and the change, " +
                             "and the benchmark comparison for the tenant's industry. An undefined KPI has value null and a reason.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .Validate<KpiQuery>();

    private static async Task<Results<Ok<KpiResultResponse>, ProblemHttpResult>> Handle(
        string id, [AsParameters] KpiQuery query, KpiEngine engine, CancellationToken ct)
    {
        if (!KpiCatalog.TryGet(id, out var definition))
            return UnknownKpi(id);
        return TypedResults.Ok(await engine.ComputeAsync(definition, query.Period, query.Filter, ct));
    }

    internal static ProblemHttpResult UnknownKpi(string id) =>
        TypedResults.Problem($"There is no KPI '{id}'. GET /v1/kpis lists every KPI id.", statusCode: StatusCodes.Status404NotFound,
            title: "Not Found");
}

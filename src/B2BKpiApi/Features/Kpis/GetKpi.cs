using B2BKpiApi.Data;
using B2BKpiApi.Metrics;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

/// <summary>GET /v1/kpis/{id}: one KPI for a period, with its inputs, trend and benchmark verdict.</summary>
public sealed class GetKpi(KpiEngine engine) : Endpoint<KpiQuery, Results<Ok<KpiResultResponse>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("kpis/{id}");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<KpiQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<string, KpiQuery>(Signature))
            .WithTags("Kpis").WithName(nameof(GetKpi))
            .WithSummary("One KPI for a period")
            .WithDescription("The value with its inputs, sample size (survey and lead KPIs), the previous period's value and the change, " +
                             "and the benchmark comparison for the tenant's industry. An undefined KPI has value null and a reason.")
            .Produces<KpiResultResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
    }

    private static void Signature(string id, [AsParameters] KpiQuery query) { }

    public override async Task<Results<Ok<KpiResultResponse>, ProblemHttpResult>> ExecuteAsync(KpiQuery query, CancellationToken ct)
    {
        var id = Route<string>("id")!;
        if (!KpiCatalog.TryGet(id, out var definition))
            return UnknownKpi(id);
        // The replica when it has replayed the tenant's latest write, else the primary (KpiReads).
        return TypedResults.Ok(await Resolve<KpiReads>().RunAsync(
            c => engine.ComputeAsync(definition, query.Period, query.Filter, query.CompareMode, c), ct));
    }

    internal static ProblemHttpResult UnknownKpi(string id) =>
        TypedResults.Problem($"There is no KPI '{id}'. GET /v1/kpis lists every KPI id.", statusCode: StatusCodes.Status404NotFound,
            title: "Not Found");
}

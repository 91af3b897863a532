using B2BKpiApi.Data;
using System.ComponentModel;
using B2BKpiApi.Metrics;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.Kpis;

/// <summary>GET /v1/kpis/{id}/series: one KPI per calendar month, quarter or year of the period.</summary>
public sealed class GetKpiSeries(KpiEngine engine, IOptions<KpiOptions> options)
    : Endpoint<KpiQuery, Results<Ok<GetKpiSeries.Response>, ValidationProblem, ProblemHttpResult>>
{
    public new sealed record Response(string Kpi, int DefinitionVersion, string Interval, PeriodResponse Period, IReadOnlyList<KpiResultResponse> Points);

    public override void Configure()
    {
        Get("kpis/{id}/series");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<KpiQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<string, KpiQuery, string?>(Signature))
            .WithTags("Kpis").WithName(nameof(GetKpiSeries))
            .WithSummary("One KPI per month, quarter or year")
            .WithDescription("Splits the period at calendar month, quarter or year boundaries (the first and last points are clipped " +
                             "to the period) and gives the same result as GET /v1/kpis/{id} for each part.")
            .Produces<Response>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
    }

    private static void Signature(string id, [AsParameters] KpiQuery query,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "interval"), Description("month, quarter or year.")] string? interval) { }

    public override async Task<Results<Ok<Response>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(KpiQuery query, CancellationToken ct)
    {
        var id = Route<string>("id")!;
        var interval = Query<string>("interval", isRequired: false);
        if (!KpiCatalog.TryGet(id, out var definition))
            return GetKpi.UnknownKpi(id);
        if (ParseInterval(interval) is not { } unit)
            return Problems.Invalid("interval", "'interval' must be month, quarter or year, written exactly so (lowercase).");
        var parts = query.Period.Split(unit);
        if (parts.Count > options.Value.MaxSeriesPoints)
            return Problems.Invalid("interval", $"A series may have at most {options.Value.MaxSeriesPoints} points; this one would have {parts.Count}.");

        var points = await Resolve<KpiReads>().RunAsync(c => engine.ComputeSeriesAsync(definition, parts, query.Filter, query.CompareMode, c), ct);
        return TypedResults.Ok(new Response(definition.Id, definition.DefinitionVersion, interval!,
            PeriodResponse.Of(query.Period), points));
    }

    // Case-exact, like every enum value of the API: MONTH is refused rather than guessed.
    private static Interval? ParseInterval(string? value) => value switch
    {
        "month" => Interval.Month,
        "quarter" => Interval.Quarter,
        "year" => Interval.Year,
        _ => null,
    };
}

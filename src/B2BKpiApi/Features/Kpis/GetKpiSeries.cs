using System.ComponentModel;
using B2BKpiApi.Common;
using B2BKpiApi.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.Kpis;

public static class GetKpiSeries
{
    public sealed record Response(string Kpi, int DefinitionVersion, string Interval, PeriodResponse Period, IReadOnlyList<KpiResultResponse> Points);

    public static void Map(RouteGroupBuilder kpis) =>
        kpis.MapGet("/{id}/series", Handle)
            .WithName(nameof(GetKpiSeries))
            .WithSummary("One KPI per month, quarter or year")
            .WithDescription("Splits the period at calendar month, quarter or year boundaries (the first and last points are clipped " +
                             "to the period) and gives the same result as GET /v1/kpis/{id} for each part.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .Validate<KpiQuery>();

    private static async Task<Results<Ok<Response>, ValidationProblem, ProblemHttpResult>> Handle(
        string id, [AsParameters] KpiQuery query,
        [FromQuery(Name = "interval"), Description("month, quarter or year.")] string? interval,
        KpiEngine engine, IOptions<KpiOptions> options, CancellationToken ct)
    {
        if (!KpiCatalog.TryGet(id, out var definition))
            return GetKpi.UnknownKpi(id);
        if (ParseInterval(interval) is not { } unit)
            return Problems.Invalid("interval", "'interval' must be month, quarter or year.");
        var parts = query.Period.Split(unit);
        if (parts.Count > options.Value.MaxSeriesPoints)
            return Problems.Invalid("interval", $"A series may have at most {options.Value.MaxSeriesPoints} points; this one would have {parts.Count}.");

        var points = await engine.ComputeSeriesAsync(definition, parts, query.Filter, ct);
        return TypedResults.Ok(new Response(definition.Id, definition.DefinitionVersion, interval!.ToLowerInvariant(),
            PeriodResponse.Of(query.Period), points));
    }

    private static Interval? ParseInterval(string? value) => value?.ToLowerInvariant() switch
    {
        "month" => Interval.Month,
        "quarter" => Interval.Quarter,
        "year" => Interval.Year,
        _ => null,
    };
}

using B2BKpiApi.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

public static class ListKpis
{
    public sealed record Response(IReadOnlyList<KpiDefinitionResponse> Items);

    public static void Map(RouteGroupBuilder kpis) =>
        kpis.MapGet("/", Handle)
            .WithName(nameof(ListKpis))
            .WithSummary("The KPI catalog")
            .WithDescription("Every KPI with its id, name, description (including every choice made where the spec is ambiguous), " +
                             "formula, unit, direction, balanced-scorecard perspective, leading or lagging, and definitionVersion.");

    private static Ok<Response> Handle() => TypedResults.Ok(new Response(KpiCatalog.All.Select(KpiDefinitionResponse.From).ToList()));
}

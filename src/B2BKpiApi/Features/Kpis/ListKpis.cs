using B2BKpiApi.Metrics;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Kpis;

/// <summary>GET /v1/kpis: the KPI catalog.</summary>
public sealed class ListKpis : EndpointWithoutRequest<Ok<ListKpis.Response>>
{
    public new sealed record Response(IReadOnlyList<KpiDefinitionResponse> Items);

    public override void Configure()
    {
        Get("kpis");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action(Signature))
            .WithTags("Kpis").WithName(nameof(ListKpis))
            .WithSummary("The KPI catalog")
            .WithDescription("Every KPI with its id, name, description (including every choice made where the spec is ambiguous), " +
                             "formula, unit, direction, balanced-scorecard perspective, leading or lagging, and definitionVersion.")
            .Produces<Response>());
    }

    private static void Signature() { }

    public override Task<Ok<Response>> ExecuteAsync(CancellationToken ct) =>
        Task.FromResult(TypedResults.Ok(new Response(KpiCatalog.All.Select(KpiDefinitionResponse.From).ToList())));
}

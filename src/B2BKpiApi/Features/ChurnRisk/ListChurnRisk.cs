using B2BKpiApi.Features.Kpis;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>GET /v1/churn-risk: the clients active on asOf, the riskiest first, page by page.</summary>
public sealed class ListChurnRisk(ChurnRiskService service, ComputeGate gate, TimeProvider clock)
    : Endpoint<ChurnRiskListQuery, Results<Ok<Page<ChurnRiskResponse>>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("churn-risk");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<ChurnRiskListQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<ChurnRiskListQuery>(Signature))
            .WithTags("ChurnRisk").WithName(nameof(ListChurnRisk))
            .WithSummary("Clients ranked by churn risk, page by page")
            .WithDescription($"Every client active on asOf with its churn risk (as GET /v1/clients/{{id}}/churn-risk), ordered by probability " +
                             $"(highest first), then id. Cursor-paginated: `limit` is 1–{ListQuery.MaxLimit} (default {ListQuery.DefaultLimit}); " +
                             "pass the same asOf with nextCursor. Every page scores all of the tenant's active clients, so the read is " +
                             "a heavy one, like a scorecard: it holds one of the tenant's heavy-read slots (429 with Retry-After when they " +
                             "are taken) and runs within the compute budget (503 with Retry-After past it).")
            .Produces<Page<ChurnRiskResponse>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable));
    }

    private static void Signature([AsParameters] ChurnRiskListQuery query) { }

    public override async Task<Results<Ok<Page<ChurnRiskResponse>>, ProblemHttpResult>> ExecuteAsync(ChurnRiskListQuery query, CancellationToken ct)
    {
        var asOf = query.Day(clock);
        var after = RiskCursor.TryDecode(query.Cursor, out var afterProbability, out var afterId) ? (afterProbability, afterId) : ((decimal, Guid)?)null;
        var page = await gate.RunAsync(heavy: true, budget => service.RankedAsync(asOf, after, query.PageSize + 1, budget), ct,
            "Retry later. Every page scores all of the tenant's active clients; with very many of them, ask the API's operator for a larger compute budget.");
        var hasMore = page.Count > query.PageSize;
        if (hasMore)
            page.RemoveAt(page.Count - 1);
        return TypedResults.Ok(new Page<ChurnRiskResponse>(page, hasMore ? RiskCursor.Encode(page[^1].Probability!.Value, page[^1].ClientId) : null));
    }
}

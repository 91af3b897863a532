using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>GET /v1/churn-risk: the clients active on asOf, the riskiest first, page by page.</summary>
public sealed class ListChurnRisk(ChurnRiskService service, TimeProvider clock)
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
                             "pass the same asOf with nextCursor.")
            .Produces<Page<ChurnRiskResponse>>()
            .ProducesValidationProblem());
    }

    private static void Signature([AsParameters] ChurnRiskListQuery query) { }

    public override async Task<Results<Ok<Page<ChurnRiskResponse>>, ProblemHttpResult>> ExecuteAsync(ChurnRiskListQuery query, CancellationToken ct)
    {
        var asOf = query.Day(clock);
        var histories = await service.HistoriesAsync(asOf, null, activeOnly: true, ct);
        var scorer = await service.ScorerAsync(ct);
        var ranked = histories.Select(h => ChurnRiskService.Result(h, asOf, scorer))
            .OrderByDescending(r => r.Probability).ThenBy(r => r.ClientId)
            .AsEnumerable();
        if (RiskCursor.TryDecode(query.Cursor, out var afterProbability, out var afterId))
            ranked = ranked.Where(r => r.Probability < afterProbability || (r.Probability == afterProbability && r.ClientId.CompareTo(afterId) > 0));
        var page = ranked.Take(query.PageSize + 1).ToList();
        var hasMore = page.Count > query.PageSize;
        if (hasMore)
            page.RemoveAt(page.Count - 1);
        return TypedResults.Ok(new Page<ChurnRiskResponse>(page, hasMore ? RiskCursor.Encode(page[^1].Probability!.Value, page[^1].ClientId) : null));
    }
}

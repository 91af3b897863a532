using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.ChurnRisk;

/// <summary>GET /v1/clients/{id}/churn-risk: one client's probability of churning in the next 90 days, explained.</summary>
public sealed class GetClientChurnRisk(ChurnRiskService service, TimeProvider clock)
    : Endpoint<AsOfQuery, Results<Ok<ChurnRiskResponse>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("clients/{id:guid}/churn-risk");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<AsOfQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<Guid, AsOfQuery>(Signature))
            .WithTags("ChurnRisk").WithName(nameof(GetClientChurnRisk))
            .WithSummary("A client's churn risk")
            .WithDescription("The probability (0–1) that the client churns (its churnedOn falls) within the 90 days after asOf, from the " +
                             "tenant's own model (method logistic-regression, trained in the background) or, with fewer than 20 churn " +
                             "events or before the first training, the documented rules score (method rules, methodReason says why). " +
                             "Each factor has its value and its contribution to the log-odds; intercept + Σ contribution = logit(probability). " +
                             "A client not active on asOf has probability null with reason client-not-active. Another tenant's id answers 404.")
            .Produces<ChurnRiskResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem());
    }

    private static void Signature(Guid id, [AsParameters] AsOfQuery query) { }

    public override async Task<Results<Ok<ChurnRiskResponse>, ProblemHttpResult>> ExecuteAsync(AsOfQuery query, CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var asOf = query.Day(clock);
        var histories = await service.HistoriesAsync(asOf, id, activeOnly: false, ct);
        if (histories.Count == 0)
            return Problems.NotFound("client");
        var scorer = await service.ScorerAsync(ct);
        return TypedResults.Ok(ChurnRiskService.Result(histories[0], asOf, scorer));
    }
}

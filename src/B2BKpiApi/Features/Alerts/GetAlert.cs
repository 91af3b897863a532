using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Alerts;

/// <summary>GET /v1/alerts/{id}: a rule with its state and last evaluation; another tenant's id is a 404.</summary>
public sealed class GetAlert(KpiDbContext db) : EndpointWithoutRequest<Results<Ok<AlertRuleResponse>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("alerts/{id:guid}");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<Guid>(Signature))
            .WithTags("Alerts").WithName(nameof(GetAlert)).WithSummary("Read an alert rule")
            .WithDescription("The rule, its `state` (pending, ok, firing, no-data), when it last changed and was evaluated, and the last " +
                             "evaluation: the period, the value, the previous period's value and why. Another tenant's id answers 404. " +
                             "The `ETag` header identifies the rule's revision (evaluations do not change it).")
            .Produces<AlertRuleResponse>()
            .WithMetadata(new OpenApi.AnswersEntityTag())
            .ProducesProblem(StatusCodes.Status404NotFound));
    }

    private static void Signature(Guid id) { }

    public override async Task<Results<Ok<AlertRuleResponse>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var rule = await db.AlertRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
            return Problems.NotFound("alert rule");
        AlertTags.Stamp(HttpContext.Response, rule);
        return TypedResults.Ok(AlertRuleResponse.From(rule));
    }
}

using B2BKpiApi.Alerts;
using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.Alerts;

/// <summary>POST /v1/alerts: a new rule, evaluated by the alert worker at once and then whenever the tenant's data changes.</summary>
public sealed class CreateAlert(KpiDbContext db, AlertWake wake, Microsoft.Extensions.Options.IOptions<AlertOptions> options)
    : JsonBodyEndpoint<AlertRuleRequest, Results<Created<AlertRuleResponse>, ValidationProblem, ProblemHttpResult>>
{
    public override void Configure()
    {
        Post("alerts");
        Group<TenantApi>();
        AcceptJsonBodyOnly();
        Description(b => b.TenantOperation(new Action<AlertRuleRequest>(Signature))
            .WithTags("Alerts").WithName(nameof(CreateAlert)).WithSummary("Create an alert rule")
            .WithDescription("A rule watches one KPI over a calendar window and fires on its condition. With `kpiId` `at-risk-clients` and a " +
                             "`riskThreshold` (a probability in (0, 1]) it watches instead the number of clients active on the window's last day " +
                             "(today with `toDate`, its default there) whose churn risk, as `GET /v1/churn-risk` gives it, is at least that threshold; " +
                             "its events then carry `atRiskClients` (count, threshold, method, the riskiest clients). It starts `pending` and is evaluated " +
                             "in the background within seconds, then again after each change of the tenant's data (once the data has been still " +
                             "for a moment) and at least once a day. Entering `firing` emits `kpi.alert.triggered`; leaving it emits " +
                             "`kpi.alert.resolved` (schemas `KpiAlertTriggeredEvent`, `KpiAlertResolvedEvent`). The `ETag` header identifies the stored revision.")
            .Accepts<AlertRuleRequest>("application/json")
            .Produces<AlertRuleResponse>(StatusCodes.Status201Created)
            .WithMetadata(new OpenApi.AnswersEntityTag())
            .ProducesValidationProblem());
    }

    private static void Signature(AlertRuleRequest request) { }

    public override async Task<Results<Created<AlertRuleResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(
        AlertRuleRequest request, CancellationToken ct)
    {
        // One tenant's rules share the worker with every other tenant's: their number is bounded (a race of two creates
        // at the limit may pass it by one; the fair scheduling bounds a turn regardless).
        var limit = options.Value.MaxRulesPerTenant;
        if (await db.AlertRules.CountAsync(ct) >= limit)
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["rules"] = [$"A tenant may keep at most {limit} alert rules (Alerts:MaxRulesPerTenant): delete one, or edit one with PUT, first."] },
                detail: $"The limit of {limit} alert rules per tenant is reached.");
        var rule = new AlertRule { Id = Guid.CreateVersion7() };
        request.ApplyTo(rule);
        db.AlertRules.Add(rule);
        await db.SaveChangesAsync(ct); // tenant, timestamps and version are stamped here
        wake.Wake();
        AlertTags.Stamp(HttpContext.Response, rule);
        return TypedResults.Created($"/v1/alerts/{rule.Id}", AlertRuleResponse.From(rule));
    }
}

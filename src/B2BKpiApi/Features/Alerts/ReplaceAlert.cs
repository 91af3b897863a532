using B2BKpiApi.Alerts;
using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Alerts;

/// <summary>PUT /v1/alerts/{id}: replaces a rule's settings; it is evaluated again at once.</summary>
public sealed class ReplaceAlert(KpiDbContext db, AlertWake wake)
    : JsonBodyEndpoint<AlertRuleRequest, Results<Ok<AlertRuleResponse>, ValidationProblem, ProblemHttpResult>>
{
    public override void Configure()
    {
        Put("alerts/{id:guid}");
        Group<TenantApi>();
        AcceptJsonBodyOnly();
        Description(b => b.TenantOperation(new Action<Guid, string?, AlertRuleRequest>(Signature))
            .WithTags("Alerts").WithName(nameof(ReplaceAlert)).WithSummary("Replace an alert rule")
            .WithDescription("Replaces every setting; a field left out is cleared or refused as required. The rule keeps its state and is " +
                             "evaluated again at once against its new settings, so a firing rule that no longer fires is resolved. " +
                             "Another tenant's id answers 404. With `If-Match`, a rule changed since that ETag was read answers 412 and nothing is written.")
            .Accepts<AlertRuleRequest>("application/json")
            .Produces<AlertRuleResponse>()
            .WithMetadata(new OpenApi.AnswersEntityTag())
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed));
    }

    private static void Signature(Guid id, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "If-Match")] string? ifMatch, AlertRuleRequest request) { }

    public override async Task<Results<Ok<AlertRuleResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(
        AlertRuleRequest request, CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var rule = await db.AlertRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
            return Problems.NotFound("alert rule");
        if (AlertTags.Precondition(HttpContext.Request, rule) is { } failed)
            return failed;
        request.ApplyTo(rule);
        try
        {
            // Version is the concurrency token: an edit that lands between the read and this write is not overwritten.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ResourceChecks.ChangedMeanwhile();
        }
        wake.Wake();
        AlertTags.Stamp(HttpContext.Response, rule);
        return TypedResults.Ok(AlertRuleResponse.From(rule));
    }
}

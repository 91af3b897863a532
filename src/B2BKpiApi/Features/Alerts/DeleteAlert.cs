using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Alerts;

/// <summary>DELETE /v1/alerts/{id}: 204; events already written to the outbox are still delivered.</summary>
public sealed class DeleteAlert(KpiDbContext db) : EndpointWithoutRequest<Results<NoContent, ProblemHttpResult>>
{
    public override void Configure()
    {
        Delete("alerts/{id:guid}");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<Guid, string?>(Signature))
            .WithTags("Alerts").WithName(nameof(DeleteAlert)).WithSummary("Delete an alert rule")
            .WithDescription("Answers 204; the rule emits nothing more (events already emitted are still delivered). Another tenant's id " +
                             "answers 404. With `If-Match`, a rule changed since that ETag was read answers 412 and stays.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed));
    }

    private static void Signature(Guid id, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "If-Match")] string? ifMatch) { }

    public override async Task<Results<NoContent, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var rule = await db.AlertRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (rule is null)
            return Problems.NotFound("alert rule");
        if (AlertTags.Precondition(HttpContext.Request, rule) is { } failed)
            return failed;
        db.AlertRules.Remove(rule);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted, or edited, by another request meanwhile: an edit wins over a delete judged on an older revision.
            return await db.AlertRules.AsNoTracking().AnyAsync(r => r.Id == id, ct)
                ? Resources.ResourceChecks.ChangedMeanwhile()
                : Problems.NotFound("alert rule");
        }
        return TypedResults.NoContent();
    }
}

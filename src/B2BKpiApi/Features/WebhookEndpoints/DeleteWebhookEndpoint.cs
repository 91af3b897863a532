using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>DELETE /v1/webhook-endpoints/{id}: 204; its deliveries and their attempts go with it.</summary>
public sealed class DeleteWebhookEndpoint(KpiDbContext db) : EndpointWithoutRequest<Results<NoContent, ProblemHttpResult>>
{
    public override void Configure()
    {
        Delete("webhook-endpoints/{id:guid}");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<Guid, string?>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(DeleteWebhookEndpoint))
            .WithSummary("Delete a webhook endpoint")
            .WithDescription("Answers 204; deliveries still waiting for it are dropped with it. Another tenant's id answers 404. " +
                             "With `If-Match`, an endpoint changed since that ETag was read answers 412 and stays.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed));
    }

    private static void Signature(Guid id, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "If-Match")] string? ifMatch) { }

    public override async Task<Results<NoContent, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return Problems.NotFound(WebhookEndpointResource.Noun);
        if (WebhookEndpointResource.Precondition(HttpContext.Request, endpoint) is { } failed)
            return failed;
        db.WebhookEndpoints.Remove(endpoint);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.NotFound(WebhookEndpointResource.Noun);
        }
        return TypedResults.NoContent();
    }
}

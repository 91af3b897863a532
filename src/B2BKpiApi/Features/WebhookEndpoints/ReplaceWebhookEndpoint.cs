using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>PUT /v1/webhook-endpoints/{id}: replaces url, description, enabled and event types; the secret stays.</summary>
public sealed class ReplaceWebhookEndpoint(KpiDbContext db, WebhookUrlGuard guard, TimeProvider clock)
    : JsonBodyEndpoint<WebhookEndpointRequest, Results<Ok<WebhookEndpointResponse>, ValidationProblem, ProblemHttpResult>>
{
    public override void Configure()
    {
        Put("webhook-endpoints/{id:guid}");
        Group<TenantApi>();
        AcceptJsonBodyOnly();
        Description(b => b.TenantOperation(new Action<Guid, string?, WebhookEndpointRequest>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(ReplaceWebhookEndpoint))
            .WithSummary("Replace a webhook endpoint")
            .WithDescription("Replaces `url`, `description`, `enabled` (true when left out) and `eventTypes`; the secret is kept (rotate it " +
                             "with rotate-secret). Setting `enabled` to true on an endpoint the service disabled clears `disabledReason`, " +
                             "`disabledAt` and `failingSince`, and its waiting deliveries resume. With `If-Match`, an endpoint changed since " +
                             "answers 412. Another tenant's id answers 404. " + WebhookEndpointResource.SecurityRules)
            .Accepts<WebhookEndpointRequest>("application/json")
            .Produces<WebhookEndpointResponse>()
            .WithMetadata(new AnswersEntityTag())
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed));
    }

    private static void Signature(Guid id, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "If-Match")] string? ifMatch, WebhookEndpointRequest request) { }

    public override async Task<Results<Ok<WebhookEndpointResponse>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(
        WebhookEndpointRequest request, CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return Problems.NotFound(WebhookEndpointResource.Noun);
        if (WebhookEndpointResource.Precondition(HttpContext.Request, endpoint) is { } failed)
            return failed;
        if (await guard.CheckAsync(request.Url!, ct) is { } refusal)
            return Problems.Invalid("url", refusal);
        request.ApplyTo(endpoint);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ResourceChecks.ChangedMeanwhile();
        }
        WebhookEndpointResource.Stamp(HttpContext.Response, endpoint);
        return TypedResults.Ok(WebhookEndpointResponse.From(endpoint, KpiDbContext.Now(clock)));
    }
}

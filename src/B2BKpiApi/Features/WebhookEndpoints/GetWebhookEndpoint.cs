using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>GET /v1/webhook-endpoints/{id}: one endpoint with its health, never its secret.</summary>
public sealed class GetWebhookEndpoint(KpiDbContext db, TimeProvider clock)
    : EndpointWithoutRequest<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Get("webhook-endpoints/{id:guid}");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<Guid>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(GetWebhookEndpoint))
            .WithSummary("Read a webhook endpoint")
            .WithDescription("Shows the endpoint and its health: `failingSince` while deliveries fail, `disabledReason` and `disabledAt` " +
                             "when the service disabled it after failing for 3 days. The secret is never shown again. Another tenant's " +
                             "id answers 404. The `ETag` header identifies this revision, for `If-Match`.")
            .Produces<WebhookEndpointResponse>()
            .WithMetadata(new AnswersEntityTag())
            .ProducesProblem(StatusCodes.Status404NotFound));
    }

    private static void Signature(Guid id) { }

    public override async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return Problems.NotFound(WebhookEndpointResource.Noun);
        WebhookEndpointResource.Stamp(HttpContext.Response, endpoint);
        return TypedResults.Ok(WebhookEndpointResponse.From(endpoint, KpiDbContext.Now(clock)));
    }
}

using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>POST /v1/webhook-endpoints: registers a receiver; its signing secret is shown in this answer only.</summary>
public sealed class CreateWebhookEndpoint(KpiDbContext db, WebhookUrlGuard guard, WebhookSecrets secrets, TimeProvider clock)
    : JsonBodyEndpoint<WebhookEndpointRequest, Results<Created<WebhookEndpointCreatedResponse>, ValidationProblem>>
{
    public override void Configure()
    {
        Post("webhook-endpoints");
        Group<TenantApi>();
        AcceptJsonBodyOnly();
        Description(b => b.TenantOperation(new Action<WebhookEndpointRequest>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(CreateWebhookEndpoint))
            .WithSummary("Register a webhook endpoint")
            .WithDescription("Registers a URL that receives the tenant's events as Standard Webhooks (`webhook-id`, `webhook-timestamp`, " +
                             "`webhook-signature`). The answer holds the signing `secret` (`whsec_` and base64): it is shown only here and " +
                             "stored encrypted, so keep it (an Idempotency-Key replay does not repeat it). " + WebhookEndpointResource.SecurityRules)
            .Accepts<WebhookEndpointRequest>("application/json")
            .Produces<WebhookEndpointCreatedResponse>(StatusCodes.Status201Created)
            .WithMetadata(new AnswersEntityTag(), new AnswerHoldsSecret())
            .ProducesValidationProblem());
    }

    private static void Signature(WebhookEndpointRequest request) { }

    public override async Task<Results<Created<WebhookEndpointCreatedResponse>, ValidationProblem>> ExecuteAsync(
        WebhookEndpointRequest request, CancellationToken ct)
    {
        if (await guard.CheckAsync(request.Url!, ct) is { } refusal)
            return Problems.Invalid("url", refusal);
        var secret = WebhookSecrets.NewSecret();
        var endpoint = new WebhookEndpoint { Id = Guid.CreateVersion7(), SecretProtected = secrets.Protect(secret) };
        request.ApplyTo(endpoint);
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        WebhookEndpointResource.Stamp(HttpContext.Response, endpoint);
        var shown = WebhookEndpointResponse.From(endpoint, KpiDbContext.Now(clock));
        return TypedResults.Created($"/v1/webhook-endpoints/{endpoint.Id}", WebhookEndpointCreatedResponse.From(shown, secret));
    }
}

using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>POST /v1/webhook-endpoints/{id}/rotate-secret: a new signing secret; the old one keeps signing beside it for 24 hours.</summary>
public sealed class RotateWebhookEndpointSecret(KpiDbContext db, WebhookSecrets secrets, IOptions<WebhookOptions> options, TimeProvider clock)
    : EndpointWithoutRequest<Results<Ok<RotateWebhookEndpointSecret.RotatedSecret>, ProblemHttpResult>>
{
    /// <summary>The endpoint's new signing secret, shown only here, and until when the previous one still signs beside it.</summary>
    public sealed record RotatedSecret(Guid Id, string Secret, DateTime PreviousSecretExpiresAt);

    public override void Configure()
    {
        Post("webhook-endpoints/{id:guid}/rotate-secret");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<Guid>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(RotateWebhookEndpointSecret))
            .WithSummary("Rotate a webhook endpoint's signing secret")
            .WithDescription("Issues a new signing secret, shown only in this answer. Until `previousSecretExpiresAt` (24 hours) every " +
                             "request is signed with both: `webhook-signature` holds two space-separated `v1,` signatures, so receivers " +
                             "can switch without losing an event. A secret rotated before is dropped. Another tenant's id answers 404.")
            .Produces<RotatedSecret>()
            .WithMetadata(new AnswerHoldsSecret())
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict));
    }

    private static void Signature(Guid id) { }

    public override async Task<Results<Ok<RotatedSecret>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return Problems.NotFound(WebhookEndpointResource.Noun);
        var secret = WebhookSecrets.NewSecret();
        var expires = KpiDbContext.Now(clock) + options.Value.SecretOverlap;
        endpoint.PreviousSecretProtected = endpoint.SecretProtected;
        endpoint.PreviousSecretExpiresAt = expires;
        endpoint.SecretProtected = secrets.Protect(secret);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ResourceChecks.ChangedMeanwhile();
        }
        return TypedResults.Ok(new RotatedSecret(endpoint.Id, secret, expires));
    }
}

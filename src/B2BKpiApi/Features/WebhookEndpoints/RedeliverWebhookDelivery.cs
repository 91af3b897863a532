using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>POST /v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver: sends the same message again, same webhook-id.</summary>
public sealed class RedeliverWebhookDelivery(KpiDbContext db, WebhookSignal signal, TimeProvider clock)
    : EndpointWithoutRequest<Results<Accepted<QueuedWebhook>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Post("webhook-endpoints/{id:guid}/deliveries/{deliveryId:guid}/redeliver");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<Guid, Guid>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(RedeliverWebhookDelivery))
            .WithSummary("Send a delivered or failed message again")
            .WithDescription("Queues a new delivery of the same message to the endpoint, with the same `webhook-id` and body (a receiver " +
                             "that already processed it recognises it), and answers 202 with the new delivery's id. A disabled endpoint " +
                             "answers 409: enable it first. Another tenant's ids answer 404.")
            .Produces<QueuedWebhook>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict));
    }

    private static void Signature(Guid id, Guid deliveryId) { }

    public override async Task<Results<Accepted<QueuedWebhook>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var deliveryId = Route<Guid>("deliveryId");
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        var original = endpoint is null
            ? null
            : await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == id, ct);
        if (endpoint is null || original is null)
            return Problems.NotFound("delivery of this webhook endpoint");
        if (!endpoint.Enabled)
            return Problems.Conflict("The webhook endpoint is disabled: enable it (PUT with enabled true), then redeliver.");
        var now = KpiDbContext.Now(clock);
        var delivery = new WebhookDelivery
        {
            Id = Guid.CreateVersion7(),
            TenantId = endpoint.TenantId,
            MessageId = original.MessageId,
            EndpointId = id,
            Status = WebhookDeliveryWorker.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        signal.Notify();
        return TypedResults.Accepted($"/v1/webhook-endpoints/{id}/deliveries",
            new QueuedWebhook(delivery.Id, WebhookOutbox.WebhookId(original.MessageId)));
    }
}

/// <summary>A queued delivery: its id (see the deliveries list) and the <c>webhook-id</c> the receiver will see.</summary>
public sealed record QueuedWebhook(Guid DeliveryId, string WebhookId);

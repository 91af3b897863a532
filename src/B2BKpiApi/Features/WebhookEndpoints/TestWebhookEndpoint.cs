using System.Text.Json;
using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>POST /v1/webhook-endpoints/{id}/test: sends a <c>webhook.test</c> event to this endpoint only.</summary>
public sealed class TestWebhookEndpoint(KpiDbContext db, TimeProvider clock)
    : EndpointWithoutRequest<Results<Accepted<QueuedWebhook>, ProblemHttpResult>>
{
    public override void Configure()
    {
        Post("webhook-endpoints/{id:guid}/test");
        Group<TenantApi>();
        Description(b => b.TenantOperation(new Action<Guid>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(TestWebhookEndpoint))
            .WithSummary("Send a test event to a webhook endpoint")
            .WithDescription("Queues a signed `webhook.test` event (schema `WebhookTestEvent`) for this endpoint only, whatever " +
                             "event types it subscribed to, and answers 202 with the delivery's id and `webhook-id`; it arrives within " +
                             "seconds and shows in the deliveries list. A disabled endpoint answers 409. Another tenant's id answers 404.")
            .Produces<QueuedWebhook>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict));
    }

    private static void Signature(Guid id) { }

    private static readonly JsonSerializerOptions WebOptions = new(JsonSerializerDefaults.Web);

    public override async Task<Results<Accepted<QueuedWebhook>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return Problems.NotFound(WebhookEndpointResource.Noun);
        if (!endpoint.Enabled)
            return Problems.Conflict("The webhook endpoint is disabled: enable it (PUT with enabled true) to send it events.");
        var data = JsonSerializer.SerializeToNode(new WebhookTestEventData(endpoint.Id, WebhookTestEventData.Text), WebOptions)!;
        var message = await WebhookOutbox.EnqueueAsync(db, endpoint.TenantId, "webhook.test", data, KpiDbContext.Now(clock), ct, onlyEndpointId: id);
        if (message is null)
            return Problems.Conflict("The webhook endpoint was disabled or deleted meanwhile.");
        var delivery = db.ChangeTracker.Entries<WebhookDelivery>().Single(e => e.Entity.MessageId == message.Id).Entity;
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/v1/webhook-endpoints/{id}/deliveries", new QueuedWebhook(delivery.Id, WebhookOutbox.WebhookId(message.Id)));
    }
}

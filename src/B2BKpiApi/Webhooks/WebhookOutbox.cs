using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

using B2BKpiApi.Data;

namespace B2BKpiApi.Webhooks;

/// <summary>
/// Writes an event into the outbox: the message and one delivery per enabled endpoint of the tenant that
/// subscribed to its type. Call it inside the transaction of the change that caused the event, so that
/// both commit or neither does; the delivery worker sends what is committed.
/// </summary>
public static class WebhookOutbox
{
    /// <summary>The event types a tenant can subscribe to.</summary>
    public static readonly IReadOnlyList<string> EventTypes = ["kpi.alert.triggered", "kpi.alert.resolved", "webhook.test"];

    /// <summary>The <c>webhook-id</c> header of a message: the same on every attempt and redelivery.</summary>
    public static string WebhookId(Guid messageId) => "msg_" + messageId.ToString("N");

    /// <summary>
    /// Adds the message and its deliveries to <paramref name="db"/>'s change tracker; the caller saves them
    /// with its own change. The body is the Standard Webhooks envelope <c>{type, timestamp, data}</c>,
    /// serialized once here, so that every attempt sends (and signs) the same bytes.
    /// </summary>
    /// <returns>The message, or null when no enabled endpoint of the tenant subscribed to the type.</returns>
    public static async Task<WebhookMessage?> EnqueueAsync(KpiDbContext db, Guid tenantId, string eventType,
        JsonNode data, DateTime now, CancellationToken ct, Guid? onlyEndpointId = null)
    {
        var endpoints = await db.WebhookEndpoints.IgnoreQueryFilters()
            .Where(e => e.TenantId == tenantId && e.Enabled && (onlyEndpointId == null || e.Id == onlyEndpointId))
            .Select(e => new { e.Id, e.EventTypes })
            .ToListAsync(ct);
        var targets = endpoints
            .Where(e => onlyEndpointId is not null || e.EventTypes.Split(' ').Contains(eventType, StringComparer.Ordinal))
            .ToList();
        if (targets.Count == 0)
            return null;

        var message = new WebhookMessage
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            EventType = eventType,
            CreatedAt = now,
        };
        var envelope = new JsonObject
        {
            ["type"] = eventType,
            ["timestamp"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["data"] = data.DeepClone(),
        };
        message.Payload = envelope.ToJsonString(PayloadOptions);
        db.WebhookMessages.Add(message);
        foreach (var target in targets)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Guid.CreateVersion7(),
                TenantId = tenantId,
                MessageId = message.Id,
                EndpointId = target.Id,
                Status = "pending",
                NextAttemptAt = now,
                CreatedAt = now,
            });
        }
        WakeWorkerAfterSave(db);
        return message;
    }

    /// <summary>
    /// Wakes this process's delivery worker once the caller's SaveChanges succeeded, so the event goes out at once
    /// instead of at the next poll. Inside a caller's transaction the worker may look before the commit; it then
    /// finds the delivery at its next poll (about a second), which is why polling stays.
    /// </summary>
    private static void WakeWorkerAfterSave(KpiDbContext db)
    {
        var signal = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider
            ?.GetService<WebhookSignal>();
        if (signal is null)
            return;
        EventHandler<SavedChangesEventArgs>? wake = null;
        wake = (_, _) =>
        {
            db.SavedChanges -= wake;
            signal.Notify();
        };
        db.SavedChanges += wake;
    }

    private static readonly JsonSerializerOptions PayloadOptions = new(JsonSerializerDefaults.Web);
}

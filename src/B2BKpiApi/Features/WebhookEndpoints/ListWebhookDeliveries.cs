using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>GET /v1/webhook-endpoints/{id}/deliveries: the endpoint's deliveries with their attempts, newest first.</summary>
public sealed class ListWebhookDeliveries(KpiDbContext db)
    : Endpoint<WebhookPageQuery, Results<Ok<Page<ListWebhookDeliveries.Delivery>>, ProblemHttpResult>>
{
    /// <summary>One HTTP attempt: the receiver's status, or why there was none (timeout, refused address, open circuit).</summary>
    public sealed record Attempt(DateTime StartedAt, int DurationMs, int? ResponseStatus, string? Error);

    /// <summary>
    /// One message on its way to this endpoint. <c>status</c> is <c>pending</c> (with <c>nextAttemptAt</c>), <c>succeeded</c>
    /// or <c>failed</c> (every scheduled attempt used). <c>webhookId</c> is the <c>webhook-id</c> header, the same on
    /// every attempt and redelivery.
    /// </summary>
    public sealed record Delivery(
        Guid Id, string WebhookId, string EventType, string Status, int Attempts, DateTime? NextAttemptAt,
        int? LastResponseStatus, string? LastError, DateTime CreatedAt, DateTime? CompletedAt, IReadOnlyList<Attempt> AttemptLog);

    public override void Configure()
    {
        Get("webhook-endpoints/{id:guid}/deliveries");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<WebhookPageQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<Guid, WebhookPageQuery>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(ListWebhookDeliveries))
            .WithSummary("List an endpoint's deliveries and their attempts, newest first")
            .WithDescription("Each delivery shows its status, the number of scheduled attempts made, the next one (while pending), and " +
                             "every HTTP attempt (`attemptLog`, newest first: response status, duration, or the error when there was no " +
                             "response). Cursor-paginated, newest first. Another tenant's endpoint id answers 404.")
            .Produces<Page<Delivery>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound));
    }

    private static void Signature(Guid id, [AsParameters] WebhookPageQuery query) { }

    public override async Task<Results<Ok<Page<Delivery>>, ProblemHttpResult>> ExecuteAsync(WebhookPageQuery query, CancellationToken ct)
    {
        var id = Route<Guid>("id");
        // The endpoint set is tenant-filtered; deliveries are not (the worker reads them across tenants), so they are
        // reached only through an endpoint of the caller's tenant.
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, ct))
            return Problems.NotFound(WebhookEndpointResource.Noun);
        var rows = db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == id);
        if (query.After is { } after)
            rows = rows.Where(d => d.Id < after);
        // One statement for the deliveries and their attempts: the worker writes a delivery's attempt and its last error in
        // one transaction, and two separate reads could fall either side of it (an attempt listed, the last error not yet).
        var page = await rows.OrderByDescending(d => d.Id).Take(query.PageSize + 1)
            .Join(db.WebhookMessages, d => d.MessageId, m => m.Id, (d, m) => new
            {
                Delivery = d,
                m.EventType,
                Attempts = db.WebhookAttempts.Where(a => a.DeliveryId == d.Id)
                    .OrderByDescending(a => a.StartedAt).ThenByDescending(a => a.Id)
                    .Select(a => new Attempt(a.StartedAt, a.DurationMs, a.ResponseStatus, a.Error)).ToList(),
            })
            .ToListAsync(ct);
        page = page.OrderByDescending(r => r.Delivery.Id).ToList();
        var hasMore = page.Count > query.PageSize;
        if (hasMore)
            page.RemoveAt(page.Count - 1);
        var items = page.Select(r => new Delivery(
            r.Delivery.Id, WebhookOutbox.WebhookId(r.Delivery.MessageId), r.EventType, r.Delivery.Status, r.Delivery.Attempts,
            r.Delivery.Status == WebhookDeliveryWorker.Pending ? r.Delivery.NextAttemptAt : null,
            r.Delivery.LastResponseStatus, r.Delivery.LastError, r.Delivery.CreatedAt, r.Delivery.CompletedAt,
            r.Attempts)).ToList();
        return TypedResults.Ok(new Page<Delivery>(items, hasMore ? Cursors.Encode(page[^1].Delivery.Id) : null));
    }
}

using B2BKpiApi.Data;
using FastEndpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>GET /v1/webhook-endpoints: the tenant's endpoints, page by page, oldest first.</summary>
public sealed class ListWebhookEndpoints(KpiDbContext db, TimeProvider clock)
    : Endpoint<WebhookPageQuery, Ok<Page<WebhookEndpointResponse>>>
{
    public override void Configure()
    {
        Get("webhook-endpoints");
        Group<TenantApi>();
        RequestBinder(new RequestBinder<WebhookPageQuery>(BindingSource.QueryParams));
        Description(b => b.TenantOperation(new Action<WebhookPageQuery>(Signature))
            .WithTags(WebhookEndpointResource.OpenApiTag).WithName(nameof(ListWebhookEndpoints))
            .WithSummary("List webhook endpoints, page by page")
            .WithDescription($"Cursor-paginated in creation order. `limit` is 1–{ListQuery.MaxLimit} (default {ListQuery.DefaultLimit}). " +
                             "Secrets are never shown.")
            .Produces<Page<WebhookEndpointResponse>>()
            .ProducesValidationProblem());
    }

    private static void Signature([AsParameters] WebhookPageQuery query) { }

    public override async Task<Ok<Page<WebhookEndpointResponse>>> ExecuteAsync(WebhookPageQuery query, CancellationToken ct)
    {
        var rows = db.WebhookEndpoints.AsNoTracking();
        if (query.After is { } after)
            rows = rows.Where(e => e.Id > after);
        var page = await rows.OrderBy(e => e.Id).Take(query.PageSize + 1).ToListAsync(ct);
        var hasMore = page.Count > query.PageSize;
        if (hasMore)
            page.RemoveAt(page.Count - 1);
        var now = KpiDbContext.Now(clock);
        return TypedResults.Ok(new Page<WebhookEndpointResponse>(
            page.Select(e => WebhookEndpointResponse.From(e, now)).ToList(), hasMore ? Cursors.Encode(page[^1].Id) : null));
    }
}

using System.ComponentModel;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.Webhooks;

/// <summary>
/// The body of a <c>webhook.test</c> event, as sent (and signed) to a webhook endpoint: the Standard Webhooks
/// envelope. Every event has this shape; <c>data</c> depends on <c>type</c>.
/// </summary>
public sealed record WebhookTestEvent(
    [property: Description("The event type: webhook.test.")] string Type,
    [property: Description("When the event was created (RFC 3339, UTC).")] DateTime Timestamp,
    WebhookTestEventData Data);

/// <summary>The <c>data</c> of a <c>webhook.test</c> event.</summary>
public sealed record WebhookTestEventData(
    [property: Description("The endpoint the test was sent to.")] Guid EndpointId,
    [property: Description("A fixed sentence saying what the event is for.")] string Message)
{
    public const string Text = "A test event from B2B KPI API: if its signature verifies, the endpoint is ready.";
}

/// <summary>
/// Publishes the event bodies as named schemas: OpenAPI 3.0 has no <c>webhooks</c> section, and no operation
/// returns them, so without this the document would not describe what receivers get.
/// </summary>
public sealed class WebhookEventsDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context) =>
        context.SchemaGenerator.GenerateSchema(typeof(WebhookTestEvent), context.SchemaRepository);
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using B2BKpiApi.Data;
using B2BKpiApi.Features.Resources;
using FastEndpoints;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Features.WebhookEndpoints;

/// <summary>A URL that receives the tenant's events as Standard Webhooks, and the event types it wants.</summary>
public sealed record WebhookEndpointRequest(string? Url, string? Description, [property: Serialization.NotNullable] bool? Enabled, IReadOnlyList<string>? EventTypes)
{
    public sealed class Validator : Validator<WebhookEndpointRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Url).NotEmpty().MaximumLength(2000);
            RuleFor(r => r.Description).MaximumLength(500);
            RuleFor(r => r.EventTypes).NotEmpty()
                .Must(types => types is null || types.Distinct(StringComparer.Ordinal).Count() == types.Count)
                .WithMessage("'eventTypes' must not name a type twice.");
            RuleForEach(r => r.EventTypes).Must(t => t is not null && WebhookOutbox.EventTypes.Contains(t, StringComparer.Ordinal))
                .WithMessage($"Each event type must be one of: {string.Join(", ", WebhookOutbox.EventTypes)}.");
        }
    }

    public void ApplyTo(WebhookEndpoint endpoint)
    {
        endpoint.Url = Url!;
        endpoint.Description = Description;
        endpoint.EventTypes = string.Join(' ', EventTypes!);
        var enable = Enabled ?? true;
        if (enable && !endpoint.Enabled)
        {
            // Enabled again by its owner: the service's verdict and the failure streak start afresh.
            endpoint.DisabledReason = null;
            endpoint.DisabledAt = null;
            endpoint.FailingSince = null;
        }
        endpoint.Enabled = enable;
    }
}

/// <summary>A webhook endpoint as every operation shows it: never with its secret.</summary>
public sealed record WebhookEndpointResponse(
    Guid Id, string Url, string? Description, bool Enabled, IReadOnlyList<string> EventTypes,
    [property: Description("When deliveries started failing without a success since; null while healthy.")] DateTime? FailingSince,
    [property: Description("Why the service disabled the endpoint (it failed for 3 days); cleared when it is enabled again.")] string? DisabledReason,
    DateTime? DisabledAt,
    [property: Description("Until when the secret before the last rotation still signs, beside the current one.")] DateTime? PreviousSecretExpiresAt,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static WebhookEndpointResponse From(WebhookEndpoint e, DateTime now) => new(
        e.Id, e.Url, e.Description, e.Enabled, e.EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        e.FailingSince, e.DisabledReason, e.DisabledAt,
        e.PreviousSecretExpiresAt > now ? e.PreviousSecretExpiresAt : null, e.CreatedAt, e.UpdatedAt);
}

/// <summary>A new webhook endpoint with its signing secret: shown only here, so keep it.</summary>
public sealed record WebhookEndpointCreatedResponse(
    Guid Id, string Url, string? Description, bool Enabled, IReadOnlyList<string> EventTypes,
    DateTime? FailingSince, string? DisabledReason, DateTime? DisabledAt, DateTime? PreviousSecretExpiresAt,
    DateTime CreatedAt, DateTime UpdatedAt,
    [property: Description("The signing secret (`whsec_` and base64): shown only in this answer.")] string Secret)
{
    public static WebhookEndpointCreatedResponse From(WebhookEndpointResponse r, string secret) => new(
        r.Id, r.Url, r.Description, r.Enabled, r.EventTypes, r.FailingSince, r.DisabledReason, r.DisabledAt,
        r.PreviousSecretExpiresAt, r.CreatedAt, r.UpdatedAt, secret);
}

/// <summary>The query of the webhook lists: a page size and an opaque cursor.</summary>
public sealed record WebhookPageQuery(
    [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "limit"), Description("Page size, 1–200; 50 when absent."), Range(1, ListQuery.MaxLimit), DefaultValue(ListQuery.DefaultLimit)] int? Limit,
    [property: Microsoft.AspNetCore.Mvc.FromQuery(Name = "cursor"), Description("The nextCursor of the previous page.")] string? Cursor)
{
    public int PageSize => Limit ?? ListQuery.DefaultLimit;

    public Guid? After => Cursors.TryDecode(Cursor, out var id) ? id : null;

    public sealed class Validator : Validator<WebhookPageQuery>
    {
        public Validator()
        {
            RuleFor(q => q.Limit).InclusiveBetween(1, ListQuery.MaxLimit);
            RuleFor(q => q.Cursor).Must(c => c is null || Cursors.TryDecode(c, out _))
                .WithMessage("'cursor' is not a cursor this API returned.");
        }
    }
}

public static class WebhookEndpointResource
{
    public const string OpenApiTag = "Webhook endpoints";
    public const string Noun = "webhook endpoint";

    /// <summary>The strong ETag of an endpoint: its id and version, which every change by its owner raises.</summary>
    public static string Tag(WebhookEndpoint e) => EntityTags.For(e.Id, e.Version);

    public static void Stamp(HttpResponse response, WebhookEndpoint e) => response.Headers.ETag = Tag(e);

    /// <summary>Null when the request may go on (no If-Match, <c>*</c>, or the current tag); otherwise the 412, as for records.</summary>
    public static ProblemHttpResult? Precondition(HttpRequest request, WebhookEndpoint current) =>
        EntityTags.Precondition(request, Tag(current), "webhook endpoint");

    public const string SecurityRules =
        "`url` must be https (plain http only for loopback when the server allows it for development), without credentials, and its host " +
        "must not resolve to a loopback, private, link-local (cloud metadata), multicast or otherwise reserved address; that is checked " +
        "again at every connection. Redirects are not followed.";
}

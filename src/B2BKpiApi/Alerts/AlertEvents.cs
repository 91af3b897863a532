using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using B2BKpiApi.Data;
using B2BKpiApi.Features.Kpis;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.Alerts;

/// <summary>The event types an alert rule emits.</summary>
public static class AlertEventTypes
{
    public const string Triggered = "kpi.alert.triggered";
    public const string Resolved = "kpi.alert.resolved";
}

/// <summary>The rule as it was when it was evaluated.</summary>
public sealed record KpiAlertRule(
    Guid Id, string Name, string KpiId, string? Industry, string? Segment, string? Source, AlertWindow Window, bool ToDate,
    AlertCondition Condition,
    [property: Description("For the at-risk-clients target: the churn-risk probability from which a client counts; null for a catalog KPI.")]
    decimal? RiskThreshold)
{
    public static KpiAlertRule From(AlertRule rule) => new(
        rule.Id, rule.Name, rule.KpiId, rule.Industry, rule.Segment, rule.Source, AlertWire.Parse<AlertWindow>(rule.Window), rule.ToDate,
        ConditionOf(rule), rule.RiskThreshold);

    public static AlertCondition ConditionOf(AlertRule rule)
    {
        var type = AlertWire.Parse<AlertConditionType>(rule.Condition);
        return type switch
        {
            AlertConditionType.Above or AlertConditionType.Below => new(type, rule.Threshold, null, null),
            AlertConditionType.Change => new(type, null, rule.Threshold, AlertWire.Parse<AlertChangeUnit>(rule.ChangeUnit!)),
            _ => new(type, null, null, null),
        };
    }
}

/// <summary>
/// The <c>data</c> of a <c>kpi.alert.triggered</c> or <c>kpi.alert.resolved</c> event: the rule, the transition and
/// why, and the KPI results exactly as <c>GET /v1/kpis/{id}</c> returns them for the evaluated period and for the
/// period it is compared with.
/// </summary>
/// <param name="Rule">The rule that changed state.</param>
/// <param name="State">The new state: firing for triggered; ok or no-data for resolved.</param>
/// <param name="PreviousState">The state before: pending (a new or edited rule), ok, no-data or firing.</param>
/// <param name="Why">The condition's verdict in words.</param>
/// <param name="Result">The KPI over the evaluated period, as <c>GET /v1/kpis/{id}?from&amp;to</c> answers it.</param>
/// <param name="PreviousResult">The KPI over the previous calendar period of the window (what <c>change</c> compares with).</param>
/// <param name="EvaluatedAt">When the rule was evaluated.</param>
/// <param name="AtRiskClients">
/// Only for a rule on the at-risk-clients target (left out otherwise): the count, the risk threshold, the churn-risk
/// method and the riskiest clients (ids, names, probabilities). Its result then has kpi <c>at-risk-clients</c>, unit
/// <c>count</c> and the count as value.
/// </param>
public sealed record KpiAlertEvent(
    KpiAlertRule Rule, AlertState State, AlertState PreviousState, string Why, KpiResultResponse Result, KpiResultResponse PreviousResult,
    DateTime EvaluatedAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull),
               Description("Only for a rule on the at-risk-clients target: the count, the threshold, the method and the riskiest clients.")]
    AtRiskClientsResult? AtRiskClients = null);

/// <summary>The body of a <c>kpi.alert.triggered</c> delivery (Standard Webhooks envelope): the rule started firing.</summary>
/// <param name="Type">Always <c>kpi.alert.triggered</c>.</param>
/// <param name="Timestamp">When the event was emitted.</param>
/// <param name="Data">The rule, the transition and the KPI results.</param>
[Description("The body of a kpi.alert.triggered webhook (Standard Webhooks envelope). Verify the webhook-signature header before trusting it; de-duplicate on webhook-id.")]
public sealed record KpiAlertTriggeredEvent(string Type, DateTime Timestamp, KpiAlertEvent Data);

/// <summary>The body of a <c>kpi.alert.resolved</c> delivery: a firing rule turned ok, or lost its data (no-data).</summary>
/// <param name="Type">Always <c>kpi.alert.resolved</c>.</param>
/// <param name="Timestamp">When the event was emitted.</param>
/// <param name="Data">The rule, the transition and the KPI results.</param>
[Description("The body of a kpi.alert.resolved webhook (Standard Webhooks envelope): a firing rule is ok again, or its KPI has no value any more (state no-data).")]
public sealed record KpiAlertResolvedEvent(string Type, DateTime Timestamp, KpiAlertEvent Data);

/// <summary>A rule's last evaluation, stored as JSON on the rule and shown by <c>GET /v1/alerts/{id}</c>.</summary>
/// <param name="Period">The period evaluated.</param>
/// <param name="Value">The KPI's value over it (null: no value, see reason).</param>
/// <param name="Reason">Why the value is null.</param>
/// <param name="PreviousPeriod">The previous calendar period of the window.</param>
/// <param name="PreviousValue">The KPI's value over the previous period.</param>
/// <param name="State">The state the evaluation put the rule in.</param>
/// <param name="Why">The condition's verdict in words.</param>
/// <param name="EvaluatedAt">When.</param>
public sealed record AlertEvaluation(
    PeriodResponse Period, decimal? Value, string? Reason, PeriodResponse PreviousPeriod, decimal? PreviousValue, AlertState State,
    string Why, DateTime EvaluatedAt);

/// <summary>JSON of events and stored evaluations, written with the API's own conventions so that a result reads as the API returns it.</summary>
public static class AlertJson
{
    public static readonly JsonSerializerOptions Options = Create();

    public static JsonNode ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options)!;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static AlertEvaluation? ReadEvaluation(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<AlertEvaluation>(json, Options);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        JsonConventions.Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// Publishes the webhook bodies as named schemas, so that partners generate types for them, and describes the
/// deliveries under <c>x-webhooks</c> (the 3.0 form of 3.1's <c>webhooks</c>, which Redoc and others read): the
/// document is OpenAPI 3.0, which has no webhooks section of its own.
/// </summary>
public sealed class AlertEventsDocumentFilter : IDocumentFilter
{
    private const string Tag = "Alerts";

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        swaggerDoc.Tags ??= new HashSet<OpenApiTag>();
        if (!swaggerDoc.Tags.Any(t => t.Name == Tag))
        {
            swaggerDoc.Tags.Add(new OpenApiTag
            {
                Name = Tag,
                Description = "Rules on KPIs, evaluated in the background; entering and leaving `firing` emits `kpi.alert.triggered` / " +
                              "`kpi.alert.resolved` to the tenant's webhook endpoints (bodies: `KpiAlertTriggeredEvent`, `KpiAlertResolvedEvent`).",
            });
        }
        // The validator requires condition.type inside a When (a missing condition is reported once, as 'condition'),
        // which RequiredPropertiesSchemaFilter cannot see: say it here, so that generated clients make it required.
        if (context.SchemaRepository.Schemas.TryGetValue("AlertConditionRequest", out var request) && request is OpenApiSchema condition
            && condition.Properties?.TryGetValue("type", out var type) == true && type is OpenApiSchema typeSchema)
        {
            condition.Required ??= new SortedSet<string>(StringComparer.Ordinal);
            condition.Required.Add("type");
            typeSchema.Type = typeSchema.Type is { } t && (t & ~JsonSchemaType.Null) != 0 ? t & ~JsonSchemaType.Null : null;
        }
        var webhooks = new JsonObject
        {
            [AlertEventTypes.Triggered] = Delivery<KpiAlertTriggeredEvent>(context, AlertEventTypes.Triggered,
                "A rule started firing (from pending, ok or no-data)."),
            [AlertEventTypes.Resolved] = Delivery<KpiAlertResolvedEvent>(context, AlertEventTypes.Resolved,
                "A firing rule is ok again, or its KPI has no value any more (data.state says which)."),
        };
        swaggerDoc.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        swaggerDoc.Extensions["x-webhooks"] = new JsonNodeExtension(webhooks);
    }

    private static JsonObject Delivery<T>(DocumentFilterContext context, string type, string summary)
    {
        context.SchemaGenerator.GenerateSchema(typeof(T), context.SchemaRepository);
        if (context.SchemaRepository.Schemas.TryGetValue(typeof(T).Name, out var schema) && schema is OpenApiSchema envelope
            && envelope.Properties?.TryGetValue("type", out var typeProperty) == true && typeProperty is OpenApiSchema typeSchema)
        {
            typeSchema.Enum = [JsonValue.Create(type)];
        }
        return new JsonObject
        {
            ["post"] = new JsonObject
            {
                ["summary"] = summary,
                ["description"] = "Sent to every enabled webhook endpoint of the tenant subscribed to this event type, with the Standard Webhooks " +
                                  "headers webhook-id (the same on every retry: de-duplicate on it), webhook-timestamp and webhook-signature.",
                ["operationId"] = type,
                ["tags"] = new JsonArray(Tag),
                ["requestBody"] = new JsonObject
                {
                    ["required"] = true,
                    ["content"] = new JsonObject
                    {
                        ["application/json"] = new JsonObject
                        {
                            ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{typeof(T).Name}" },
                        },
                    },
                },
                ["responses"] = new JsonObject
                {
                    ["200"] = new JsonObject { ["description"] = "Received: any 2xx ends the delivery; anything else is retried." },
                },
            },
        };
    }
}

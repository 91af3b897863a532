using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using B2BKpiApi.Features.Clients;
using B2BKpiApi.Features.Contracts;
using B2BKpiApi.Features.Costs;
using B2BKpiApi.Features.Leads;
using B2BKpiApi.Features.Surveys;
using B2BKpiApi.Features.Tenants;
using B2BKpiApi.Metrics;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.OpenApi;

public static class KpiOpenApi
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    private const string ApiKeyScheme = "ApiKey";

    public static IServiceCollection AddKpiOpenApi(this IServiceCollection services) =>
        services.AddEndpointsApiExplorer().AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "B2B KPI API",
                Version = "v1",
                Description = "Push clients, contracts, leads, surveys and costs; read KPIs with their inputs and benchmarks. " +
                              "Every /v1 call sends X-Api-Key: a tenant's key, or the operator's key for /v1/tenants. " +
                              "Errors are RFC 9457 problem details.",
                Contact = new OpenApiContact { Name = "B2B KPI API support", Email = "support@b2bkpi.example" },
            });
            options.CustomSchemaIds(SchemaId);
            options.OrderActionsBy(PublishedOrder);
            options.SupportNonNullableReferenceTypes();
            // A nullable enum or object field is a $ref; OpenAPI 3.0 ignores nullable beside a bare $ref, so wrap it in allOf.
            options.UseAllOfToExtendReferenceSchemas();
            options.DocumentFilter<NullableReferencesDocumentFilter>();
            options.DocumentFilter<TagDescriptionsDocumentFilter>();
            options.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = Auth.Header,
                Description = "A tenant's API key (kpi_…), or the operator key for POST /v1/tenants.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [],
            });
            options.SchemaFilter<ExamplesSchemaFilter>();
            options.SchemaFilter<RequiredPropertiesSchemaFilter>();
            options.SchemaFilter<NotNullableSchemaFilter>();
            options.OperationFilter<KpiParametersOperationFilter>();
            options.OperationFilter<IdempotencyKeyOperationFilter>();
            options.OperationFilter<CsvExportOperationFilter>();
            options.OperationFilter<EntityTagOperationFilter>();
            // Money is exact: generated C# clients should use decimal, not double.
            options.MapType<IsoDate>(() => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" });
            options.MapType<decimal>(() => new OpenApiSchema { Type = JsonSchemaType.Number, Format = "decimal" });
        });

    private static readonly string[] NamedOperations =
        ["ListKpis", "GetKpi", "GetKpiSeries", "GetScorecard", "ListBenchmarks", "CreateTenant", "GetTenant", "RotateTenantKey",
         "CreateWebhookEndpoint", "ListWebhookEndpoints", "GetWebhookEndpoint", "ReplaceWebhookEndpoint", "DeleteWebhookEndpoint",
         "RotateWebhookEndpointSecret", "TestWebhookEndpoint", "ListWebhookDeliveries", "RedeliverWebhookDelivery"];

    private static readonly string[] ResourceOperations = ["Create", "Get", "List", "Replace", "Delete", "BatchUpsert", "Import"];

    /// <summary>
    /// Operations by tag, then in the order the contract was first published in (a resource's life cycle), so that
    /// regenerating the document never reorders it, whatever order the endpoints are discovered in.
    /// </summary>
    private static string PublishedOrder(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription api)
    {
        var name = api.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName ?? "";
        var tag = api.ActionDescriptor.EndpointMetadata.OfType<ITagsMetadata>().LastOrDefault()?.Tags is [var first, ..] ? first : "";
        var rank = Array.IndexOf(NamedOperations, name) is >= 0 and var named
            ? named
            : 100 + Array.FindIndex(ResourceOperations, op => name.StartsWith(op, StringComparison.Ordinal));
        return $"{tag}_{rank:D3}";
    }

    /// <summary>Nested and generic types get readable, unique schema names: CreateTenantRequest, ClientResponsePage.</summary>
    public static string SchemaId(Type type)
    {
        var name = type.IsGenericType
            ? string.Concat(type.GetGenericArguments().Select(SchemaId)) + type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]
            : type.Name;
        return type.DeclaringType is { } outer ? SchemaId(outer) + name : name;
    }

    /// <summary>KPI ids, series intervals and comparisons are closed sets: publish them as enums; a KPI period's from and to are required.</summary>
    private sealed class KpiParametersOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var path = context.ApiDescription.RelativePath ?? "";
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p is { Name: "id", In: ParameterLocation.Path }) ?? [])
                parameter.Description ??= "The record's id, as returned when it was created.";
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p is { Name: "deliveryId", In: ParameterLocation.Path }) ?? [])
                parameter.Description ??= "A delivery's id, from the endpoint's deliveries list.";
            if (!path.StartsWith("v1/kpis/{id}", StringComparison.Ordinal) && !path.StartsWith("v1/scorecard", StringComparison.Ordinal))
                return;
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.Name is "from" or "to")
                    parameter.Required = true;
                else if (parameter.Name == "id")
                {
                    parameter.Description = "A KPI id from GET /v1/kpis.";
                    parameter.Schema = Shared(context, "KpiId", () => new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "The id of a KPI of the catalog (GET /v1/kpis).",
                        Enum = KpiCatalog.All.Select(k => (JsonNode)JsonValue.Create(k.Id)).ToList(),
                    });
                    parameter.Example = JsonValue.Create(KpiIds.CustomerRetentionRate);
                }
                else if (parameter.Name == "interval")
                {
                    parameter.Required = true;
                    parameter.Description = "month, quarter or year.";
                    parameter.Schema = Shared(context, "SeriesInterval", () => new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "The calendar unit of a series' points.",
                        Enum = ["month", "quarter", "year"],
                    });
                }
                else if (parameter.Name == "compare")
                {
                    parameter.Schema = Shared(context, "CompareWith", () => new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "What a KPI result's previous value and change compare with (absent: the previous period of the same length).",
                        Enum = Features.Kpis.KpiQuery.CompareValues.Keys.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
                    });
                }
            }
        }

        // One component per closed set, so generated clients get one enum type, not one per operation.
        private static OpenApiSchemaReference Shared(OperationFilterContext context, string name, Func<OpenApiSchema> create)
        {
            if (!context.SchemaRepository.Schemas.ContainsKey(name))
                context.SchemaRepository.AddDefinition(name, create());
            return new OpenApiSchemaReference(name, context.Document);
        }
    }

    /// <summary>
    /// A nullable field of an object type is <c>allOf: [$ref]</c> with <c>nullable: true</c>; OpenAPI 3.0.3 only
    /// honours nullable beside a type, so put <c>type: object</c> next to it. Nullable enum fields keep the bare
    /// form: with <c>type: string</c> beside it, NSwag would type them as plain strings (see .spectral.yaml).
    /// </summary>
    private sealed class NullableReferencesDocumentFilter : IDocumentFilter
    {
        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
        {
            var schemas = swaggerDoc.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
            foreach (var schema in schemas.Values.OfType<OpenApiSchema>())
                foreach (var property in schema.Properties?.Values.OfType<OpenApiSchema>() ?? [])
                    if (property.AllOf is [OpenApiSchemaReference { Reference.Id: { } id }] && property.Type == JsonSchemaType.Null
                        && schemas.TryGetValue(id, out var target) && target.Type is JsonSchemaType.Object)
                        property.Type = JsonSchemaType.Object | JsonSchemaType.Null;

            // A strict validator applies allOf to null as well: `allOf: [$ref X], nullable: true` accepts null only
            // if X does. X is made nullable (with null among its enum values, as OpenAPI 3.0.3 asks) when every
            // property that names it is nullable, so null is accepted exactly where the API sends it.
            var references = schemas.Values.OfType<OpenApiSchema>()
                .SelectMany(schema => schema.Properties?.Values ?? [])
                .Select(property => property switch
                {
                    OpenApiSchemaReference { Reference.Id: { } id } => (Id: id, Nullable: false),
                    OpenApiSchema { AllOf: [OpenApiSchemaReference { Reference.Id: { } id }] } wrapper =>
                        (Id: id, Nullable: wrapper.Type?.HasFlag(JsonSchemaType.Null) == true),
                    _ => (Id: (string?)null, Nullable: false),
                })
                .Where(r => r.Id is not null)
                .GroupBy(r => r.Id!, StringComparer.Ordinal);
            foreach (var group in references.Where(g => g.All(r => r.Nullable)))
            {
                if (!schemas.TryGetValue(group.Key, out var found) || found is not OpenApiSchema { Type: { } type } target)
                    continue;
                target.Type = type | JsonSchemaType.Null;
                if (target.Enum is { Count: > 0 } values && !values.Contains(null!))
                    values.Add(null!);
            }
        }
    }

    private sealed class TagDescriptionsDocumentFilter : IDocumentFilter
    {
        private static readonly Dictionary<string, string> Descriptions = new()
        {
            ["Tenants"] = "Operator only: create and read tenants. A tenant's API key is shown once, at creation.",
            ["Clients"] = "The tenant's customers: acquired and (optionally) churned dates drive the customer KPIs.",
            ["Contracts"] = "Contracts with clients: revenue is recognized evenly per day over each term.",
            ["Leads"] = "The sales funnel: created, qualified, opportunity and closed dates, won or lost.",
            ["Surveys"] = "One answer each: NPS (0–10), CSAT (1–5) or CES (1–7).",
            ["Costs"] = "Costs by category and day: cogs, direct labor, sales, marketing, overhead.",
            ["Kpis"] = "The KPI catalog, results for a period, series, the scorecard and the benchmark sets.",
            ["Peer benchmarks"] = "Opt-in, k-anonymous percentiles of tenants like this one, from snapshots computed in the background (README \"Peer benchmarks\").",
            ["Webhook endpoints"] = "Receivers of the tenant's events as signed Standard Webhooks, their secrets, deliveries and attempts.",
        };

        public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
        {
            swaggerDoc.Tags = new SortedSet<OpenApiTag>(
                Descriptions.Select(d => new OpenApiTag { Name = d.Key, Description = d.Value }),
                Comparer<OpenApiTag>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name)));
        }
    }

    /// <summary>Every POST takes an optional Idempotency-Key, and can answer 409 (still running) or 422 (key reused).</summary>
    private sealed class IdempotencyKeyOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (!string.Equals(context.ApiDescription.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
                return;
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyMiddleware.Header,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Makes a retry safe: the same key and body within 24 hours returns the original response (with " +
                              "Idempotent-Replayed: true) and creates nothing. 1–255 characters, e.g. a UUID; per tenant.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotencyMiddleware.MaxKeyLength },
            });
            var problem = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository);
            operation.Responses ??= [];
            foreach (var (status, description) in new[]
                     {
                         ("409", "Conflict: a request with this Idempotency-Key is still running, or the record conflicts."),
                         ("422", "The Idempotency-Key was already used with a different request."),
                     })
            {
                if (!operation.Responses.ContainsKey(status))
                    operation.Responses[status] = new OpenApiResponse
                    {
                        Description = description,
                        Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
                    };
            }
        }
    }

    /// <summary>The resource lists also answer text/csv (Accept: text/csv), beside their JSON page.</summary>
    private sealed class CsvExportOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            // Only the record lists answer CSV; other lists (KPIs, benchmarks, settings such as alert rules) are JSON only.
            if (!IsRecordList(context) || operation.Responses?.TryGetValue("200", out var ok) != true || ok is not OpenApiResponse { Content: { } content })
                return;
            content[CsvFormat.MediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "Every matching record (no paging), one row each, with the columns of the CSV import.",
                },
            };
        }
    }

    private static bool IsRecordList(OperationFilterContext context)
    {
        var type = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<FastEndpoints.EndpointDefinition>().FirstOrDefault()?.EndpointType;
        for (; type is not null; type = type.BaseType)
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Features.Resources.ListResource<,,>))
                return true;
        return false;
    }

    private sealed class ExamplesSchemaFilter : ISchemaFilter
    {
        private static readonly Dictionary<Type, string> Examples = new()
        {
            [typeof(CreateTenant.Request)] = """{ "name": "Acme Industrial", "industry": "manufacturing", "currency": "USD" }""",
            [typeof(ClientRequest)] = """{ "externalId": "crm-0042", "name": "Globex GmbH", "acquiredOn": "2026-01-15", "churnedOn": null, "industry": "manufacturing", "segment": "enterprise" }""",
            [typeof(ContractRequest)] = """{ "externalId": "inv-2026-001", "clientId": "0199a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "signedOn": "2026-01-10", "startsOn": "2026-02-01", "endsOn": "2027-01-31", "value": 24000.00, "currency": "USD", "kind": "new" }""",
            [typeof(LeadRequest)] = """{ "externalId": "hs-deal-981", "createdOn": "2026-01-05", "qualifiedOn": "2026-01-12", "opportunityOn": "2026-01-20", "closedOn": "2026-03-02", "outcome": "won", "dealValue": 18000.00, "currency": "USD", "source": "webinar" }""",
            [typeof(SurveyRequest)] = """{ "externalId": "typeform-77", "kind": "nps", "score": 9, "respondedOn": "2026-03-15", "clientId": "0199a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "respondentRole": "economic-buyer" }""",
            [typeof(CostRequest)] = """{ "externalId": "gl-5521", "category": "marketing", "amount": 12500.00, "currency": "USD", "incurredOn": "2026-02-28" }""",
        };

        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var example))
                concrete.Examples = [JsonNode.Parse(example)!];
        }
    }
}

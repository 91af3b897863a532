using B2BKpiApi.Features.Resources;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.OpenApi;

/// <summary>Marks an operation whose success answer carries the record's ETag (see <see cref="EntityTags"/>).</summary>
public sealed class AnswersEntityTag;

/// <summary>Marks an operation whose 409 is a lost race, retryable as it is after Retry-After.</summary>
public sealed class AnswersRetryableConflict;

/// <summary>Documents the ETag of single-record answers, the If-Match header of PUT and DELETE, and Retry-After on a retryable 409.</summary>
internal sealed class EntityTagOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (operation.Parameters?.FirstOrDefault(p => p.Name == "If-Match") is OpenApiParameter ifMatch)
            ifMatch.Description = EntityTags.IfMatchDescription;
        if (operation.Responses is null)
            return;
        if (metadata.OfType<AnswersEntityTag>().Any())
        {
            foreach (var status in new[] { "200", "201" })
            {
                if (operation.Responses.TryGetValue(status, out var ok) && ok is OpenApiResponse response)
                {
                    response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    response.Headers["ETag"] = new OpenApiHeader
                    {
                        Description = "A strong validator of the stored revision of this record: send it in If-Match to update or delete " +
                                      "only that revision.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    };
                }
            }
        }
        if (metadata.OfType<AnswersRetryableConflict>().Any()
            && operation.Responses.TryGetValue("409", out var conflict) && conflict is OpenApiResponse conflictResponse)
        {
            conflictResponse.Description = "Conflict: a request with this Idempotency-Key is still running, or another request won a race " +
                                           "for the same records (nothing was stored; send the same request again after Retry-After).";
            conflictResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            conflictResponse.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before sending the same request again, when another request won a race for the same records.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            };
        }
    }
}

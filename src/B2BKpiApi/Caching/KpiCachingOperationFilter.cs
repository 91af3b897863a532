using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace B2BKpiApi.Caching;

/// <summary>Documents the ETag, Cache-Control and 304 of the cached KPI reads (see <see cref="KpiResponseCacheMiddleware"/>).</summary>
internal sealed class KpiCachingOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!string.Equals(context.ApiDescription.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase)
            || !KpiReadRoutes.Contains(context.ApiDescription.RelativePath?.Split('?')[0]))
            return;
        operation.Responses ??= [];
        if (operation.Responses.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse)
        {
            okResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
            okResponse.Headers["ETag"] = ETag();
            okResponse.Headers["Cache-Control"] = CacheControl();
        }
        operation.Responses["304"] = new OpenApiResponse
        {
            Description = "Not Modified: the If-None-Match header holds this answer's current ETag (the tenant's data has not " +
                          "changed since). No body; keep using the copy you have.",
            Headers = new Dictionary<string, IOpenApiHeader> { ["ETag"] = ETag(), ["Cache-Control"] = CacheControl() },
        };
    }

    private static OpenApiHeader ETag() => new()
    {
        Description = "A strong validator of this answer: it changes whenever the tenant's data changes. Send it back in " +
                      "If-None-Match to get a 304 with no body while it is current.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiHeader CacheControl() => new()
    {
        Description = $"'{KpiResponseCache.CacheControl}': the answer is the tenant's own; revalidate before reusing a copy.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}

using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.WebUtilities;

namespace B2BKpiApi.Http;

/// <summary>
/// Completes every problem body as it is written, whoever wrote it: a <c>type</c> for the statuses
/// ASP.NET leaves without one (413, 429), and a <c>title</c> that matches the status (a 413 or 415 raised
/// as a bad request would otherwise be titled "Bad Request"), and a <c>detail</c> saying what to do for the
/// answers no handler wrote (a path that matches no route, a method the path does not have).
/// </summary>
public static class ProblemConventions
{
    private static readonly Dictionary<int, string> Types = new()
    {
        [StatusCodes.Status413PayloadTooLarge] = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        [StatusCodes.Status414UriTooLong] = "https://tools.ietf.org/html/rfc9110#section-15.5.15",
        [StatusCodes.Status415UnsupportedMediaType] = "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        [StatusCodes.Status428PreconditionRequired] = "https://tools.ietf.org/html/rfc6585#section-3",
        [StatusCodes.Status429TooManyRequests] = "https://tools.ietf.org/html/rfc6585#section-4",
        [StatusCodes.Status503ServiceUnavailable] = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
    };

    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (problem.Type is null && Types.TryGetValue(status, out var type))
            problem.Type = type;
        if (status != StatusCodes.Status400BadRequest && problem.Title == ReasonPhrases.GetReasonPhrase(StatusCodes.Status400BadRequest))
            problem.Title = ReasonPhrases.GetReasonPhrase(status);
        if (problem.Detail is null)
            problem.Detail = UnroutedDetail(status, context.HttpContext);
    }

    /// <summary>
    /// Why a request matched no operation, or what to send instead. A record id that is not a UUID cannot name a
    /// record, so such a path is a 404 like any unknown path (as the big public APIs answer a malformed id), and
    /// the detail says what an id is.
    /// </summary>
    private static string? UnroutedDetail(int status, HttpContext context)
    {
        var request = context.Request;
        // Routing answers these itself (its own 405 and 415 endpoints) when no operation takes the method or the Content-Type.
        if (status == StatusCodes.Status405MethodNotAllowed)
            return $"This path has no {request.Method} operation. The OpenAPI document (/openapi/v1.json) lists each path's operations.";
        if (status == StatusCodes.Status415UnsupportedMediaType)
            return request.Path.Value?.EndsWith("/import", StringComparison.OrdinalIgnoreCase) == true
                ? "Send the file as text/csv with the header Content-Type: text/csv."
                : "Send the body as JSON with the header Content-Type: application/json.";
        if (status != StatusCodes.Status404NotFound || context.GetEndpoint() is not null)
            return null;
        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        // /v1/{collection}/{id}[/...]: KPI ids are names, not UUIDs (an unknown one is answered by GetKpi).
        if (segments is ["v1", var collection, var id, ..] && !Guid.TryParse(id, out _) && HasIdRoutes(context, collection))
            return $"'{Shorten(id)}' is not an id: the ids of {collection} are UUIDs (such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301), " +
                   "as returned in 'id' when the record was created.";
        return "There is no operation at this path. GET / links to the API reference; /openapi/v1.json lists every path.";
    }

    /// <summary>
    /// Whether /v1/{collection}/{id} is a route whose id is a UUID (the routing table says so: {id:guid}), so that
    /// an unknown collection or a KPI name (GET /v1/kpis/{id} takes names) is never called a malformed id.
    /// </summary>
    private static bool HasIdRoutes(HttpContext context, string collection) =>
        context.RequestServices.GetService<EndpointDataSource>()?.Endpoints.OfType<RouteEndpoint>().Any(e =>
            e.RoutePattern.PathSegments is [var v1, var literal, var parameter, ..]
            && v1.Parts is [RoutePatternLiteralPart { Content: "v1" }]
            && literal.Parts is [RoutePatternLiteralPart { Content: var name }] && name.Equals(collection, StringComparison.OrdinalIgnoreCase)
            && parameter.Parts is [RoutePatternParameterPart { ParameterPolicies: var policies }]
            && policies.Any(p => p.Content == "guid")) == true;

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}

using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Patterns;

namespace B2BKpiApi.OpenApi;

/// <summary>
/// How a FastEndpoints endpoint describes itself to ApiExplorer, and so to Swashbuckle. FastEndpoints maps
/// every endpoint to one parameterless delegate and guesses accepts/produces metadata from its types; the
/// contract in openapi/v1.json needs the real parameters and responses. So each endpoint hands ApiExplorer
/// its wire signature (a method whose parameters are the route, query and body parameters, read with the
/// same rules as a Minimal API handler) and declares every response explicitly.
/// </summary>
public static class OperationDescription
{
    /// <summary>A /v1 operation called with a tenant key: 401 without a valid key, 429 over the rate limit.</summary>
    public static RouteHandlerBuilder TenantOperation(this RouteHandlerBuilder builder, Delegate wire) =>
        builder.Wire(wire)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <summary>A /v1 operation called with the operator key: 401 without a valid key, 403 with a tenant key.</summary>
    public static RouteHandlerBuilder OperatorOperation(this RouteHandlerBuilder builder, Delegate wire) =>
        builder.Wire(wire)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    private static RouteHandlerBuilder Wire(this RouteHandlerBuilder builder, Delegate wire)
    {
        builder.Add(endpoint =>
        {
            for (var i = endpoint.Metadata.Count - 1; i >= 0; i--)
                if (endpoint.Metadata[i] is IProducesResponseTypeMetadata or IAcceptsMetadata)
                    endpoint.Metadata.RemoveAt(i);
        });
        // ApiExplorer reads an endpoint's parameters from its IParameterBindingMetadata, which the Minimal API
        // factory infers from a handler; infer it from the wire signature the same way.
        builder.Finally(endpoint =>
        {
            var inferred = new RouteEndpointBuilder(_ => Task.CompletedTask, RoutePatternFactory.Parse("/"), 0)
            {
                ApplicationServices = endpoint.ApplicationServices,
            };
            RequestDelegateFactory.InferMetadata(wire.Method, new RequestDelegateFactoryOptions
            {
                ServiceProvider = endpoint.ApplicationServices,
                RouteParameterNames = (endpoint as RouteEndpointBuilder)?.RoutePattern.Parameters.Select(p => p.Name).ToList(),
                EndpointBuilder = inferred,
            });
            foreach (var parameter in inferred.Metadata.OfType<IParameterBindingMetadata>())
                endpoint.Metadata.Add(parameter);
        });
        return builder;
    }
}

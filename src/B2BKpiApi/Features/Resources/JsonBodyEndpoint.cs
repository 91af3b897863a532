using FastEndpoints;

namespace B2BKpiApi.Features.Resources;

/// <summary>
/// An endpoint whose request is the JSON body and nothing else: a query string or route value never
/// overwrites a body field, and a body that is not JSON is a 415, as it was before FastEndpoints.
/// </summary>
public abstract class JsonBodyEndpoint<TRequest, TResponse> : Endpoint<TRequest, TResponse>
    where TRequest : notnull
{
    protected void AcceptJsonBodyOnly() => RequestBinder(new RequestBinder<TRequest>(BindingSource.JsonBody));

    public override void OnBeforeValidate(TRequest req)
    {
        // FastEndpoints would bind a non-JSON body to an empty request and answer with validation errors.
        if (!HttpContext.Request.HasJsonContentType())
            throw new BadHttpRequestException("The request body must be JSON.", StatusCodes.Status415UnsupportedMediaType);
    }
}

using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace B2BKpiApi.Http;

/// <summary>
/// A body sent to an operation that takes JSON (or CSV) without that Content-Type is a 415 problem that says
/// which header to send. FastEndpoints would answer a request without any Content-Type with an empty 415
/// (already started, so no status-code page can fill it in), and one with another type with a bare problem.
/// Runs after authentication, so a caller without a valid key still learns that first.
/// </summary>
public sealed class RequestContentType(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var request = context.Request;
        if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
            || context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is not { ContentTypes.Count: > 0 } accepts
            || Accepted(request, accepts.ContentTypes))
            return next(context);

        var json = accepts.ContentTypes.Any(t => t.Equals("application/json", StringComparison.OrdinalIgnoreCase));
        var detail = json
            ? "Send the body as JSON with the header Content-Type: application/json."
            : $"Send the file as {accepts.ContentTypes[0]} with the header Content-Type: {accepts.ContentTypes[0]}.";
        context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Title = "Unsupported Media Type",
                Detail = request.ContentType is null ? "The request has no Content-Type header. " + detail : detail,
            },
        }).AsTask();
    }

    private static bool Accepted(HttpRequest request, IReadOnlyList<string> accepted)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var sent))
            return false;
        foreach (var type in accepted)
        {
            // JSON operations have always taken any JSON media type (application/*+json too), as HasJsonContentType does.
            if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) && request.HasJsonContentType())
                return true;
            if (sent.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}

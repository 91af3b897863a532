using FluentValidation.Results;

namespace B2BKpiApi.Errors;

/// <summary>
/// FastEndpoints' answer to failed binding or validation, in the API's RFC 9457 shape: the same body
/// <c>TypedResults.ValidationProblem</c> gives, with every failing field mapped to its messages and a traceId.
/// </summary>
public static class ValidationProblems
{
    public static object Build(List<ValidationFailure> failures, HttpContext httpContext, int status) =>
        new HttpValidationProblemDetails(failures
            .GroupBy(f => f.PropertyName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).ToArray(), StringComparer.Ordinal))
        {
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            Title = "One or more validation errors occurred.",
            Status = status,
            Extensions = { ["traceId"] = httpContext.TraceIdentifier },
        };
}

using Microsoft.AspNetCore.WebUtilities;

namespace B2BKpiApi.Http;

/// <summary>
/// Completes every problem body as it is written, whoever wrote it: a <c>type</c> for the statuses
/// ASP.NET leaves without one (413, 429), and a <c>title</c> that matches the status (a 413 or 415 raised
/// as a bad request would otherwise be titled "Bad Request").
/// </summary>
public static class ProblemConventions
{
    private static readonly Dictionary<int, string> Types = new()
    {
        [StatusCodes.Status413PayloadTooLarge] = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
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
    }
}

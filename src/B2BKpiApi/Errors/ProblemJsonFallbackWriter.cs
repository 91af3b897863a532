using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Errors;

/// <summary>
/// Writes a problem as <c>application/problem+json</c> when ASP.NET's own writer declines because the request's
/// <c>Accept</c> header does not name JSON (<c>Accept: text/csv</c> for a CSV export, <c>text/html</c> from a browser).
/// Without it, a refused key or a rate-limited export answered <c>500</c> with an empty body (the writer threw) and a
/// status-code page fell back to <c>text/plain</c>. Errors are always problem+json in this API: answering in a type the
/// client did not list is what RFC 9110 §12.5.1 allows in place of a 406, and it tells the caller what went wrong.
/// Registered after the default writer, so it only answers what that one refuses.
/// </summary>
public sealed class ProblemJsonFallbackWriter(IOptions<ProblemDetailsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    private const string RfcSections = "https://tools.ietf.org/html/rfc9110#section-";

    // The types ASP.NET's writer gives these statuses (ProblemDetailsDefaults), so a problem reads the same whoever wrote it.
    private static readonly Dictionary<int, string> Types = new()
    {
        [400] = RfcSections + "15.5.1", [401] = RfcSections + "15.5.2", [403] = RfcSections + "15.5.4", [404] = RfcSections + "15.5.5",
        [405] = RfcSections + "15.5.6", [406] = RfcSections + "15.5.7", [408] = RfcSections + "15.5.9", [409] = RfcSections + "15.5.10",
        [412] = RfcSections + "15.5.13", [415] = RfcSections + "15.5.16", [422] = RfcSections + "15.5.21", [426] = RfcSections + "15.5.22",
        [500] = RfcSections + "15.6.1", [502] = RfcSections + "15.6.3", [503] = RfcSections + "15.6.4", [504] = RfcSections + "15.6.5",
    };

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        if (problem.Type is null && Types.TryGetValue(problem.Status.Value, out var type))
            problem.Type = type;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value) is { Length: > 0 } phrase ? phrase : null;
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(http.Response.WriteAsJsonAsync<ProblemDetails>(problem, json.Value.SerializerOptions,
            "application/problem+json", http.RequestAborted));
    }
}

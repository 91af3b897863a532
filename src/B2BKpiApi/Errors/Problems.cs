using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace B2BKpiApi.Errors;

/// <summary>RFC 9457 problem details for every error the API gives.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem($"No {what} with this id.", statusCode: StatusCodes.Status404NotFound, title: "Not Found");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors);
}

/// <summary>
/// Turns a body that cannot be read (malformed JSON, a wrong type, an unknown field or enum value)
/// into a 400 problem naming the JSON path, and anything unexpected into a bare 500 problem:
/// never a stack trace or an exception message from inside the server.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The caller went away: nobody is left to answer, and it is not a server fault to log.
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            httpContext.Response.StatusCode = 499;
            return true;
        }

        var (status, title, detail, errors) = exception switch
        {
            // Every field of the body that cannot be read or is not valid (Serialization.RequestBody).
            Serialization.RequestBodyException body => (400, "One or more validation errors occurred.",
                body.Errors.Count == 1 && body.Errors.First().Value is [var only] ? only
                    : $"{body.Errors.Count} fields cannot be read or are not valid; each is listed under errors.",
                body.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal)),
            BadHttpRequestException { InnerException: JsonException json } => (400, "The request body is not valid JSON for this operation.",
                DescribeJson(json), JsonErrors(json)),
            // FastEndpoints lets the serializer's exception through (no JsonExceptionTransformer is configured).
            JsonException json => (400, "The request body is not valid JSON for this operation.", DescribeJson(json), JsonErrors(json)),
            BadHttpRequestException bad when BindFailure().Match(bad.Message) is { Success: true } m => (400, "One or more validation errors occurred.",
                null, new Dictionary<string, string[]> { [QueryName(m.Groups["name"].Value)] =
                    [$"'{QueryName(m.Groups["name"].Value)}' has a value that cannot be read as {Describe(m.Groups["type"].Value)}."] }),
            BadHttpRequestException bad => (bad.StatusCode, "Bad Request", SafeBadRequestDetail(bad), null),
            _ => (500, "An unexpected error occurred.", "The error was logged; quote the traceId when you contact support.", null),
        };
        // One line with the type, message and traceId: the stack trace stays out of the log.
        if (status >= 500)
            LogUnhandled(logger, exception.GetType().FullName ?? "?", exception.Message, httpContext.Request.Method,
                httpContext.Request.Path, httpContext.TraceIdentifier);

        httpContext.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (errors is not null)
            problem.Extensions["errors"] = errors;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} for {Method} {Path} (traceId {TraceId}): {ExceptionMessage}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, string exceptionMessage, string method, string path, string traceId);

    private static string DescribeJson(JsonException json)
    {
        if (json.Path is not { Length: > 0 } path || path == "$")
            return "The body is not well-formed JSON, or not a JSON object.";
        var field = FieldOf(path);
        if (Serialization.StrictJson.Describe(json, field) is { } strict)
            return strict;
        if (json.Message.Contains("could not be mapped", StringComparison.Ordinal))
            return $"'{field}' is not a field of this request (server-owned fields such as id, tenantId and timestamps cannot be sent).";
        // The same words as a query-string date or UUID that cannot be read ('from' …), naming the field and the format.
        // The outer message names the declaring record for constructor parameters; the inner one names the value's type.
        if (json.InnerException is FormatException format)
        {
            if (format.Message.Contains("DateOnly", StringComparison.Ordinal))
                return $"'{field}' has a value that cannot be read as {Describe("DateOnly")}, such as 2025-01-31.";
            if (format.Message.Contains("Guid", StringComparison.Ordinal))
                return $"'{field}' has a value that cannot be read as {Describe("Guid")}.";
        }
        if (json.Message.Contains("could not be converted", StringComparison.Ordinal))
            return $"'{field}' has the wrong type, or is not one of its allowed values.";
        return $"The JSON is malformed at '{field}'.";
    }

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>\\w+)\" from \"")]
    private static partial System.Text.RegularExpressions.Regex BindFailure();

    /// <summary>
    /// ASP.NET names a parameter that failed to bind by its C# name; answer with its wire name, taken from
    /// the [FromQuery(Name = ...)] of the query records (FromDate binds from "from").
    /// </summary>
    private static readonly Dictionary<string, string> WireNames = typeof(ProblemExceptionHandler).Assembly.GetTypes()
        .SelectMany(t => t.GetProperties())
        .Select(p => (p.Name, Attribute: p.GetCustomAttributes(typeof(Microsoft.AspNetCore.Mvc.FromQueryAttribute), false)
            .OfType<Microsoft.AspNetCore.Mvc.FromQueryAttribute>().FirstOrDefault()))
        .Where(x => x.Attribute?.Name is not null)
        .DistinctBy(x => x.Name)
        .ToDictionary(x => x.Name, x => x.Attribute!.Name!);

    private static string QueryName(string parameter) => WireNames.GetValueOrDefault(parameter) ?? JsonNaming.Camel(parameter);

    /// <summary>A query value FastEndpoints could not bind, in the words the Minimal API binding failures used.</summary>
    public static string UnreadableQueryValue(Type type, string name) =>
        (Nullable.GetUnderlyingType(type) ?? type).IsEnum
            ? Serialization.FieldValues.NotOneOf(name, type)
            : $"'{name}' has a value that cannot be read as {Describe(Nullable.GetUnderlyingType(type)?.Name ?? type.Name)}.";

    private static string Describe(string type) => type.TrimEnd('?') switch
    {
        "DateOnly" or "Nullable<DateOnly>" or "IsoDate" or "Nullable<IsoDate>" => "a date written YYYY-MM-DD",
        "int" or "Int32" or "Nullable<int>" => "a whole number",
        "Guid" or "Nullable<Guid>" => "a UUID",
        _ => "its type",
    };

    private static string FieldOf(string path) => path.TrimStart('$').TrimStart('.');

    private static Dictionary<string, string[]> JsonErrors(JsonException json)
    {
        var field = json.Path is { Length: > 0 } path ? FieldOf(path) : "";
        return new() { [field.Length == 0 ? "$" : field] = [DescribeJson(json)] };
    }

    private static string SafeBadRequestDetail(BadHttpRequestException bad) => bad.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
        _ when bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) => "The request body is missing.",
        _ when bad.Message.StartsWith("Failed to read parameter", StringComparison.Ordinal) => "The request body could not be read.",
        _ => "The request could not be read.",
    };
}

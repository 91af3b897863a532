using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace B2BKpiApi.Http;

/// <summary>
/// A request target (path and query string) longer than <see cref="MaxTargetBytes"/> is a 414 problem.
/// Kestrel refuses an over-long request line itself, before any middleware runs, with an empty 414 that
/// cannot be given a body; so Kestrel's limit is raised to <see cref="KestrelRequestLineBytes"/> and this
/// middleware applies the real limit, answering in words. Only a request line over Kestrel's raised limit
/// still gets Kestrel's empty answer (as does a target Kestrel cannot parse, such as a NUL in the path).
/// </summary>
public sealed class RequestTargetLimit(RequestDelegate next)
{
    /// <summary>The longest path and query string served: Kestrel's default request-line limit, which v1 always had.</summary>
    public const int MaxTargetBytes = 8 * 1024;

    /// <summary>What Kestrel lets through to the pipeline, so that longer targets up to here get a problem body.</summary>
    public const int KestrelRequestLineBytes = 64 * 1024;

    public static void ConfigureKestrel(KestrelServerOptions options) => options.Limits.MaxRequestLineSize = KestrelRequestLineBytes;

    public Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        // The target as received; a server that does not report it (an in-process test host) is measured by its parts.
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var length = string.IsNullOrEmpty(target)
            ? (context.Request.PathBase.Value ?? "").Length + (context.Request.Path.Value ?? "").Length + (context.Request.QueryString.Value ?? "").Length
            : target.Length;
        if (length <= MaxTargetBytes)
            return next(context);

        context.Response.StatusCode = StatusCodes.Status414UriTooLong;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status414UriTooLong,
                Title = "URI Too Long",
                Detail = string.Create(CultureInfo.InvariantCulture,
                    $"The path and query string may be at most {MaxTargetBytes} characters long; this one has {length}. Shorten the query string."),
            },
        }).AsTask();
    }
}

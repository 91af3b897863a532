using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace B2BKpiApi.Http;

/// <summary>
/// Oversized headers get a problem body. Kestrel refuses headers over its limit itself, before any middleware
/// runs, with an empty 431; so its limit is raised to <see cref="KestrelHeadersBytes"/> and this middleware
/// applies the real limits in words: an <c>X-Api-Key</c> longer than any key (<see cref="MaxApiKeyChars"/>) is a
/// 401 saying the key is too long, and headers over <see cref="MaxHeadersBytes"/> in all (Kestrel's default,
/// which v1 always had) are a 431 naming the largest header. Only headers over Kestrel's raised limit, or more
/// than its 100 header fields, still get Kestrel's empty 431 (README, "Limits").
/// </summary>
public sealed class RequestHeaderLimit(RequestDelegate next)
{
    /// <summary>The longest X-Api-Key read: tenant keys are under 100 characters, and an operator key this long is no key.</summary>
    public const int MaxApiKeyChars = 1024;

    /// <summary>The most header bytes a request may carry: Kestrel's default limit, which v1 always had.</summary>
    public const int MaxHeadersBytes = 32 * 1024;

    /// <summary>What Kestrel lets through to the pipeline, so that larger headers up to here get a problem body.</summary>
    public const int KestrelHeadersBytes = 128 * 1024;

    public static void ConfigureKestrel(KestrelServerOptions options) => options.Limits.MaxRequestHeadersTotalSize = KestrelHeadersBytes;

    public Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var headers = context.Request.Headers;
        var key = headers[Tenancy.Auth.Header];
        if (key.Count > 0 && key.Sum(k => k?.Length ?? 0) > MaxApiKeyChars)
        {
            context.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{Tenancy.Auth.Header}\"";
            return Refuse(context, problems, StatusCodes.Status401Unauthorized, "Unauthorized", string.Create(CultureInfo.InvariantCulture,
                $"The {Tenancy.Auth.Header} header is too long ({key.Sum(k => k?.Length ?? 0)} characters) to be an API key; a key is at most {MaxApiKeyChars} characters. Send the key exactly as it was issued."));
        }

        var total = 0;
        var largest = (Name: "", Bytes: 0);
        foreach (var (name, values) in headers)
        {
            // A header line: name, ": ", value, CRLF (as Kestrel counts it, near enough for a limit).
            var bytes = 0;
            foreach (var value in values)
                bytes += name.Length + 4 + (value?.Length ?? 0);
            total += bytes;
            if (bytes > largest.Bytes)
                largest = (name, bytes);
        }
        if (total <= MaxHeadersBytes)
            return next(context);
        return Refuse(context, problems, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request Header Fields Too Large", string.Create(CultureInfo.InvariantCulture,
            $"The request's headers are {total} bytes; at most {MaxHeadersBytes} are read. The largest is {largest.Name} ({largest.Bytes} bytes)."));
    }

    private static Task Refuse(HttpContext context, IProblemDetailsService problems, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = status,
                Title = title,
                Type = status == StatusCodes.Status431RequestHeaderFieldsTooLarge ? "https://tools.ietf.org/html/rfc6585#section-5" : null,
                Detail = detail,
            },
        }).AsTask();
    }
}

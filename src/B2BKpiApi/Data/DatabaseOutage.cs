using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace B2BKpiApi.Data;

/// <summary>
/// The database being unreachable (stopped, restarting, refusing connections, out of connection slots,
/// or a SQLite file that is locked or cannot be opened) is not a server fault: the request is answered
/// 503 with <c>Retry-After</c> and a problem body, whatever part of the pipeline met it (the API-key
/// lookup, a handler, the idempotency store). Nothing is kept between requests, so recovery is
/// automatic: the next request after the database is back opens a new connection.
/// EF's retrying execution strategy is NOT enabled: the CSV import opens its own transaction over a
/// streamed body that cannot be replayed, which a retrying strategy forbids (it would have to re-run the
/// whole transaction). A transient error is therefore answered 503 and the client retries the request.
/// </summary>
public sealed partial class DatabaseOutage(IProblemDetailsService problems, ILogger<DatabaseOutage> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait: long enough for a restart, short enough to notice recovery.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Conflict(exception) is { } conflict)
            return await LostRaceAsync(httpContext, exception, conflict);
        if (Cause(exception) is not { } cause)
            return false;
        LogOutage(logger, cause.GetType().Name, cause.Message, httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
                Title = "Service Unavailable",
                Detail = $"The database is unavailable for the moment. Retry after {RetryAfterSeconds} seconds; a write retried with the same " +
                         "Idempotency-Key is never applied twice.",
            },
        });
    }

    /// <summary>
    /// The exception in the chain that says the database rolled this request's transaction back because of a concurrent
    /// one (a deadlock victim, a serialization or snapshot update conflict), or null. Unique and foreign-key races are
    /// answered where they happen (409 naming the record); these can happen in any write, so they are answered here.
    /// </summary>
    public static Exception? Conflict(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // 40001 serialization_failure, 40P01 deadlock_detected.
                case PostgresException { SqlState: "40001" or "40P01" }:
                case SqlException sql when SqlServerErrors.Numbers(sql).Any(SqlServerErrors.IsConflict):
                    return e;
            }
        }
        return null;
    }

    private async ValueTask<bool> LostRaceAsync(HttpContext httpContext, Exception exception, Exception conflict)
    {
        LogLostRace(logger, conflict.GetType().Name, httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier);
        httpContext.Response.StatusCode = StatusCodes.Status409Conflict;
        httpContext.Response.Headers.RetryAfter = Features.Resources.ResourceChecks.LostRaceRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Type = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
                Title = "Conflict",
                Detail = "Another request changed these records at the same time and the database rolled this one back. " +
                         $"Send the same request again after {Features.Resources.ResourceChecks.LostRaceRetryAfterSeconds} second.",
            },
        });
    }

    /// <summary>The exception in the chain that says the database cannot be reached, or null when the fault is another.</summary>
    public static Exception? Cause(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RetryLimitExceededException:
                // 08: connection exception; 53: insufficient resources (too many connections); 57P01-03: shutting down, cannot connect now.
                case PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                                               || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
                                               || pg.SqlState is "57P01" or "57P02" or "57P03":
                    return e;
                case PostgresException:
                    return null; // an answer from a running server: a query fault, not an outage
                case NpgsqlException npgsql when npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException:
                    return e;
                // 5 BUSY, 6 LOCKED: another writer holds the file past the busy timeout; 14 CANTOPEN: the file or its folder is gone.
                case SqliteException { SqliteErrorCode: 5 or 6 or 14 }:
                    return e;
                case SqlException sql when SqlServerErrors.Numbers(sql).Any(SqlServerErrors.IsOutage):
                    return e;
                case SqlException:
                    return null; // SQL Server answered: a query fault or a lost race, not an outage
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost a race in the database ({ExceptionType}) for {Method} {Path} (traceId {TraceId}); answered 409")]
    private static partial void LogLostRace(ILogger logger, string exceptionType, string method, string path, string traceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable ({ExceptionType}: {ExceptionMessage}) for {Method} {Path} (traceId {TraceId}); answered 503")]
    private static partial void LogOutage(ILogger logger, string exceptionType, string exceptionMessage, string method, string path, string traceId);
}

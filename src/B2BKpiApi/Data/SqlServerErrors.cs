using Microsoft.Data.SqlClient;

namespace B2BKpiApi.Data;

/// <summary>
/// What a SQL Server error number (<see cref="SqlException.Number"/>, and every <see cref="SqlError"/> it carries)
/// means for the caller, the way <see cref="DatabaseOutage"/> reads PostgreSQL's SQLSTATE and SQLite's result codes:
/// the database cannot be reached or is out of resources (503 with Retry-After), or this request lost a race with a
/// concurrent one (409 with Retry-After), or it is a fault of another kind (neither). No SQL Server runs in our CI,
/// so these numbers are unit-tested on the classifier.
/// </summary>
public static class SqlServerErrors
{
    /// <summary>The database is unreachable, starting, stopping, paused or out of resources: retry later (503).</summary>
    public static bool IsOutage(int number) => number switch
    {
        -2 => true,                       // client-side timeout expired (connection or command)
        2 or 53 or 64 or 121 or 233 => true, // server not found, network path not found, connection dropped during login, semaphore timeout, no process on the pipe
        10053 or 10054 or 10060 or 10061 or 10065 or 11001 => true, // socket aborted, reset, timed out, refused, host unreachable, host unknown
        4060 => true,                     // cannot open the database (offline, restoring, recovering)
        6005 or 17142 or 18401 => true,   // shutdown in progress, server paused, script-upgrade mode
        701 or 1222 => true,              // out of memory; lock request timed out (the server is busy)
        40197 or 40501 or 40613 => true,  // Azure SQL: reconfiguration, service busy, database not currently available
        49918 or 49919 or 49920 => true,  // Azure SQL: not enough resources to process the request
        10928 or 10929 => true,           // Azure SQL: resource limit reached
        4221 or 42108 or 42109 => true,   // read replica catching up; serverless database paused or resuming
        _ => false,
    };

    /// <summary>
    /// Another request got there first: a key taken meanwhile (2601, 2627), a referenced record deleted meanwhile (547),
    /// chosen as a deadlock victim (1205), or an update conflict under snapshot isolation (3960). The statement's
    /// transaction was rolled back; the same request may be sent again (409).
    /// </summary>
    public static bool IsLostRace(int number) => number is 2601 or 2627 or 547 or 1205 or 3960;

    /// <summary>A deadlock victim or a snapshot update conflict: lost races no handler catches on its own.</summary>
    public static bool IsConflict(int number) => number is 1205 or 3960;

    /// <summary>Every error number an exception carries (the first is <see cref="SqlException.Number"/>).</summary>
    public static IEnumerable<int> Numbers(SqlException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        yield return exception.Number;
        foreach (SqlError error in exception.Errors)
            yield return error.Number;
    }
}

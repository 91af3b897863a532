using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Idempotency;

/// <summary>
/// The hardening of <c>IdempotencyMiddleware</c>: which keys are accepted, how a claim proves its request
/// is alive, and how large an answer is kept for replay.
/// </summary>
public static partial class IdempotencyGuards
{
    /// <summary>
    /// A running request renews its claim this often. A claim not renewed for <see cref="Lease"/> belongs
    /// to a request that died (a crash, kill -9, a lost connection to the database) and is taken over by
    /// the next retry; a request that ends with an exception releases its claim at once.
    /// </summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    /// <summary>Six missed heartbeats: generous against a stalled thread pool, short for a client retrying after a crash.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    public const int DefaultMaxStoredResponseBytes = 1024 * 1024;

    /// <summary>
    /// Marks a record whose answer succeeded but was too large to keep: the key still guards against a
    /// second execution, and a retry is told so (409) instead of getting a replay.
    /// </summary>
    public const string NotKeptContentType = "application/vnd.b2bkpi.response-not-kept";

    /// <summary>Printable ASCII only (space to '~'): a UUID fits, a control or non-ASCII character is refused.</summary>
    public static bool IsValidKey(string key) => key.All(c => c is >= ' ' and <= '~');

    /// <summary>The largest answer kept for replay; 0 for an operation whose answer holds a secret (it must never be stored).</summary>
    public static int MaxStoredResponseBytes(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<AnswerHoldsSecret>() is not null
            ? 0
            : context.RequestServices.GetRequiredService<IConfiguration>()
                .GetValue("Idempotency:MaxStoredResponseBytes", DefaultMaxStoredResponseBytes);

    public static string NotKeptDetail(int status) =>
        $"A request with this Idempotency-Key already succeeded (status {status}), but its answer was too large to keep for replay (or held a secret), " +
        "so it is not repeated and nothing was changed now. Read the records with GET, or use a new key for a new request.";

    /// <summary>
    /// How long the bookkeeping after a request (keeping its answer, releasing its claim) keeps trying while the database
    /// is unreachable, such as during a primary's restart. Well inside <see cref="Lease"/> less one <see cref="Heartbeat"/>,
    /// so a background release can never delete a claim that a retry has taken over meanwhile.
    /// </summary>
    public static readonly TimeSpan PersistBudget = TimeSpan.FromSeconds(20);

    public const string AnswerLostDetail =
        "A request with this Idempotency-Key already changed the records, but the service lost its answer before it could be kept " +
        "(the database or the server went away at that moment), so it is not repeated and nothing was changed now. " +
        "Read the records with GET, or use a new key for a new request.";

    /// <summary>
    /// Runs one bookkeeping statement, retrying it with backoff for up to <see cref="PersistBudget"/> while the database is
    /// unavailable (<see cref="DatabaseOutage.Cause"/>). Answers the statement's row count, or null when it gave up.
    /// </summary>
    public static async Task<int?> PersistAsync(KpiDbContext db, ILogger logger, Func<KpiDbContext, Task<int>> statement)
    {
        var started = TimeProvider.System.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await statement(db);
            }
            catch (Exception e) when (DatabaseOutage.Cause(e) is not null)
            {
                if (TimeProvider.System.GetElapsedTime(started) + delay > PersistBudget)
                {
                    LogGaveUp(logger, attempt, e.GetType().Name, DatabaseOutage.Cause(e)!.Message);
                    return null;
                }
                await Task.Delay(delay);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }
    }

    /// <summary><see cref="PersistAsync"/> in the background, in a scope of its own: for a request that is failing anyway.</summary>
    public static Task PersistInBackground(IServiceScopeFactory scopes, ILogger logger, Func<KpiDbContext, Task<int>> statement) =>
        Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await PersistAsync(scope.ServiceProvider.GetRequiredService<KpiDbContext>(), logger, statement);
            }
            catch (Exception e)
            {
                LogGaveUp(logger, 1, e.GetType().Name, e.Message);
            }
        });

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Keeping an Idempotency-Key's outcome failed after {Attempts} attempts ({ExceptionType}: {ExceptionMessage}); a retry with the key is answered from its claim")]
    private static partial void LogGaveUp(ILogger logger, int attempts, string exceptionType, string exceptionMessage);

    /// <summary>Renews the claim until disposed, so that a live request's claim is never taken for a dead one.</summary>
    public static IAsyncDisposable KeepAlive(IServiceScopeFactory scopes, Guid claimId, TimeProvider clock) =>
        new Renewal(scopes, claimId, clock);

    private sealed class Renewal : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Renewal(IServiceScopeFactory scopes, Guid claimId, TimeProvider clock) => _loop = Run(scopes, claimId, clock, _stop.Token);

        private static async Task Run(IServiceScopeFactory scopes, Guid claimId, TimeProvider clock, CancellationToken stop)
        {
            using var timer = new PeriodicTimer(Heartbeat, clock);
            try
            {
                while (await timer.WaitForNextTickAsync(stop))
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
                    var now = KpiDbContext.Now(clock);
                    // CreatedAt of a running claim is the time it was last known alive.
                    await db.IdempotencyRecords.Where(r => r.Id == claimId && r.StatusCode == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.CreatedAt, now), stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // the request ended
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is gone: the request itself will fail on it; the claim then lapses after the lease.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}

/// <summary>
/// Endpoint metadata: the answer holds a secret shown once (a webhook signing secret), so it is never stored for
/// replay; the Idempotency-Key still guards against a second execution.
/// </summary>
public sealed class AnswerHoldsSecret;

/// <summary>
/// The Idempotency-Key claim of the current request (scoped), set by <c>IdempotencyMiddleware</c> once the key is claimed:
/// <c>KpiDbContext</c> marks it executed in the transaction of every write the request makes.
/// </summary>
public sealed class IdempotencyClaim
{
    public Guid? Id { get; set; }
}

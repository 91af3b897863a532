using System.Security.Cryptography;
using System.Text;
using B2BKpiApi.Data;
using B2BKpiApi.Hosting;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on every POST, with Stripe's semantics: the first request with a key runs and,
/// when it succeeds (2xx), its status, body and Location are kept for 24 hours; a retry with the same
/// key and the same request gets that response back (header <c>Idempotent-Replayed: true</c>) and
/// changes nothing. The same key with another request is a 422; a retry while the first is still
/// running is a 409. A request that fails (4xx or 5xx) keeps nothing, so a corrected retry runs.
/// Keys are per tenant (the operator has its own space). The unique (scope, key) row is the lock:
/// of two concurrent requests with one key, exactly one runs.
/// <para>
/// Faults: the request's write marks its claim executed in the write's own transaction (KpiDbContext), so
/// "stored" and "may run again" can never both be true. Keeping the answer after the commit is retried for
/// a while when the database is away (a primary restarting); a claim whose request died is taken over after
/// the lease only when it had stored nothing, and otherwise answers 409 saying the effect is stored but its
/// answer was lost.
/// </para>
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxKeyLength = 255;
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>A claim still running after this long is taken to belong to a request that died, and can be taken over.</summary>
    private static readonly TimeSpan Abandoned = B2BKpiApi.Idempotency.IdempotencyGuards.Lease;

    public async Task InvokeAsync(HttpContext context, IServiceScopeFactory scopes, TenantContext tenant, TimeProvider clock,
        IProblemDetailsService problems, ILogger<IdempotencyMiddleware> logger)
    {
        var endpoint = context.GetEndpoint();
        var guarded = endpoint?.Metadata.GetMetadata<TenantKeyRequired>() is not null
                      || endpoint?.Metadata.GetMetadata<OperatorKeyRequired>() is not null;
        if (!HttpMethods.IsPost(context.Request.Method) || !guarded || !context.Request.Headers.TryGetValue(Header, out var values))
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength || values.Count > 1)
        {
            await Refuse(context, problems, StatusCodes.Status400BadRequest, "One or more validation errors occurred.",
                $"'{Header}' must be one value of 1 to {MaxKeyLength} characters, such as a UUID.");
            return;
        }
        if (!B2BKpiApi.Idempotency.IdempotencyGuards.IsValidKey(key))
        {
            await Refuse(context, problems, StatusCodes.Status400BadRequest, "One or more validation errors occurred.",
                $"'{Header}' may hold only printable ASCII characters (no control or non-ASCII characters), such as a UUID.");
            return;
        }

        var scope = tenant.IsResolved ? tenant.TenantId : Guid.Empty;
        var hash = await HashRequest(context.Request, context.RequestAborted);
        await using var storeScope = scopes.CreateAsyncScope();
        var db = storeScope.ServiceProvider.GetRequiredService<KpiDbContext>();

        var (claimed, existing) = await Claim(db, scope, key, hash, clock, context.RequestAborted);
        if (claimed is null)
        {
            await Answer(context, problems, existing!, hash, clock);
            return;
        }

        // The request's own writes mark the claim executed in their transactions (KpiDbContext).
        context.RequestServices.GetRequiredService<IdempotencyClaim>().Id = claimed.Id;
        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await using (B2BKpiApi.Idempotency.IdempotencyGuards.KeepAlive(scopes, claimed.Id, clock))
                await next(context);
        }
        catch
        {
            // The request failed (most often: the database went away). Its claim is released so that the retry runs,
            // unless its write committed first (the commit's answer was lost): then the claim is marked as ended, so
            // that a retry hears at once that the records were changed rather than waiting out the lease. The database
            // may be down right now, so this is retried in the background (bounded well inside the lease) instead of
            // holding the error answer back.
            _ = B2BKpiApi.Idempotency.IdempotencyGuards.PersistInBackground(scopes, logger, async db =>
            {
                var released = await Release(db, claimed.Id, CancellationToken.None);
                if (released == 0)
                {
                    var ended = KpiDbContext.Now(clock) - Abandoned - TimeSpan.FromSeconds(1);
                    await db.IdempotencyRecords.Where(r => r.Id == claimed.Id && r.StatusCode == null && r.ExecutedAt != null)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.CreatedAt, ended), CancellationToken.None);
                }
                return released;
            });
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.ToArray();
        var keep = true;
        if (context.Response.StatusCode is not (>= 200 and < 300))
        {
            // A refused request keeps nothing, so a corrected retry runs; one that wrote something before it was
            // refused (0 released) is kept like a success, so that it is never run twice. Gave up (null): the
            // claim lapses after the lease, or answers that its effect is stored.
            keep = await B2BKpiApi.Idempotency.IdempotencyGuards.PersistAsync(db, logger,
                d => Release(d, claimed.Id, CancellationToken.None)) is 0;
        }
        if (keep)
        {
            var kept = body.Length <= B2BKpiApi.Idempotency.IdempotencyGuards.MaxStoredResponseBytes(context);
            var contentType = kept ? context.Response.ContentType : B2BKpiApi.Idempotency.IdempotencyGuards.NotKeptContentType;
            var location = context.Response.Headers.Location.ToString();
            var status = context.Response.StatusCode;
            // The write is stored: the answer must be kept too, or a retry would wait for the lease and then be
            // told only that the key was used. The database may be restarting right now: keep trying for a while
            // (the client waits for its answer meanwhile); if it stays away, the answer still goes out, and the
            // claim's executed mark keeps the key from running again.
            await B2BKpiApi.Idempotency.IdempotencyGuards.PersistAsync(db, logger, d => d.IdempotencyRecords
                .Where(r => r.Id == claimed.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.StatusCode, status)
                    .SetProperty(r => r.ContentType, contentType)
                    .SetProperty(r => r.Location, location.Length == 0 ? null : location)
                    .SetProperty(r => r.Body, kept ? body : null), CancellationToken.None));
        }
        await original.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>Deletes a claim whose request stored nothing; 0 when its write committed (or the row is gone).</summary>
    private static Task<int> Release(KpiDbContext db, Guid claimId, CancellationToken ct) =>
        db.IdempotencyRecords.Where(r => r.Id == claimId && r.StatusCode == null && r.ExecutedAt == null).ExecuteDeleteAsync(ct);

    private static async Task<(IdempotencyRecord? Claimed, IdempotencyRecord? Existing)> Claim(
        KpiDbContext db, Guid scope, string key, byte[] hash, TimeProvider clock, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = KpiDbContext.Now(clock);
            var existing = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.Scope == scope && r.Key == key, ct);
            if (existing is null)
            {
                var record = new IdempotencyRecord
                {
                    Id = Guid.CreateVersion7(), Scope = scope, Key = key, RequestHash = hash, CreatedAt = now, ExpiresAt = now + Retention,
                };
                db.IdempotencyRecords.Add(record);
                try
                {
                    await db.SaveChangesAsync(ct);
                    return (record, null);
                }
                catch (DbUpdateException e) when (Database.IsUniqueViolation(e))
                {
                    db.ChangeTracker.Clear();
                    continue; // another request claimed the key first: answer from its row
                }
            }

            var expired = existing.ExpiresAt <= now;
            var abandoned = existing.StatusCode is null && existing.CreatedAt <= now - Abandoned;
            // A request that stored its write but not its answer is never run again, however old its claim.
            if (!expired && (!abandoned || existing.ExecutedAt is not null))
                return (null, existing);

            // Take the stale row over; the CreatedAt check makes two takers race for it safely.
            var taken = await db.IdempotencyRecords
                .Where(r => r.Id == existing.Id && r.CreatedAt == existing.CreatedAt && r.StatusCode == existing.StatusCode
                            && r.ExecutedAt == existing.ExecutedAt)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.RequestHash, hash)
                    .SetProperty(r => r.StatusCode, (int?)null)
                    .SetProperty(r => r.ContentType, (string?)null)
                    .SetProperty(r => r.Location, (string?)null)
                    .SetProperty(r => r.Body, (byte[]?)null)
                    .SetProperty(r => r.ExecutedAt, (DateTime?)null)
                    .SetProperty(r => r.CreatedAt, now)
                    .SetProperty(r => r.ExpiresAt, now + Retention), ct);
            if (taken == 1)
                return (new IdempotencyRecord { Id = existing.Id, Scope = scope, Key = key, RequestHash = hash, CreatedAt = now }, null);
        }
        throw new InvalidOperationException("Could not claim an idempotency key after three attempts.");
    }

    private static async Task Answer(HttpContext context, IProblemDetailsService problems, IdempotencyRecord existing, byte[] hash, TimeProvider clock)
    {
        if (!CryptographicOperations.FixedTimeEquals(existing.RequestHash, hash))
        {
            await Refuse(context, problems, StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
                $"This {Header} was already used with a different request (method, path or body) in the last 24 hours. " +
                "Use a new key for a new request.");
            return;
        }
        if (existing.StatusCode is not { } status)
        {
            if (existing.ExecutedAt is not null && existing.CreatedAt <= KpiDbContext.Now(clock) - Abandoned)
            {
                // Its write committed, then the request died before its answer was kept (the database or the instance
                // went away): the effect is stored and is not repeated, but there is no answer to replay.
                await Refuse(context, problems, StatusCodes.Status409Conflict, "Conflict",
                    B2BKpiApi.Idempotency.IdempotencyGuards.AnswerLostDetail);
                return;
            }
            await Refuse(context, problems, StatusCodes.Status409Conflict, "Request in progress",
                $"A request with this {Header} is still being processed; retry in a moment to get its result.");
            return;
        }
        if (existing.ContentType == B2BKpiApi.Idempotency.IdempotencyGuards.NotKeptContentType)
        {
            await Refuse(context, problems, StatusCodes.Status409Conflict, "Conflict", B2BKpiApi.Idempotency.IdempotencyGuards.NotKeptDetail(status));
            return;
        }
        context.Response.StatusCode = status;
        context.Response.Headers[ReplayedHeader] = "true";
        if (existing.ContentType is { } contentType)
            context.Response.ContentType = contentType;
        if (existing.Location is { } location)
            context.Response.Headers.Location = location;
        if (existing.Body is { Length: > 0 } body)
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static async Task Refuse(HttpContext context, IProblemDetailsService problems, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (status == StatusCodes.Status400BadRequest)
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [Header] = [detail] };
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static async Task<byte[]> HashRequest(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{request.QueryString}\n"));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            hash.AppendData(chunk, 0, read);
        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }
}

/// <summary>Deletes idempotency records past their 24 hours, once an hour, from when the API has started serving.</summary>
public sealed partial class IdempotencyCleanup(
    IServiceScopeFactory scopes, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<IdempotencyCleanup> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // As the other workers: an instance that never serves (its port is taken) must not start a delete that its
        // failed start then cancels half-way (that cancellation was logged with a stack trace).
        if (!await lifetime.WaitUntilStartedAsync(stoppingToken))
            return;
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        try
        {
            do
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
                    var now = clock.GetUtcNow().UtcDateTime;
                    var deleted = await db.IdempotencyRecords.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(stoppingToken);
                    if (deleted > 0)
                        LogDeleted(logger, deleted);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, e.GetType().FullName ?? "?", e.Message);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired idempotency records")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired idempotency records failed ({ExceptionType}: {ExceptionMessage}); retrying in an hour")]
    private static partial void LogFailed(ILogger logger, string exceptionType, string exceptionMessage);
}

using System.Security.Cryptography;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Webhooks;

/// <summary>
/// Sends what the outbox holds. Each round takes the due pending deliveries of every tenant, oldest first, claims
/// each with a conditional UPDATE of its lease (so two instances never send one delivery at once), sends it and
/// records every HTTP attempt, then marks it succeeded or reschedules it in the database. Everything it needs is
/// in the database, so a restart or a crash loses nothing: a crashed worker's lease lapses and the delivery is
/// sent again with the same <c>webhook-id</c>.
/// </summary>
public sealed partial class WebhookDeliveryWorker(
    IServiceScopeFactory scopes, WebhookSender sender, WebhookSecrets secrets, WebhookSignal signal,
    IOptions<WebhookOptions> options, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<WebhookDeliveryWorker> logger)
    : BackgroundService
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    private WebhookOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not before the API is up: a start that fails (a port in use) must end without the worker touching the database.
        if (!await lifetime.WaitUntilStartedAsync(stoppingToken))
            return;
        var nextCleanup = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var full = false;
            try
            {
                full = await RunOnceAsync(stoppingToken) >= Options.BatchSize;
                var now = KpiDbContext.Now(clock);
                if (now >= nextCleanup)
                {
                    await RemoveExpiredAsync(now, stoppingToken);
                    nextCleanup = now + Options.CleanupInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be down: keep the worker alive and try again at the next poll.
                LogRoundFailed(logger, e.GetType().Name, e.Message);
            }
            if (!full)
                await signal.WaitAsync(Options.PollInterval, stoppingToken);
        }
    }

    /// <summary>One round: every due delivery, each endpoint's in creation order. Returns how many were due.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        List<(Guid Id, Guid EndpointId)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
            var now = KpiDbContext.Now(clock);
            // The one reader of endpoints across tenants: the worker serves every tenant and has no request tenant,
            // so the tenant filter must be lifted here; each delivery then only ever goes to its own endpoint.
            var rows = await db.WebhookDeliveries
                .Where(d => d.Status == Pending && d.NextAttemptAt <= now && (d.LockedUntil == null || d.LockedUntil < now))
                .Join(db.WebhookEndpoints.IgnoreQueryFilters().Where(e => e.Enabled), d => d.EndpointId, e => e.Id, (d, e) => d)
                .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
                .Take(Options.BatchSize)
                .Select(d => new { d.Id, d.EndpointId })
                .ToListAsync(ct);
            due = rows.Select(r => (r.Id, r.EndpointId)).ToList();
        }
        if (due.Count == 0)
            return 0;
        var byEndpoint = due.GroupBy(d => d.EndpointId).Select(g => g.Select(d => d.Id).ToList()).ToList();
        await Parallel.ForEachAsync(byEndpoint, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxParallelEndpoints, CancellationToken = ct },
            async (deliveries, token) =>
            {
                // One after another, so a healthy endpoint receives its messages in the order they were created.
                foreach (var id in deliveries)
                    await DeliverAsync(id, token);
            });
        return due.Count;
    }

    private async Task DeliverAsync(Guid deliveryId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var now = KpiDbContext.Now(clock);
        var claimedUntil = now + Options.ClaimLease;
        var claimed = await db.WebhookDeliveries
            .Where(d => d.Id == deliveryId && d.Status == Pending && d.NextAttemptAt <= now && (d.LockedUntil == null || d.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, claimedUntil), ct);
        if (claimed != 1)
            return; // another worker took it, or it is no longer due

        var delivery = await db.WebhookDeliveries.SingleAsync(d => d.Id == deliveryId, ct);
        var endpoint = await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EndpointId, ct);
        var message = await db.WebhookMessages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == delivery.MessageId, ct);
        if (endpoint is null || message is null || !endpoint.Enabled)
        {
            await ReleaseAsync(db, deliveryId);
            return;
        }

        List<string> signingSecrets;
        try
        {
            signingSecrets = [secrets.Unprotect(endpoint.SecretProtected)];
            if (endpoint.PreviousSecretProtected is { } previous && endpoint.PreviousSecretExpiresAt > now)
                signingSecrets.Add(secrets.Unprotect(previous));
        }
        catch (CryptographicException)
        {
            // The key ring that encrypted the secret is gone: nothing can be signed until the tenant rotates it.
            await RecordAsync(db, delivery, endpoint, new SendOutcome(false, null,
                "The signing secret cannot be decrypted (the key ring was lost): rotate the endpoint's secret.",
                [new AttemptRecord(now, 0, null, "Not sent: the signing secret cannot be decrypted; rotate it.")]), ct);
            return;
        }

        SendOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(endpoint.Id, new Uri(endpoint.Url), WebhookOutbox.WebhookId(message.Id), message.Payload, signingSecrets, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down mid-send: give the delivery back so the next start sends it at once, same webhook-id.
            await ReleaseAsync(db, deliveryId);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything unforeseen still counts as a failed attempt, so the delivery follows its schedule instead of
            // being retried at every lapse of its lease. The type only: a message could quote the request.
            LogSendFailed(logger, delivery.Id, e.GetType().Name);
            outcome = new SendOutcome(false, null, "The request could not be sent.",
                [new AttemptRecord(now, 0, null, $"The request could not be sent ({e.GetType().Name}).")]);
        }
        await RecordAsync(db, delivery, endpoint, outcome, CancellationToken.None);
    }

    private static async Task ReleaseAsync(KpiDbContext db, Guid deliveryId) =>
        await db.WebhookDeliveries.Where(d => d.Id == deliveryId).ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, (DateTime?)null));

    private async Task RecordAsync(KpiDbContext db, WebhookDelivery delivery, WebhookEndpoint endpoint, SendOutcome outcome, CancellationToken ct)
    {
        var now = KpiDbContext.Now(clock);
        foreach (var attempt in outcome.Attempts)
        {
            db.WebhookAttempts.Add(new WebhookAttempt
            {
                Id = Guid.CreateVersion7(),
                TenantId = delivery.TenantId,
                DeliveryId = delivery.Id,
                StartedAt = attempt.StartedAt,
                DurationMs = attempt.DurationMs,
                ResponseStatus = attempt.ResponseStatus,
                Error = Truncate(attempt.Error),
            });
        }
        delivery.Attempts++;
        delivery.LockedUntil = null;
        delivery.LastResponseStatus = outcome.ResponseStatus;
        delivery.LastError = Truncate(outcome.Error);
        if (outcome.Succeeded)
        {
            delivery.Status = Succeeded;
            delivery.CompletedAt = now;
        }
        else if (delivery.Attempts > Options.Schedule.Count)
        {
            delivery.Status = Failed;
            delivery.CompletedAt = now;
        }
        else
        {
            delivery.NextAttemptAt = now + Options.Schedule[delivery.Attempts - 1];
        }
        await db.SaveChangesAsync(ct);

        // Health is written with ExecuteUpdate: the worker has no tenant, and the endpoint's version (its ETag)
        // moves only when its owner edits it.
        if (outcome.Succeeded)
        {
            await db.WebhookEndpoints.IgnoreQueryFilters().Where(e => e.Id == endpoint.Id && e.FailingSince != null)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSince, (DateTime?)null), ct);
            return;
        }
        await db.WebhookEndpoints.IgnoreQueryFilters().Where(e => e.Id == endpoint.Id && e.FailingSince == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSince, now), ct);
        var failingBefore = now - Options.DisableAfter;
        var reason = Truncate($"Disabled by the service: every delivery has failed for {Describe(Options.DisableAfter)} " +
                              $"(last: {outcome.Error ?? "no response"}). Fix the receiver, then enable the endpoint again.");
        var disabled = await db.WebhookEndpoints.IgnoreQueryFilters()
            .Where(e => e.Id == endpoint.Id && e.Enabled && e.FailingSince != null && e.FailingSince <= failingBefore)
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Enabled, false)
                .SetProperty(e => e.DisabledReason, reason)
                .SetProperty(e => e.DisabledAt, now), ct);
        if (disabled == 1)
            LogDisabled(logger, endpoint.Id, endpoint.TenantId);
    }

    private static string Describe(TimeSpan span) => span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays)
        ? $"{span.TotalDays:0} days"
        : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hours" : $"{span.TotalSeconds:0.#} seconds";

    private static string? Truncate(string? text) => text is { Length: > 500 } ? text[..500] : text;

    /// <summary>Deletes messages past the retention period; their deliveries and attempts go with them (cascade).</summary>
    private async Task RemoveExpiredAsync(DateTime now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KpiDbContext>();
        var before = now - Options.Retention;
        // The retention is far longer than the whole retry schedule, so only deliveries to a disabled endpoint can
        // still be pending here; they are given up with their message rather than kept forever.
        await db.WebhookMessages.Where(m => m.CreatedAt < before).ExecuteDeleteAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery round failed ({ExceptionType}): {ExceptionMessage}")]
    private static partial void LogRoundFailed(ILogger logger, string exceptionType, string exceptionMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} could not be sent ({ExceptionType}); rescheduled")]
    private static partial void LogSendFailed(ILogger logger, Guid deliveryId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} of tenant {TenantId} was disabled: its deliveries kept failing")]
    private static partial void LogDisabled(ILogger logger, Guid endpointId, Guid tenantId);
}

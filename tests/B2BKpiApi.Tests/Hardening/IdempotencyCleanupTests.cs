using B2BKpiApi.Data;
using B2BKpiApi.Idempotency;
using B2BKpiApi.Tests.Alerts;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace B2BKpiApi.Tests.Hardening;

/// <summary>
/// The hourly delete of expired idempotency records: it runs once the API serves, and a start that fails (a port in use)
/// never begins it, so stopping never cancels a delete half-way (CI once saw that cancellation logged with a stack trace).
/// </summary>
public sealed class IdempotencyCleanupTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        public readonly CancellationTokenSource Started = new();
        public void Dispose() => Started.Dispose();
        public CancellationToken ApplicationStarted => Started.Token;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }

    /// <summary>Counts the scopes the worker asks for: a scope is its only way to the database.</summary>
    private sealed class CountingScopes(IServiceScopeFactory inner) : IServiceScopeFactory
    {
        public int Created;
        public IServiceScope CreateScope()
        {
            Interlocked.Increment(ref Created);
            return inner.CreateScope();
        }
    }

    [Fact]
    public async Task A_host_that_never_starts_serving_never_touches_the_database_and_stops_quietly()
    {
        var scopes = new CountingScopes(factory.Services.GetRequiredService<IServiceScopeFactory>());
        using var lifetime = new Lifetime();
        using var cleanup = new IdempotencyCleanup(scopes, TimeProvider.System, lifetime, NullLogger<IdempotencyCleanup>.Instance);
        await cleanup.StartAsync(CancellationToken.None);
        await Task.Delay(200);
        await cleanup.StopAsync(CancellationToken.None);

        Assert.Equal(0, scopes.Created);
        Assert.True(cleanup.ExecuteTask!.IsCompletedSuccessfully, $"ended {cleanup.ExecuteTask.Status}: {cleanup.ExecuteTask.Exception}");
    }

    [Fact]
    public async Task Once_started_it_deletes_expired_records_keeps_live_ones_and_stops_quietly()
    {
        var now = DateTime.UtcNow;
        var expired = Record("expired", now.AddHours(-25), now.AddMinutes(-5));
        var live = Record("live", now.AddHours(-1), now.AddHours(23));
        factory.WithDb(db =>
        {
            db.IdempotencyRecords.AddRange(expired, live);
            return db.SaveChanges();
        });

        var scopes = new CountingScopes(factory.Services.GetRequiredService<IServiceScopeFactory>());
        using var lifetime = new Lifetime();
        using var cleanup = new IdempotencyCleanup(scopes, TimeProvider.System, lifetime, NullLogger<IdempotencyCleanup>.Instance);
        await cleanup.StartAsync(CancellationToken.None);
        Assert.True(factory.WithDb(db => db.IdempotencyRecords.Any(r => r.Id == expired.Id)), "deleted before the API served");
        await lifetime.Started.CancelAsync();

        await Eventually.Until(() => factory.WithDb(db => db.IdempotencyRecords.Any(r => r.Id == expired.Id)) ? null : "deleted",
            "the expired record deleted once the API serves");
        await cleanup.StopAsync(CancellationToken.None);

        Assert.False(factory.WithDb(db => db.IdempotencyRecords.Any(r => r.Id == expired.Id)), "the expired record is still there");
        Assert.True(factory.WithDb(db => db.IdempotencyRecords.Any(r => r.Id == live.Id)), "the live record was deleted");
        Assert.Equal(1, scopes.Created);
        Assert.True(cleanup.ExecuteTask!.IsCompletedSuccessfully, $"ended {cleanup.ExecuteTask.Status}: {cleanup.ExecuteTask.Exception}");
    }

    private static IdempotencyRecord Record(string key, DateTime createdAt, DateTime expiresAt) => new()
    {
        Id = Guid.NewGuid(),
        Scope = Guid.NewGuid(),
        Key = $"{key}-{Guid.NewGuid():N}",
        RequestHash = new byte[32],
        StatusCode = 201,
        CreatedAt = createdAt,
        ExpiresAt = expiresAt,
        ExecutedAt = createdAt,
    };
}

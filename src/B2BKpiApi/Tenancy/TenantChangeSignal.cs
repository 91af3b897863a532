using System.Data.Common;
using B2BKpiApi.Caching;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;
using StackExchange.Redis;

namespace B2BKpiApi.Tenancy;

/// <summary>
/// Tells every instance that a tenant's key or data changed, so that <see cref="TenantKeyCache"/> drops what it
/// holds of the tenant. The instance that made the change drops it at once, before its response is sent; with
/// Redis configured it then publishes the change (and awaits the publish, so the message is on its way to every
/// other instance before the writer's client has its answer); without Redis the signal is in-process only and
/// other instances sharing the database rely on the cache's safety TTL.
/// </summary>
public sealed class TenantChangeSignal(SharedRedis redis, TenantKeyCache cache) : BackgroundService
{
    private RedisChannel Channel => RedisChannel.Literal(redis.Prefix + "tenant-changes");

    /// <summary>Announces a committed change of <paramref name="tenant"/>'s data or key.</summary>
    public async Task PublishAsync(Guid tenant)
    {
        cache.Changed(tenant);
        if (redis.Configured)
            await redis.TryAsync("change-signal", db => db.PublishAsync(Channel, tenant.ToString("N")));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!redis.Configured)
            return;
        // Until subscribed, and whenever the subscription's connection is down, changes may be missed: cache nothing.
        cache.SignalReliable = false;
        redis.Changed += (up, type) =>
        {
            if (type == ConnectionType.Subscription)
                cache.SignalReliable = up;
        };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (redis.Connection is { } connection)
                {
                    await connection.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
                    {
                        if (Guid.TryParseExact(message.ToString(), "N", out var tenant))
                            cache.Changed(tenant);
                    });
                    cache.SignalReliable = true;
                    return; // the connection keeps the subscription across reconnects
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Redis went away between the check and the call: SharedRedis logs outages; try again shortly.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}

/// <summary>Publishes the tenant change of a transaction that raised a tenant's data version, once it has committed.</summary>
public sealed class TenantChangeInterceptor(TenantChangeSignal signal) : DbTransactionInterceptor
{
    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is KpiDbContext db && db.TakeChangedTenant() is { } tenant)
            signal.PublishAsync(tenant).GetAwaiter().GetResult();
    }

    public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is KpiDbContext db && db.TakeChangedTenant() is { } tenant)
            await signal.PublishAsync(tenant);
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        (eventData.Context as KpiDbContext)?.TakeChangedTenant();

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        (eventData.Context as KpiDbContext)?.TakeChangedTenant();
        return Task.CompletedTask;
    }
}

public static class TenantDirectory
{
    /// <summary>The in-memory API-key lookup and the change signal that keeps it fresh.</summary>
    public static IServiceCollection AddTenantKeyCache(this IServiceCollection services)
    {
        services.AddSingleton<TenantKeyCache>();
        services.AddSingleton<TenantChangeSignal>();
        services.AddHostedService(sp => sp.GetRequiredService<TenantChangeSignal>());
        services.AddSingleton<TenantChangeInterceptor>();
        return services;
    }
}

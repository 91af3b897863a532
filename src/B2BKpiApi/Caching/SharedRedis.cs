using System.Diagnostics;
using StackExchange.Redis;

namespace B2BKpiApi.Caching;

/// <summary>
/// The one Redis connection of an instance, for everything instances share: the rate limits, the failed-auth
/// and heavy-read limiters, the KPI cache's second level and the tenant change signal. Configured by
/// <c>ConnectionStrings:Redis</c> (or, as before, <c>Cache:Redis</c>); without it every piece works per instance.
/// </summary>
/// <remarks>
/// Redis is never allowed to fail a request or to stall it. Every command has a short timeout
/// (<c>Redis:TimeoutMilliseconds</c>, 100 by default); a command that fails or times out opens a circuit for a
/// backoff (250 ms doubling to 5 s) during which callers do not even try, and use their per-instance fallback at
/// once. The first call after the backoff tries Redis again, and a success closes the circuit. Each fallback is
/// counted (<c>kpi.redis.fallbacks</c>, tag <c>use</c>); the outage is logged once when it starts and once when
/// Redis is back, never once per request.
/// </remarks>
public sealed partial class SharedRedis : IDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly ILogger<SharedRedis> _logger;
    private readonly Task<ConnectionMultiplexer>? _connecting;
    private readonly TimeSpan _timeout;
    private readonly Lock _gate = new();
    private long _openUntil;     // Stopwatch timestamp before which Redis is not tried
    private TimeSpan _backoff = MinBackoff;
    private bool _down;

    public SharedRedis(IConfiguration configuration, ILogger<SharedRedis> logger)
    {
        _logger = logger;
        _timeout = TimeSpan.FromMilliseconds(Math.Clamp(configuration.GetValue("Redis:TimeoutMilliseconds", 100), 10, 5000));
        Prefix = configuration["Cache:RedisInstanceName"] is { Length: > 0 } prefix ? prefix : "b2b-kpi:";
        var connection = ConnectionString(configuration);
        if (connection is null)
            return;
        var options = ConfigurationOptions.Parse(connection);
        options.AbortOnConnectFail = false;                 // start, and keep reconnecting, while Redis is down
        options.BacklogPolicy = BacklogPolicy.FailFast;     // while disconnected a command fails at once rather than queue
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, (int)_timeout.TotalMilliseconds * 2);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, (int)_timeout.TotalMilliseconds * 2);
        options.ReconnectRetryPolicy = new LinearRetry(500);
        options.ClientName ??= "b2b-kpi-api";
        _connecting = ConnectionMultiplexer.ConnectAsync(options);
        _connecting.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                t.Result.ConnectionFailed += (_, e) => Changed?.Invoke(false, e.ConnectionType);
                t.Result.ConnectionRestored += (_, e) => Changed?.Invoke(true, e.ConnectionType);
            }
            else
                LogSetupFailed(_logger, t.Exception?.GetBaseException().GetType().Name ?? "unknown");
        }, TaskScheduler.Default);
    }

    /// <summary><c>ConnectionStrings:Redis</c>, else the older <c>Cache:Redis</c>; null when neither is set.</summary>
    public static string? ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Redis") is { Length: > 0 } redis ? redis
        : configuration["Cache:Redis"] is { Length: > 0 } cache ? cache : null;

    /// <summary>Whether Redis is configured at all (it may still be down).</summary>
    public bool Configured => _connecting is not null;

    /// <summary>The prefix of every key and channel (<c>Cache:RedisInstanceName</c>), so deployments can share a Redis.</summary>
    public string Prefix { get; }

    /// <summary>Raised when a connection to Redis is lost (false) or restored (true), with its kind (interactive or subscription).</summary>
    public event Action<bool, ConnectionType>? Changed;

    /// <summary>The connection, when it exists and is connected, whatever the circuit says (for subscriptions).</summary>
    public ConnectionMultiplexer? Connection =>
        _connecting is { IsCompletedSuccessfully: true } connecting && connecting.Result.IsConnected ? connecting.Result : null;

    /// <summary>Whether a caller should try Redis now: configured, connected and the circuit closed.</summary>
    public bool Available => Connection is not null && Stopwatch.GetTimestamp() >= Volatile.Read(ref _openUntil);

    /// <summary>
    /// Runs <paramref name="command"/> on Redis within the timeout. On any failure (not connected, circuit open,
    /// timeout, error) it answers <c>(false, default)</c>, counts a fallback for <paramref name="use"/> and opens
    /// the circuit; the caller then does what it would do without Redis.
    /// </summary>
    public async Task<(bool Ok, T Value)> TryAsync<T>(string use, Func<IDatabase, Task<T>> command)
    {
        if (!Configured)
            return (false, default!);
        var connection = Connection;
        if (connection is null || Stopwatch.GetTimestamp() < Volatile.Read(ref _openUntil))
        {
            Fallback(use, connection is null ? "not connected" : null);
            return (false, default!);
        }
        try
        {
            var value = await command(connection.GetDatabase()).WaitAsync(_timeout);
            Succeeded();
            return (true, value);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Fallback(use, e is TimeoutException ? "timeout" : e.GetType().Name);
            return (false, default!);
        }
    }

    /// <summary>Sends a command without waiting for its answer (freeing a slot, say); nothing happens if Redis is unavailable.</summary>
    public void FireAndForget(Action<IDatabase> command)
    {
        if (Connection is not { } connection)
            return;
        try
        {
            command(connection.GetDatabase());
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException or InvalidOperationException)
        {
            // What it would have freed expires by itself.
        }
    }

    /// <summary>Counts one use of a per-instance fallback while Redis is configured, and opens the circuit on a new failure.</summary>
    public void Fallback(string use, string? failure = null)
    {
        Observability.KpiMetrics.RecordRedisFallback(use);
        if (failure is null)
            return;
        bool started;
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            if (now < _openUntil)
                return; // another caller already opened it
            started = !_down;
            _down = true;
            _openUntil = now + (long)(_backoff.TotalSeconds * Stopwatch.Frequency);
            _backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, _backoff.Ticks * 2));
        }
        if (started)
            LogUnavailable(_logger, failure);
    }

    private void Succeeded()
    {
        if (!Volatile.Read(ref _down))
            return;
        lock (_gate)
        {
            if (!_down)
                return;
            _down = false;
            _backoff = MinBackoff;
        }
        LogBack(_logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis could not be set up ({Error}); limits, cache and change signal work per instance")]
    private static partial void LogSetupFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable ({Failure}): rate limits and the failed-auth and heavy-read limiters " +
                                                       "work per instance, and KPI reads use each instance's memory, until it is back")]
    private static partial void LogUnavailable(ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is available again: limits are shared by every instance again")]
    private static partial void LogBack(ILogger logger);

    public void Dispose()
    {
        if (_connecting is { IsCompletedSuccessfully: true })
            _connecting.Result.Dispose();
    }
}

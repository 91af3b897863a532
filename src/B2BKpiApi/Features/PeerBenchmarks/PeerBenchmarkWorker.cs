using B2BKpiApi.Data;
using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.PeerBenchmarks;

/// <summary>Wakes the worker at once (an operator asked for a refresh on this instance) instead of at its next poll.</summary>
public sealed class PeerBenchmarkWake : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct) => await _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Runs <see cref="PeerBenchmarkJob"/> once a day (UTC) and whenever an operator asks, on whichever instance takes the
/// database lease. Off in test hosts unless the test is about it (<c>PeerBenchmarks:Enabled</c>).
/// </summary>
public sealed partial class PeerBenchmarkWorker(
    PeerBenchmarkJob job, PeerBenchmarkWake wake, IOptions<PeerBenchmarkOptions> options, IHostApplicationLifetime lifetime,
    ILogger<PeerBenchmarkWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // As the alert worker: nothing before the server has started, so a host that never serves never computes.
        if (!options.Value.Enabled || !await lifetime.WaitUntilStartedAsync(stoppingToken))
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await job.RunIfDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e.GetType().FullName ?? "?");
            }
            try
            {
                await wake.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }


    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer benchmarks: the computation failed ({ExceptionType}); it is tried again at the next poll")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}

public static class PeerBenchmarkServices
{
    /// <summary>The peer-benchmark job, its worker (unless <c>PeerBenchmarks:Enabled</c> is false) and the request-path reader.</summary>
    public static IServiceCollection AddPeerBenchmarks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PeerBenchmarkOptions>(configuration.GetSection(PeerBenchmarkOptions.Section));
        services.AddSingleton<PeerBenchmarkWake>();
        services.AddSingleton<PeerBenchmarkJob>();
        services.AddScoped<PeerBenchmarkReader>();
        if (configuration.GetValue($"{PeerBenchmarkOptions.Section}:Enabled", true))
            services.AddHostedService<PeerBenchmarkWorker>();
        return services;
    }
}

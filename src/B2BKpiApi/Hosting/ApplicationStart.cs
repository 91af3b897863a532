namespace B2BKpiApi.Hosting;

public static class ApplicationStart
{
    /// <summary>
    /// Waits until the app serves, so a background worker never touches the database for a start that fails (a port in
    /// use); false when the host stops first.
    /// </summary>
    public static async Task<bool> WaitUntilStartedAsync(this IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

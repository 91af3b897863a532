using Microsoft.Extensions.Options;

namespace B2BKpiApi.Features.Kpis;

/// <summary>
/// The compute limits of a tenant's reads, in one place: every computation runs within <c>Kpis:ComputeBudgetSeconds</c>
/// (past it, its database work is cancelled and the request answers 503 with Retry-After), and heavy ones (scorecard,
/// series, the churn-risk ranking) also hold one of the tenant's heavy-read slots (<see cref="KpiReadLimiter"/>: 429 with
/// Retry-After when the slots and the queue are full). Waiting for a slot counts against the budget.
/// </summary>
public sealed class ComputeGate(TenantContext tenant, KpiReadLimiter limiter, IOptions<KpiOptions> options)
{
    /// <summary>Runs <paramref name="compute"/> with a token that is cancelled when the budget (or the request) ends.</summary>
    /// <param name="heavy">Whether the read also holds one of the tenant's heavy-read slots.</param>
    /// <param name="compute">The work, given the budget's token.</param>
    /// <param name="requestAborted">The request's token.</param>
    /// <param name="advice">What the caller can do when the budget runs out (the problem's detail); null: the KPI reads' advice.</param>
    /// <exception cref="KpiBudgetExceededException">The budget ran out first.</exception>
    /// <exception cref="KpiReadsBusyException"><paramref name="heavy"/> and the tenant's slots and queue are full.</exception>
    public async Task<T> RunAsync<T>(bool heavy, Func<CancellationToken, Task<T>> compute, CancellationToken requestAborted, string? advice = null)
    {
        var budget = TimeSpan.FromSeconds(options.Value.ComputeBudgetSeconds);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(budget);
        try
        {
            using var slot = heavy ? await limiter.AcquireAsync(tenant.TenantId, timeout.Token) : null;
            return await compute(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !requestAborted.IsCancellationRequested)
        {
            throw new KpiBudgetExceededException(budget, advice);
        }
    }
}

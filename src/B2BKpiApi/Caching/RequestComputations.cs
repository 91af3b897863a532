using Microsoft.Extensions.Caching.Hybrid;

namespace B2BKpiApi.Caching;

/// <summary>Keeping what a request computed on its own services (its DbContext, its compute budget).</summary>
public static class RequestComputations
{
    /// <summary>
    /// The bytes kept under <paramref name="key"/>, or computed by <paramref name="compute"/> with this request's token
    /// and kept. The request waits for its computation (the cache is given no token), so the computation never runs on
    /// a scope the request has left while another request that joined it waits; and a request that joined another's
    /// computation which was cancelled (that caller left, or ran out of budget) computes its own.
    /// </summary>
    public static async Task<byte[]> GetOrComputeAsync(this HybridCache cache, string key, Func<CancellationToken, Task<byte[]>> compute,
        CancellationToken ct)
    {
        try
        {
            return await cache.GetOrCreateAsync(key, (Compute: compute, Ct: ct), static async (s, _) => await s.Compute(s.Ct),
                cancellationToken: CancellationToken.None);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return await compute(ct);
        }
    }
}

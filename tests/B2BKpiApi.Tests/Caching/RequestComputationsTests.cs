using System.Text;
using B2BKpiApi.Caching;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Caching;

/// <summary>
/// <see cref="RequestComputations.GetOrComputeAsync"/>: two requests asking for the same key share one computation;
/// when the request that started it leaves, the one that joined it computes its own answer instead of failing.
/// </summary>
public sealed class RequestComputationsTests
{
    private static HybridCache NewCache() =>
        new ServiceCollection().AddHybridCache().Services.BuildServiceProvider().GetRequiredService<HybridCache>();

    [Fact]
    public async Task A_request_that_joined_a_cancelled_computation_computes_its_own()
    {
        var cache = NewCache();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstCalls = 0;
        var secondCalls = 0;
        using var firstLeaves = new CancellationTokenSource();

        var first = cache.GetOrComputeAsync("k", async ct =>
        {
            Interlocked.Increment(ref firstCalls);
            firstStarted.SetResult();
            await Task.Delay(Timeout.Infinite, ct); // runs until its request leaves
            return "first"u8.ToArray();
        }, firstLeaves.Token);
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var second = cache.GetOrComputeAsync("k", _ =>
        {
            Interlocked.Increment(ref secondCalls);
            return Task.FromResult("second"u8.ToArray());
        }, CancellationToken.None);
        // The second request joined the first's computation: it waits, and its own factory has not run.
        await Task.Delay(200);
        Assert.False(second.IsCompleted);
        Assert.Equal(0, Volatile.Read(ref secondCalls));

        await firstLeaves.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal("second", Encoding.UTF8.GetString(await second.WaitAsync(TimeSpan.FromSeconds(10))));
        Assert.Equal(1, firstCalls);
        Assert.Equal(1, secondCalls);
    }

    [Fact]
    public async Task A_kept_answer_is_not_computed_again_and_a_cancelled_one_is_not_kept()
    {
        var cache = NewCache();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            cache.GetOrComputeAsync("k", ct => Task.FromCanceled<byte[]>(ct), cancelled.Token));

        var calls = 0;
        Task<byte[]> Compute(CancellationToken _)
        {
            calls++;
            return Task.FromResult(new[] { (byte)calls });
        }
        Assert.Equal([1], await cache.GetOrComputeAsync("k", Compute, CancellationToken.None));
        Assert.Equal([1], await cache.GetOrComputeAsync("k", Compute, CancellationToken.None));
        Assert.Equal(1, calls);
    }
}

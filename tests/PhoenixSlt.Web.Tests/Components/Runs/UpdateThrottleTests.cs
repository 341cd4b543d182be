using System.Collections.Concurrent;
using PhoenixSlt.Web.Components.Shared;

namespace PhoenixSlt.Web.Tests.Components.Runs;

public sealed class UpdateThrottleTests
{
    [Fact]
    public async Task Post_BurstOfAThousandItems_FlushedInOrderInAFewBatches()
    {
        var batches = new ConcurrentQueue<IReadOnlyList<int>>();
        using var throttle = new UpdateThrottle<int>(TimeSpan.FromMilliseconds(100), batch =>
        {
            batches.Enqueue(batch);
            return Task.CompletedTask;
        });

        for (int i = 0; i < 1000; i++)
            throttle.Post(i);
        await WaitUntilAsync(() => batches.Sum(b => b.Count) == 1000);

        Assert.Equal(Enumerable.Range(0, 1000), batches.SelectMany(b => b));
        // posting 1000 integers takes far less than the 100 ms interval: one batch (two if a scheduler hiccup splits it)
        Assert.InRange(batches.Count, 1, 2);
    }

    [Fact]
    public async Task Post_ItemsSpreadOverSeveralIntervals_OneBatchPerInterval()
    {
        var batches = new ConcurrentQueue<IReadOnlyList<int>>();
        using var throttle = new UpdateThrottle<int>(TimeSpan.FromMilliseconds(50), batch =>
        {
            batches.Enqueue(batch);
            return Task.CompletedTask;
        });

        throttle.Post(1);
        await WaitUntilAsync(() => batches.Count == 1);
        throttle.Post(2);
        throttle.Post(3);
        await WaitUntilAsync(() => batches.Count == 2);

        Assert.Equal([[1], [2, 3]], batches.Select(b => b.ToArray()));
    }

    [Fact]
    public async Task Dispose_WithItemsPending_NeverFlushesThem()
    {
        int flushed = 0;
        var throttle = new UpdateThrottle<int>(TimeSpan.FromMilliseconds(50), batch =>
        {
            Interlocked.Add(ref flushed, batch.Count);
            return Task.CompletedTask;
        });

        throttle.Post(1);
        throttle.Dispose();
        throttle.Post(2);
        await Task.Delay(200);

        Assert.Equal(0, flushed);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}

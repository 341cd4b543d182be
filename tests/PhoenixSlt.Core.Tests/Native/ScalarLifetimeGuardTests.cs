using PhoenixSlt.Core.Native;
using PhoenixSlt.Core.Tests.Modules.Squeezeformer;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Native;

[Collection(SerialTorchCollection.Name)]
public sealed class ScalarLifetimeGuardTests
{
    [Fact]
    public void Status_BuiltTestOutput_GuardIsActive()
    {
        ScalarGuardStatus status = ScalarLifetimeGuard.Status;

        Assert.True(status.Active, status.Detail);
        Assert.EndsWith(ScalarLifetimeGuard.GuardFileName, status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ImplicitScalars_CollectionsRunningAllTheTime_EveryOpSeesItsValue()
    {
        // Without the guard this is the race of a finalizer freeing `1.0`'s native value while sub() reads it:
        // a second thread collects continuously, so the temporaries below are finalized within microseconds.
        // With PHOENIX_SCALAR_GUARD=off this loop failed in about one run out of three at 300,000 iterations
        // here; it is kept short, so it is a smoke test — the quarantine itself is checked deterministically below.
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        using var x = arange(8, ScalarType.Float32);
        double expectedSum = Enumerable.Range(0, 8).Sum(i => (double)(i - 1) * 2.0); // sum((x - 1) * 2)
        try
        {
            for (int i = 0; i < 60_000; i++)
            {
                using var scope = NewDisposeScope();
                double sum = ((x - 1.0) * 2.0).sum().item<float>();
                Assert.Equal(expectedSum, sum);
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }

    [Fact]
    public void Dispose_QuarantineOver_ReleasesTheQueuedScalars()
    {
        try
        {
            Assert.True(ScalarLifetimeGuard.SetQuarantine(TimeSpan.FromHours(1)));
            var (_, releasedBefore) = ScalarLifetimeGuard.Statistics();
            for (int i = 0; i < 100; i++)
                1.5.ToScalar().Dispose();
            var (pendingHeld, releasedHeld) = ScalarLifetimeGuard.Statistics();
            Assert.True(pendingHeld >= 100, $"pending {pendingHeld}");
            Assert.Equal(releasedBefore, releasedHeld);

            Assert.True(ScalarLifetimeGuard.SetQuarantine(TimeSpan.Zero));
            ScalarLifetimeGuard.Sweep();
            var (pendingAfter, releasedAfter) = ScalarLifetimeGuard.Statistics();
            Assert.Equal(0, pendingAfter);
            Assert.True(releasedAfter - releasedHeld >= 100, $"released {releasedAfter - releasedHeld}");
        }
        finally
        {
            ScalarLifetimeGuard.SetQuarantine(TimeSpan.FromSeconds(10));
        }
    }
}

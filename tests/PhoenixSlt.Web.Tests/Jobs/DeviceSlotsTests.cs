using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Jobs;

public sealed class DeviceSlotsTests
{
    [Fact]
    public void TryAcquire_DeviceFull_NullUntilALeaseIsGivenBack()
    {
        var slots = new DeviceSlots(slotsPerDevice: 2);

        using var first = slots.TryAcquire(["cpu"]);
        var second = slots.TryAcquire(["cpu"]);
        var third = slots.TryAcquire(["cpu"]);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.Equal(2, slots.InUse("cpu"));
        second!.Dispose();
        Assert.Equal(1, slots.InUse("cpu"));
        Assert.NotNull(slots.TryAcquire(["cpu"]));
    }

    [Fact]
    public void TryAcquire_OneOfSeveralDevicesFull_TakesNothing()
    {
        var slots = new DeviceSlots(slotsPerDevice: 1);
        using var onCuda1 = slots.TryAcquire(["cuda:1"]);

        var both = slots.TryAcquire(["cuda:0", "cuda:1"]);

        Assert.Null(both);
        Assert.Equal(0, slots.InUse("cuda:0"));                   // all or nothing
        Assert.NotNull(slots.TryAcquire(["cuda:0"]));
    }

    [Fact]
    public void TryAcquire_OtherDevice_NotLimitedByAFullOne()
    {
        var slots = new DeviceSlots(slotsPerDevice: 1);
        using var cpu = slots.TryAcquire(["cpu"]);

        using var cuda = slots.TryAcquire(["cuda:0"]);

        Assert.NotNull(cuda);
        Assert.Equal((1, 1), (slots.InUse("cpu"), slots.InUse("cuda:0")));
    }

    [Fact]
    public void Dispose_Twice_GivesTheSlotsBackOnceAndNotifiesOnce()
    {
        var slots = new DeviceSlots(slotsPerDevice: 2);
        int released = 0;
        using var subscription = slots.OnReleased(() => released++);
        using var other = slots.TryAcquire(["cpu"]);
        var lease = slots.TryAcquire(["cpu"])!;

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(1, slots.InUse("cpu"));
        Assert.Equal(1, released);
    }

    [Fact]
    public void TryAcquire_ConcurrentCallers_NeverMoreHoldersThanSlots()
    {
        var slots = new DeviceSlots(slotsPerDevice: 3);
        int holders = 0, maxHolders = 0;

        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            using var lease = slots.TryAcquire(["cpu"]);
            if (lease is null)
                return;
            int now = Interlocked.Increment(ref holders);
            int seen;
            while ((seen = Volatile.Read(ref maxHolders)) < now && Interlocked.CompareExchange(ref maxHolders, now, seen) != seen)
            {
            }
            Interlocked.Decrement(ref holders);
        });

        Assert.InRange(maxHolders, 1, 3);
        Assert.Equal(0, slots.InUse("cpu"));
    }

    [Fact]
    public void Constructor_ZeroSlots_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceSlots(0));
    }
}

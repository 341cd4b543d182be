using System.Diagnostics;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Distributed;

[Collection("Distributed")]
public sealed class ProcessGroupFactoryTests
{
    private static readonly Device Cuda = new("cuda:0");

    [Theory]
    [InlineData(DistributedBackend.Auto, "cpu", DistributedBackend.Tcp)]
    [InlineData(DistributedBackend.Auto, "cuda:0", DistributedBackend.Nccl)]
    [InlineData(DistributedBackend.Auto, "cuda:1", DistributedBackend.Nccl)]
    [InlineData(DistributedBackend.Tcp, "cuda:0", DistributedBackend.Tcp)]
    [InlineData(DistributedBackend.Nccl, "cuda:0", DistributedBackend.Nccl)]
    public void ResolveBackend_RequestAndDevice_PicksTheBackend(DistributedBackend requested, string device, DistributedBackend expected)
    {
        Assert.Equal(expected, ProcessGroupFactory.ResolveBackend(requested, new Device(device)));
    }

    [Fact]
    public async Task InitializeAsync_WorldSizeOne_ReturnsSingleProcessGroupWithoutNetwork()
    {
        var options = DistributedOptions.Default with { MasterPort = 1 }; // nothing listens there: it must not be used

        using var group = await ProcessGroupFactory.InitializeAsync(options, CPU);

        Assert.IsType<SingleProcessGroup>(group);
        Assert.Equal(DistributedBackend.Tcp, group.Backend);
    }

    [Fact]
    public async Task InitializeAsync_NcclWithoutLibrary_FailsAtOnceWithInstallHint()
    {
        if (NcclProcessGroup.IsLibraryAvailable())
            return; // GPU image: NCCL is installed, the missing-library path cannot be exercised here
        var options = new DistributedOptions("127.0.0.1", RingHarness.FreePort(), 1, 2, DistributedBackend.Auto, TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DistributedException>(() => ProcessGroupFactory.InitializeAsync(options, Cuda));

        Assert.Equal(NcclProcessGroup.MissingLibraryMessage, error.Message);
        Assert.Equal("NCCL backend needs libnccl.so.2 (apt install libnccl2 / use the GPU image); use --backend tcp on CPU", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: it waited for the rendezvous instead of failing");
    }

    [Fact]
    public async Task NcclCreateAsync_WithoutLibrary_FailsWithInstallHint()
    {
        if (NcclProcessGroup.IsLibraryAvailable())
            return; // GPU image: NCCL is installed
        await using var store = await TcpStore.HostAsync("127.0.0.1", 0, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<DistributedException>(() => NcclProcessGroup.CreateAsync(store, Cuda, 0, 2, TimeSpan.FromSeconds(5)));

        Assert.Contains("libnccl.so.2", error.Message);
        Assert.Contains("--backend tcp", error.Message);
    }

    [Fact]
    public void NcclCall_LibraryMissingAtCallTime_BecomesTheInstallHint()
    {
        // DllNotFoundException from a P/Invoke becomes the same message as the up-front check
        var error = NcclProcessGroup.LibraryMissing(new DllNotFoundException("libnccl.so.2: cannot open shared object file"));

        Assert.Equal(NcclProcessGroup.MissingLibraryMessage, error.Message);
        Assert.IsType<DllNotFoundException>(error.InnerException);
        Assert.Contains("2.10 or later", NcclProcessGroup.LibraryMissing(new EntryPointNotFoundException("ncclCommGetAsyncError")).Message);
    }

    [Fact]
    public async Task InitializeAsync_NcclOnCpuDevice_SaysToUseTcp()
    {
        var options = new DistributedOptions("127.0.0.1", RingHarness.FreePort(), 0, 2, DistributedBackend.Nccl, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<DistributedException>(() => ProcessGroupFactory.InitializeAsync(options, CPU));

        Assert.Contains("use --backend tcp for --device cpu", error.Message);
    }

    [Fact]
    public async Task InitializeAsync_TwoTcpRanks_RankZeroHostsTheStoreAndAllReduceWorks()
    {
        int port = RingHarness.FreePort();
        var options = new DistributedOptions("127.0.0.1", port, 0, 2, DistributedBackend.Auto, TimeSpan.FromSeconds(20));

        var ranks = Enumerable.Range(0, 2).Select(rank => Task.Run(async () =>
        {
            using var group = await ProcessGroupFactory.InitializeAsync(options with { Rank = rank }, CPU);
            using var t = full(3, rank + 1f);
            group.AllReduce(t);
            group.Barrier(); // rank 0's store outlives rank 1's last use of it
            return (group.Backend, t.data<float>().ToArray());
        })).ToArray();
        var results = await Task.WhenAll(ranks).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(results, r =>
        {
            Assert.Equal(DistributedBackend.Tcp, r.Backend);
            Assert.Equal([3f, 3f, 3f], r.Item2);
        });
    }
}

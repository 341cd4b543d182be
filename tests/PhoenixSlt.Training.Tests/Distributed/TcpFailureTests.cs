using PhoenixSlt.Training.Distributed;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Distributed;

/// A peer that leaves or hangs makes every other rank fail with a DistributedException naming it — within the
/// timeout, never a silent hang.
[Collection("Distributed")]
public sealed class TcpFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void AllReduce_PeerDisposesItsGroup_OthersFailNamingThatRankBeforeTheTimeout(int world)
    {
        var outcomes = RingHarness.RunEach(world, g =>
        {
            using var t = ones(1000);
            g.AllReduce(t); // the ring works
            if (g.Rank == 1)
            {
                g.Dispose();
                return "left";
            }
            var error = Assert.ThrowsAny<DistributedException>(() => g.AllReduce(t));
            var again = Assert.ThrowsAny<DistributedException>(() => g.Barrier());
            return $"{error.FailedRank}|{error.Operation}|{error.Message}|{again.Message}";
        }, ShortTimeout);

        foreach (var o in outcomes.Where(o => o.Rank != 1))
        {
            output.WriteLine($"rank {o.Rank} after {o.Elapsed}: {o.Value ?? o.Error?.Message}");
            Assert.Null(o.Error);
            string[] parts = o.Value!.Split('|');
            Assert.Equal("1", parts[0]);
            Assert.Equal("all_reduce", parts[1]);
            Assert.Contains("rank 1 disconnected during all_reduce", parts[2]);
            Assert.Contains("unusable after an earlier failure", parts[3]);
            Assert.True(o.Elapsed < ShortTimeout, $"rank {o.Rank} needed {o.Elapsed}");
        }
    }

    [Fact]
    public void Barrier_PeerNeverArrives_TimesOutNamingThatRank()
    {
        var outcomes = RingHarness.RunEach(2, g =>
        {
            if (g.Rank == 1)
            {
                Thread.Sleep(ShortTimeout + TimeSpan.FromSeconds(1)); // hung outside the collective
                return (Message: "", Failed: (int?)null);
            }
            var error = Assert.ThrowsAny<DistributedException>(() => g.Barrier());
            return (Message: error.Message, Failed: error.FailedRank);
        }, ShortTimeout);

        var rank0 = outcomes[0];
        Assert.Null(rank0.Error);
        Assert.StartsWith("timed out after 2 s waiting for rank 1 in barrier", rank0.Value.Message);
        Assert.Equal(1, rank0.Value.Failed);
        Assert.InRange(rank0.Elapsed, ShortTimeout, ShortTimeout + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void AllReduce_RankHangsInARingOfThree_BothOthersNameTheHungRank()
    {
        var outcomes = RingHarness.RunEach(3, g =>
        {
            if (g.Rank == 1)
            {
                Thread.Sleep(ShortTimeout + TimeSpan.FromSeconds(2)); // hung outside the collective until the others gave up
                return (Message: "", Failed: (int?)null);
            }
            using var t = ones(10);
            var error = Assert.ThrowsAny<DistributedException>(() => g.AllReduce(t));
            return (Message: error.Message, Failed: error.FailedRank);
        }, ShortTimeout);

        // rank 2 waits on rank 1 directly; rank 0 waits on rank 2, but rank 2 reports its own timeout, so rank 1 is the one missing
        foreach (var o in outcomes.Where(o => o.Rank != 1))
        {
            output.WriteLine($"rank {o.Rank} after {o.Elapsed}: {o.Value.Message}");
            Assert.Null(o.Error);
            Assert.Contains("timed out after 2 s", o.Value.Message);
            Assert.Equal(1, o.Value.Failed);
            Assert.True(o.Value.Message.Contains("rank 1 is not waiting in it", StringComparison.Ordinal) || o.Value.Message.Contains("waiting for rank 1", StringComparison.Ordinal), o.Value.Message);
        }
    }

    [Fact]
    public void Barrier_CallerCancels_ThrowsCanceledAndPeerFailsNextNamingTheCancellingRank()
    {
        using var cancel = new CancellationTokenSource();
        var outcomes = RingHarness.RunEach(2, g =>
        {
            using var t = ones(4);
            if (g.Rank == 1)
            {
                cancel.CancelAfter(TimeSpan.FromMilliseconds(200));
                Assert.ThrowsAny<OperationCanceledException>(() => g.Barrier(cancel.Token)); // rank 0 is busy elsewhere
                return "cancelled";
            }
            Thread.Sleep(600);
            g.Barrier(); // rank 1 did enter this barrier before cancelling, so it completes here
            var error = Assert.ThrowsAny<DistributedException>(() => g.Barrier());
            return error.Message;
        }, TimeSpan.FromSeconds(10));

        Assert.Null(outcomes[1].Error);
        Assert.Null(outcomes[0].Error);
        Assert.Contains("rank 1 cancelled barrier", outcomes[0].Value);
        Assert.True(outcomes[0].Elapsed < TimeSpan.FromSeconds(5), $"rank 0 needed {outcomes[0].Elapsed}");
    }

    [Fact]
    public async Task CreateAsync_PeerNeverJoins_TimesOutNamingTheMissingRank()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, ShortTimeout);

        var error = await Assert.ThrowsAsync<DistributedException>(() => TcpProcessGroup.CreateAsync(host, 0, 3, TimeSpan.FromMilliseconds(500)));

        Assert.Equal(1, error.FailedRank);
        Assert.Contains("waiting for rank 1 to join", error.Message);
    }

    [Fact]
    public async Task CreateAsync_DifferentWorldSizes_FailsNamingBothSizes()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, ShortTimeout);
        await using var other = await TcpStore.ConnectAsync("127.0.0.1", host.Port, ShortTimeout);

        var rank0 = Task.Run(() => TcpProcessGroup.CreateAsync(host, 0, 2, ShortTimeout));
        var rank1 = Task.Run(() => TcpProcessGroup.CreateAsync(other, 1, 3, ShortTimeout));
        var errors = new[] { await Record.ExceptionAsync(() => rank0), await Record.ExceptionAsync(() => rank1) };

        Assert.Contains(errors, e => e is DistributedException && e.Message.Contains("world size 3", StringComparison.Ordinal) && e.Message.Contains("with 2", StringComparison.Ordinal));
    }
}

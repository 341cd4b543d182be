using System.Diagnostics;
using System.Text;
using PhoenixSlt.Training.Distributed;

namespace PhoenixSlt.Training.Tests.Distributed;

[Collection("Distributed")]
public sealed class TcpStoreTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task HostAsync_PortZero_PublishesTheChosenPort()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        await using var client = await TcpStore.ConnectAsync("127.0.0.1", host.Port, Timeout);

        Assert.True(host.IsHost);
        Assert.False(client.IsHost);
        Assert.InRange(host.Port, 1, 65535);
        await client.SetStringAsync("ping", "pong");
        Assert.Equal("pong", await host.GetStringAsync("ping"));
    }

    [Fact]
    public async Task GetAsync_ValueSetByAnotherClient_ReturnsTheBytes()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        await using var client = await TcpStore.ConnectAsync("127.0.0.1", host.Port, Timeout);
        byte[] value = [0, 1, 2, 255, 128];

        await host.SetAsync("nccl/uid", value);

        Assert.Equal(value, await client.GetAsync("nccl/uid"));
    }

    [Fact]
    public async Task GetAsync_KeySetLater_BlocksUntilItIsSet()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        await using var client = await TcpStore.ConnectAsync("127.0.0.1", host.Port, Timeout);

        var pending = client.GetStringAsync("ring/1");
        await Task.Delay(200);
        Assert.False(pending.IsCompleted);
        await host.SetStringAsync("ring/1", "127.0.0.1:5000");

        Assert.Equal("127.0.0.1:5000", await pending.WaitAsync(Timeout));
    }

    [Fact]
    public async Task GetAsync_KeyNeverSet_TimesOutNamingTheKey()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DistributedException>(() => host.GetAsync("missing/key", TimeSpan.FromMilliseconds(300)));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.Contains("timed out after 0.3 s", error.Message);
        Assert.Contains("'missing/key'", error.Message);
        // the connection stays usable after a timeout
        await host.SetStringAsync("after", "ok");
        Assert.Equal("ok", await host.GetStringAsync("after"));
    }

    [Fact]
    public async Task AddAsync_ConcurrentClients_CountsEveryIncrementOnce()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => TcpStore.ConnectAsync("127.0.0.1", host.Port, Timeout)));
        try
        {
            var results = await Task.WhenAll(clients.Select(async c =>
            {
                var seen = new List<long>();
                for (int i = 0; i < 25; i++)
                    seen.Add(await c.AddAsync("arrivals", 1));
                return seen;
            }));

            // every increment returns a distinct running total, so together they are exactly 1..100
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), results.SelectMany(r => r).Order());
            Assert.Equal(100, await host.AddAsync("arrivals", 0));
            Assert.Equal(93, await host.AddAsync("arrivals", -7));
            Assert.Equal("93", await host.GetStringAsync("arrivals"));
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task AddAsync_KeyHoldsText_IsRejectedWithReason()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        await host.SetStringAsync("address", "10.0.0.1:1234");

        var error = await Assert.ThrowsAsync<DistributedException>(() => host.AddAsync("address", 1));

        Assert.Contains("not a counter", error.Message);
        Assert.Equal(1, await host.AddAsync("counter", 1)); // the connection is still in step
    }

    [Fact]
    public async Task WaitAsync_KeysSetByOthers_ReturnsOnceAllExist()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        await using var client = await TcpStore.ConnectAsync("127.0.0.1", host.Port, Timeout);

        var waiting = client.WaitAsync(["a", "b"]);
        await host.SetStringAsync("a", "1");
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await host.SetStringAsync("b", "2");

        await waiting.WaitAsync(Timeout);
        Assert.True(await client.CheckAsync(["a", "b"]));
    }

    [Fact]
    public async Task WaitAsync_OneKeyMissing_TimesOutNamingOnlyThatKey()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        await host.SetStringAsync("present", "1");

        var error = await Assert.ThrowsAsync<DistributedException>(() => host.WaitAsync(["present", "absent"], TimeSpan.FromMilliseconds(200)));

        Assert.Contains("'absent'", error.Message);
        Assert.DoesNotContain("'present'", error.Message);
    }

    [Fact]
    public async Task DeleteAsync_ExistingKey_RemovesItOnce()
    {
        await using var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        await host.SetAsync("k", Encoding.UTF8.GetBytes("v"));

        Assert.True(await host.DeleteAsync("k"));
        Assert.False(await host.DeleteAsync("k"));
        Assert.False(await host.CheckAsync(["k"]));
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_FailsAfterTheTimeoutNamingTheAddress()
    {
        int port = RingHarness.FreePort();
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DistributedException>(() => TcpStore.ConnectAsync("127.0.0.1", port, TimeSpan.FromMilliseconds(500)));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("rank 0", error.Message);
    }

    [Fact]
    public async Task ConnectAsync_ServerStartsLater_RetriesUntilItIsUp()
    {
        int port = RingHarness.FreePort();

        var connecting = TcpStore.ConnectAsync("127.0.0.1", port, Timeout);
        await Task.Delay(300);
        await using var host = await TcpStore.HostAsync("127.0.0.1", port, Timeout);
        await using var client = await connecting.WaitAsync(Timeout);

        await client.SetStringAsync("late", "joined");
        Assert.Equal("joined", await host.GetStringAsync("late"));
    }

    [Fact]
    public async Task RequestAsync_ServerGone_FailsWithDistributedException()
    {
        // Generous connection timeouts (a busy CI machine once missed 0.5 s); the request's own 5 s bounds the failure.
        var host = await TcpStore.HostAsync("127.0.0.1", 0, Timeout);
        await using var client = await TcpStore.ConnectAsync("127.0.0.1", host.Port, Timeout);
        await host.DisposeAsync();

        var error = await Assert.ThrowsAsync<DistributedException>(() => client.GetAsync("anything", TimeSpan.FromSeconds(5)));

        Assert.Contains("rendezvous store", error.Message);
    }
}
